"""notes: the sample business record, scoped like every business record."""

import datetime

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.workplace import selectors, services
from guanxi.workplace.models import NoteCategory

from ..common import (
    InputSchema,
    Page,
    deleted,
    filtered,
    page,
    patched,
    require_perm,
    with_etag,
)

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


@router.get("/{note_id}", response=NoteOut)
def note_get(request, note_id: int, response: HttpResponse):
    require_perm(request, "workplace.view")
    return with_etag(response, NoteOut.from_orm(selectors.note_get(request.user, note_id)))


@router.post("", response={201: NoteOut})
def note_create(request, payload: NoteIn):
    require_perm(request, "workplace.create")
    return Status(201, services.note_create(actor=request.user, **payload.model_dump()))


@router.patch("/{note_id}", response=NoteOut)
def note_update(request, note_id: int, payload: NotePatch, response: HttpResponse):
    require_perm(request, "workplace.edit")
    return patched(request, response, queryset=selectors.notes_visible_to(request.user), pk=note_id, out=NoteOut,
                   update=lambda note: services.note_update(actor=request.user, note=note, **payload.model_dump(exclude_unset=True)))


@router.delete("/{note_id}", response={204: None})
def note_delete(request, note_id: int):
    """Move a note to the recycle bin (restorable for 30 days)."""
    require_perm(request, "workplace.delete")
    return deleted(request, selectors.note_get, note_id, services.note_delete, "note")
