"""marketing/segments: segments and their customers (MKT-3; API.md): list, create, detail,
update (If-Match), delete to the recycle bin, the customers of a segment (cursor pages)
and a count preview of rules. Scoped like the pages: out of scope is 404."""

import datetime
from typing import Any, ClassVar

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from guanxi.marketing.models import SegmentKind
from guanxi.marketing.selectors import segments as selectors
from guanxi.marketing.services import segments as services

from ...common import (
    InputSchema,
    ListParams,
    page,
    patched,
    require_perm,
)
from ...routes import delete_route, get_route, list_route

router = Router()


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    kind: SegmentKind
    rules: dict[str, Any]
    owner_id: int
    branch_id: int
    member_count: int = Field(..., description="the last count, taken when the segment was saved")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class SegmentPage(Schema):
    items: list[SegmentOut]
    next_cursor: str | None


class SegmentIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=120)
    description: str = Field("", max_length=2000)
    kind: SegmentKind = SegmentKind.DYNAMIC
    rules: dict[str, Any] = Field(default_factory=dict,
                                  description='{"match": "all"|"any", "conditions": [{"field", "op", "value"}]}')


class SegmentPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=120)
    description: str | None = Field(None, max_length=2000)
    rules: dict[str, Any] | None = None


class RulesIn(InputSchema):
    rules: dict[str, Any]


class CountOut(Schema):
    count: int
    capped: bool = Field(..., description="true when there are more than `count`")


class SegmentFilters(ListParams):
    kind: SegmentKind | None = None
    owner_id: int | None = None
    branch_id: int | None = None

    lookups: ClassVar[dict[str, str]] = {"kind": "kind", "owner_id": "owner_id", "branch_id": "branch_id"}
    search: ClassVar[tuple[str, ...]] = ("name__icontains", "description__icontains")
    sorts: ClassVar[set[str]] = {"id", "created_at", "name"}


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    category: str
    owner_id: int | None
    branch_id: int
    province: str
    city: str
    value_tier: str
    lifecycle_stage: str


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: str | None


class MemberParams(Schema):
    limit: int | None = Field(None, description="1–200, default 50")
    cursor: str | None = None
    ordering: str | None = Field(None, description="name, id or created_at; prefix `-` for descending")


list_route(router, "/segments", name="segment", perm="marketing.view", page=SegmentPage, filters=SegmentFilters,
           visible=selectors.segments_visible_to)


@router.post("/segments/preview", response=CountOut)
def segment_preview(request, payload: RulesIn):
    """How many customers in the caller's scope match ``rules`` now (nothing is saved)."""
    require_perm(request, "marketing.view")
    count, capped = selectors.rules_preview_count(request.user, payload.rules)
    return {"count": count, "capped": capped}


get_route(router, "/segments", name="segment", perm="marketing.view", out=SegmentOut, get=selectors.segment_get,
          etag=True)


@router.get("/segments/{segment_id}/customers", response=MemberPage)
def segment_customers(request, segment_id: int, params: Query[MemberParams]):
    """The segment's customers the caller may see (the owner's scope and the caller's)."""
    require_perm(request, "marketing.view")
    segment = selectors.segment_get(request.user, segment_id)
    return page(request, selectors.segment_members(request.user, segment), params, sort="name",
                allowed={"name", "id", "created_at"})


@router.post("/segments", response={201: SegmentOut})
def segment_create(request, payload: SegmentIn):
    require_perm(request, "marketing.create")
    return Status(201, services.segment_create(actor=request.user, **payload.model_dump()))


@router.patch("/segments/{segment_id}", response=SegmentOut)
def segment_update(request, segment_id: int, payload: SegmentPatch, response: HttpResponse):
    require_perm(request, "marketing.edit")
    return patched(request, response, queryset=selectors.segments_visible_to(request.user), pk=segment_id,
                   out=SegmentOut, update=lambda segment: services.segment_update(
                       actor=request.user, segment=segment, **payload.model_dump(exclude_unset=True)))


delete_route(router, "/segments", name="segment", perm="marketing.delete", get=selectors.segment_get,
             delete=services.segment_delete, doc="Move a segment to the recycle bin.")
