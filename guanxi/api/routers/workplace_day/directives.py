"""Directives (WRK-2)."""


import datetime

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from guanxi.core.errors import Forbidden, ValidationFailed
from guanxi.org.models import Branch, Department, Role
from guanxi.workplace import directives, selectors
from guanxi.workplace.models import (
    DirectiveAttachment,
    DirectiveKind,
    DirectivePriority,
)

from ...common import (
    AttachmentOut,
    InputSchema,
    ListParams,
    Page,
    page,
    require_perm,
    searched,
)

router = Router()


# --- directives (WRK-2) ----------------------------------------------------------------
class ReceiptOut(Schema):
    user_id: int
    read_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None
    reminders_sent: int = 0


class MyReceipt(Schema):
    read_at: datetime.datetime | None
    acknowledged_at: datetime.datetime | None


class DirectiveOut(Schema):
    id: int
    title: str
    kind: DirectiveKind
    priority: DirectivePriority
    body: str = Field(description="sanitized HTML")
    requires_ack: bool
    ack_due_on: datetime.date | None
    to_everyone: bool
    branch_ids: list[int]
    department_ids: list[int]
    role_codes: list[str]
    issuer_id: int
    branch_id: int
    issued_at: datetime.datetime
    recipient_count: int
    acknowledged_count: int
    my_receipt: MyReceipt | None
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_branch_ids(obj):
        return sorted(b.pk for b in obj.branches.all())

    @staticmethod
    def resolve_department_ids(obj):
        return sorted(d.pk for d in obj.departments.all())

    @staticmethod
    def resolve_role_codes(obj):
        return sorted(r.code for r in obj.roles.all())

    @staticmethod
    def resolve_recipient_count(obj):
        return obj.recipient_total

    @staticmethod
    def resolve_acknowledged_count(obj):
        return obj.acknowledged_total

    @staticmethod
    def resolve_my_receipt(obj):
        if not obj.my_receipt:
            return None
        return {"read_at": obj.my_read_at, "acknowledged_at": obj.my_acknowledged_at}

    @staticmethod
    def resolve_attachments(obj):
        return sorted(obj.attachments.all(), key=lambda a: a.pk)


class DirectivePage(Page):
    items: list[DirectiveOut]


class DirectiveIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=60000, description="HTML (sanitized) or plain text")
    kind: DirectiveKind = DirectiveKind.DIRECTIVE
    priority: DirectivePriority = DirectivePriority.NORMAL
    requires_ack: bool = True
    ack_due_on: datetime.date | None = None
    to_everyone: bool = False
    branch_ids: list[int] = Field(default_factory=list, max_length=100)
    department_ids: list[int] = Field(default_factory=list, max_length=500)
    role_codes: list[str] = Field(default_factory=list, max_length=50)


class DirectiveFilters(ListParams):
    kind: DirectiveKind | None = None
    pending: bool | None = Field(None, description="true: waiting for the caller's acknowledgement")
    issuer_id: int | None = None


def _directives(request):
    return selectors.directives_visible_to(request.user).prefetch_related(
        "branches", "departments", "roles", "attachments")


def _directive(request, directive_id):
    directive = _directives(request).filter(pk=directive_id).first()
    if directive is None:
        raise Http404
    return directive


def _resolve_all(model, ids, field, key="pk"):
    found = list(model.objects.filter(**{f"{key}__in": ids}))
    missing = sorted(set(ids) - {getattr(o, key) for o in found})
    if missing:
        raise ValidationFailed(_("No such record: %(id)s.") % {"id": ", ".join(map(str, missing))}, field=field)
    return found


