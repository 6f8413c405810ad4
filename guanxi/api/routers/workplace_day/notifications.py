"""Notifications."""


import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from guanxi.core import notifications
from guanxi.core.models import Notification

from ...common import (
    InputSchema,
    Page,
    cursor_list,
)

router = Router()


# --- notifications ----------------------------------------------------------------------
class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class NotificationPage(Page):
    items: list[NotificationOut]


class NotificationFilters(Schema):
    limit: int | None = None
    cursor: str | None = None
    unread: bool | None = None
    kind: str | None = Field(None, max_length=40)


class UnreadOut(Schema):
    unread: int


class MarkReadIn(InputSchema):
    ids: list[int] | None = Field(None, max_length=1000, description="omit to mark every notice read")


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    in_app: bool
    email: bool
    digest: bool


class PreferenceIn(InputSchema):
    kind: str = Field(..., max_length=40)
    in_app: bool
    email: bool
    digest: bool


def _preferences(user):
    labels = {k.code: str(k.label) for k in notifications.kinds()}
    return [{"kind": code, "label": labels[code], "in_app": c.in_app, "email": c.email, "digest": c.digest}
            for code, c in notifications.preferences_of(user).items()]


@router.get("/notifications", response=NotificationPage)
def notification_list(request, params: Query[NotificationFilters]):
    """The caller's own notices, newest first."""
    queryset = Notification.objects.filter(recipient=request.user)
    if params.unread is not None:
        queryset = queryset.filter(read_at__isnull=params.unread)
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    return cursor_list(request, queryset, sort="-created_at", allowed_sorts={"created_at"}, cursor=params.cursor,
                       limit=params.limit)


@router.get("/notifications/unread-count", response=UnreadOut)
def notification_unread(request):
    return {"unread": notifications.unread_count(request.user)}


@router.post("/notifications/mark-read", response=MarkedOut)
def notification_mark_all(request, payload: MarkReadIn):
    return {"marked": notifications.mark_read(request.user, payload.ids)}


@router.get("/notifications/preferences", response=list[PreferenceOut])
def notification_preferences(request):
    """Per kind of notice: in the app, by e-mail, in the daily digest."""
    return _preferences(request.user)


@router.put("/notifications/preferences", response=list[PreferenceOut])
def notification_preferences_set(request, payload: list[PreferenceIn]):
    """Set the listed kinds (others keep theirs); an unknown kind is a 422 and changes nothing."""
    notifications.preferences_save(actor=request.user, choices={
        p.kind: notifications.Channels(p.in_app, p.email, p.digest) for p in payload})
    return _preferences(request.user)


@router.get("/notifications/{notification_id}", response=NotificationOut)
def notification_get(request, notification_id: int):
    return get_object_or_404(Notification, pk=notification_id, recipient=request.user)


@router.post("/notifications/{notification_id}/read", response=NotificationOut)
def notification_read(request, notification_id: int):
    notice = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notifications.mark_read(request.user, [notice.pk])
    notice.refresh_from_db()
    return notice
