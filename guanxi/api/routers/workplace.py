"""notes: the sample business record, scoped like every business record."""

import datetime

from ninja import Field, Query, Router, Schema, Status

from guanxi.workplace import selectors, services
from guanxi.workplace.models import NoteCategory

from ..common import (
    InputSchema,
    Page,
    filtered,
    page,
    require_perm,
)
from ..routes import delete_route, get_route, update_route

router = Router(tags=["notes"])


class NoteOut(Schema):
    id: int
    title: str
    body: str
    category: NoteCategory
    owner_id: int
    branch_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class NotePage(Page):
    items: list[NoteOut]


class NoteIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=20000)
    category: NoteCategory = NoteCategory.GENERAL


class NotePatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, max_length=20000)
    category: NoteCategory | None = None


class NoteFilters(Schema):
    limit: int | None = None
    cursor: str | None = None
    ordering: str | None = None
    q: str | None = Field(None, max_length=100)
    category: NoteCategory | None = None
    owner_id: int | None = None
    branch_id: int | None = None


@router.get("", response=NotePage)
def note_list(request, params: Query[NoteFilters]):
    require_perm(request, "workplace.view")
    queryset = selectors.notes_search(request.user, params.q) if params.q else selectors.notes_visible_to(request.user)
    queryset = filtered(queryset, category=params.category, owner_id=params.owner_id, branch_id=params.branch_id)
    return page(request, queryset, params, sort="-created_at", allowed={"created_at", "title", "id"})


get_route(router, "", name="note", perm="workplace.view", out=NoteOut, get=selectors.note_get, etag=True)


@router.post("", response={201: NoteOut})
def note_create(request, payload: NoteIn):
    require_perm(request, "workplace.create")
    return Status(201, services.note_create(actor=request.user, **payload.model_dump()))


update_route(router, "", name="note", perm="workplace.edit", out=NoteOut, patch=NotePatch,
             visible=selectors.notes_visible_to,
             update=lambda user, note, data: services.note_update(actor=user, note=note, **data))


delete_route(router, "", name="note", perm="workplace.delete", get=selectors.note_get, delete=services.note_delete,
             doc="Move a note to the recycle bin (restorable for 30 days).")