@router.get("/directives", response=DirectivePage)
def directive_list(request, params: Query[DirectiveFilters]):
    """WRK-2: directives the caller issued, received or has in scope."""
    require_perm(request, "workplace.view")
    queryset = _directives(request)
    queryset = searched(queryset, params.q, "title__icontains", "body__icontains")
    if params.kind:
        queryset = queryset.filter(kind=params.kind)
    if params.issuer_id is not None:
        queryset = queryset.filter(issuer_id=params.issuer_id)
    if params.pending is True:
        queryset = queryset.filter(requires_ack=True, my_receipt__isnull=False, my_acknowledged_at__isnull=True)
    elif params.pending is False:
        queryset = queryset.exclude(requires_ack=True, my_receipt__isnull=False, my_acknowledged_at__isnull=True)
    return page(request, queryset, params, sort="-issued_at", allowed={"issued_at", "id", "title"})


@router.get("/directives/{directive_id}", response=DirectiveOut)
def directive_get(request, directive_id: int):
    require_perm(request, "workplace.view")
    return _directive(request, directive_id)


@router.post("/directives", response={201: DirectiveOut})
def directive_create(request, payload: DirectiveIn):
    """WRK-2: issue a directive or document to everyone, branches, departments (with
    their sub-departments) or job roles; recipients are notified."""
    require_perm(request, "workplace.directive")
    data = payload.model_dump()
    audience = {
        "branches": _resolve_all(Branch, data.pop("branch_ids"), "branch_ids"),
        "departments": _resolve_all(Department, data.pop("department_ids"), "department_ids"),
        "roles": _resolve_all(Role, data.pop("role_codes"), "role_codes", key="code"),
    }
    directive = directives.directive_issue(actor=request.user, **data, **audience)
    return Status(201, _directive(request, directive.pk))


@router.post("/directives/{directive_id}/read", response=ReceiptOut)
def directive_read(request, directive_id: int):
    require_perm(request, "workplace.view")
    receipt = directives.directive_mark_read(actor=request.user, directive=selectors.directive_get(
        request.user, directive_id))
    if receipt is None:
        raise Forbidden()
    return receipt


@router.post("/directives/{directive_id}/acknowledge", response=ReceiptOut)
def directive_acknowledge(request, directive_id: int):
    """WRK-2: the caller (a recipient) acknowledges; again is a no-op."""
    require_perm(request, "workplace.view")
    return directives.directive_acknowledge(actor=request.user,
                                            directive=selectors.directive_get(request.user, directive_id))


class RemindOut(Schema):
    reminded: int


@router.post("/directives/{directive_id}/remind", response=RemindOut)
def directive_remind(request, directive_id: int):
    """WRK-2: remind the recipients who have not acknowledged (at most once a day each)."""
    require_perm(request, "workplace.directive")
    count = directives.directive_remind(actor=request.user,
                                        directive=selectors.directive_get(request.user, directive_id))
    return {"reminded": count}


class ReceiptFilters(Schema):
    pending: bool | None = Field(None, description="true: not acknowledged yet; false: acknowledged")


@router.get("/directives/{directive_id}/receipts", response=list[ReceiptOut])
def directive_receipts(request, directive_id: int, params: Query[ReceiptFilters]):
    """WRK-2: who has read and acknowledged (the issuer and those who may track it)."""
    require_perm(request, "workplace.view")
    directive = selectors.directive_get(request.user, directive_id)
    if not directives.can_track(request.user, directive):
        raise Forbidden()
    return list(selectors.directive_receipts(directive, pending=params.pending))


@router.post("/directives/{directive_id}/attachments", response={201: AttachmentOut})
def directive_attach(request, directive_id: int, file: File[UploadedFile]):
    """WRK-2: attach a file (multipart ``file``): PDF, JPEG, PNG, DOCX, XLSX or PPTX by
    its bytes, at most 20 MB, ten per directive."""
    require_perm(request, "workplace.directive")
    return Status(201, directives.directive_attach(
        actor=request.user, directive=selectors.directive_get(request.user, directive_id), upload=file))


@router.get("/directives/{directive_id}/attachments/{attachment_id}", response={200: None},
            openapi_extra={"responses": {200: {"description": "the file"}}})
def directive_attachment(request, directive_id: int, attachment_id: int):
    require_perm(request, "workplace.view")
    directive = selectors.directive_get(request.user, directive_id)
    attachment = get_object_or_404(DirectiveAttachment, pk=attachment_id, directive=directive)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


