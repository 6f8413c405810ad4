"""Contacts."""


import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core import picklists
from guanxi.core.errors import ValidationFailed
from guanxi.customers import selectors, services

from ...common import (
    InputSchema,
    Page,
    PickCode,
    cursor_list,
    require_perm,
)
from ...routes import delete_route, get_route, update_route
from .customers import Phone, _get

router = Router()


# --- contacts ----------------------------------------------------------------------
class ContactOut(Schema):
    id: int
    customer_id: int
    name: str
    title: str
    role: PickCode
    phone: str
    mobile: str
    email: str
    wechat: str
    is_primary: bool
    custom: dict
    created_at: datetime.datetime


class ContactPage(Page):
    items: list[ContactOut]


class ContactIn(InputSchema):
    customer_id: int
    name: str = Field(..., min_length=1, max_length=60)
    title: str = Field("", max_length=60)
    role: str | None = None
    phone: Phone = Field("", max_length=30)
    mobile: Phone = Field("", max_length=30)
    email: str = Field("", max_length=254)
    wechat: str = Field("", max_length=60)
    is_primary: bool = False
    notes: str = Field("", max_length=2000)
    custom: dict = Field(default_factory=dict)


class ContactPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=60)
    title: str | None = Field(None, max_length=60)
    role: str | None = None
    phone: Phone | None = Field(None, max_length=30)
    mobile: Phone | None = Field(None, max_length=30)
    email: str | None = Field(None, max_length=254)
    wechat: str | None = Field(None, max_length=60)
    is_primary: bool | None = None
    notes: str | None = Field(None, max_length=2000)
    custom: dict | None = None


def _role(data):
    if "role" in data:
        code = data["role"]
        data["role"] = None if code is None else picklists.items("customers.contact_role").filter(code=code).first()
        if code is not None and data["role"] is None:
            raise ValidationFailed(_("Unknown value “%(code)s”.") % {"code": code}, field="role")
    return data


@router.get("/contacts", response=ContactPage)
def contact_list(request, limit: int | None = None, cursor: str | None = None, ordering: str | None = None,
                 customer_id: int | None = None, q: str | None = Query(None, max_length=60)):
    require_perm(request, "customers.view")
    queryset = selectors.contacts_visible_to(request.user)
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    if q:
        queryset = queryset.filter(name__startswith=q)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at", "name", "id"},
                       ordering=ordering, cursor=cursor, limit=limit)


get_route(router, "/contacts", name="contact", perm="customers.view", out=ContactOut, get=selectors.contact_get,
          etag=True)


@router.post("/contacts", response={201: ContactOut})
def contact_create(request, payload: ContactIn):
    require_perm(request, "customers.edit")
    data = _role(payload.model_dump())
    customer = _get(request, data.pop("customer_id"))
    return Status(201, services.contact_create(actor=request.user, customer=customer, **data))


update_route(router, "/contacts", name="contact", perm="customers.edit", out=ContactOut, patch=ContactPatch,
             visible=selectors.contacts_visible_to,
             update=lambda user, contact, data: services.contact_update(actor=user, contact=contact, **_role(data)))


delete_route(router, "/contacts", name="contact", perm="customers.edit", get=selectors.contact_get,
             delete=services.contact_delete)


