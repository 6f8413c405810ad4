"""Expenses (FIN-3)."""


import datetime
from typing import ClassVar

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile

from guanxi.core.errors import ValidationFailed
from guanxi.finance import expenses, selectors
from guanxi.finance.models import (
    ExpenseCategory,
    ExpenseStatus,
)

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    PickCode,
    acted,
    by_id,
    listing,
    patched,
    with_etag,
)
from ._shared import Amount

router = Router()


# --- expenses (FIN-3) -------------------------------------------------------------------------
def require_branch_member(request):
    """Expenses are everyone's (FIN-3): each person of a branch enters their own; the scope
    decides whose others see (managers, finance)."""
    if not expenses.may_enter_expenses(request.user):
        raise PermissionDenied


class AttachmentOut(Schema):
    id: int
    original_name: str
    content_type: str = Field(description="read from the file's bytes")
    size: int
    uploaded_at: datetime.datetime


class ExpenseOut(Schema):
    id: int
    number: str
    category: str = Field(description="expense category or item code")
    amount: Money
    currency: str
    spent_on: datetime.date
    description: str
    status: ExpenseStatus
    owner_id: int
    department_id: int | None
    branch_id: int
    attachments: list[AttachmentOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_attachments(obj):
        return sorted(obj.attachments.all(), key=by_id)


class ExpensePage(Page):
    items: list[ExpenseOut]


class ExpenseIn(InputSchema):
    category: str = Field(..., max_length=40, description="category or item code (GET /expense-categories)")
    amount: Amount
    spent_on: datetime.date | None = Field(None, description="default: today")
    description: str = Field(..., min_length=1, max_length=300)


class ExpensePatch(InputSchema):
    """Only a draft or a rejected expense (which goes back to draft)."""

    category: str | None = Field(None, max_length=40)
    amount: Amount | None = None
    spent_on: datetime.date | None = None
    description: str | None = Field(None, min_length=1, max_length=300)


class ExpenseFilters(ListParams):
    status: ExpenseStatus | None = None
    owner_id: int | None = None
    category: str | None = Field(None, max_length=40)
    spent_on_from: datetime.date | None = None
    spent_on_to: datetime.date | None = None

    lookups: ClassVar = {"status": "status", "owner_id": "owner_id", "category": "category__code",
                         "spent_on_from": "spent_on__gte", "spent_on_to": "spent_on__lte"}
    search: ClassVar = ("number__istartswith", "description__icontains")
    sorts: ClassVar = {"spent_on", "amount", "created_at", "id"}


class CategoryOut(Schema):
    code: str
    name: str
    parent: PickCode = Field(description="the category of an item")


def _expense_data(data):
    if data.get("category") is not None:
        category = ExpenseCategory.objects.filter(code=data["category"]).first()
        if category is None:
            raise ValidationFailed(_("Unknown value “%(code)s”.") % {"code": data["category"]}, field="category")
        data["category"] = category
    return data


def _expenses(request):
    return selectors.expenses_visible_to(request.user).prefetch_related("attachments")


def _expense_action(request, expense_id, action):
    """Run a service on the expense in the caller's scope; answer the expense as it is now."""
    return acted(request, selectors.expense_get, expense_id, action, "expense")


@router.get("/expense-categories", response=list[CategoryOut])
def expense_category_list(request):
    """FIN-3: the active categories and their items."""
    require_branch_member(request)
    return list(ExpenseCategory.objects.filter(is_active=True).select_related("parent")
                .order_by("parent__position", "parent_id", "position"))


@router.get("/expenses", response=ExpensePage)
def expense_list(request, params: Query[ExpenseFilters]):
    """FIN-3: one's own expenses, and those of the people in one's scope."""
    require_branch_member(request)
    return listing(request, _expenses(request), params)


@router.get("/expenses/{expense_id}", response=ExpenseOut)
def expense_get(request, expense_id: int, response: HttpResponse):
    require_branch_member(request)
    return with_etag(response, ExpenseOut.from_orm(selectors.expense_get(request.user, expense_id)))


@router.post("/expenses", response={201: ExpenseOut})
def expense_create(request, payload: ExpenseIn):
    """FIN-3: a draft expense of the caller; attach the receipts, then submit it."""
    require_branch_member(request)
    expense = expenses.expense_create(actor=request.user, **_expense_data(payload.model_dump()))
    return Status(201, selectors.expense_get(request.user, expense.pk))


@router.patch("/expenses/{expense_id}", response=ExpenseOut)
def expense_update(request, expense_id: int, payload: ExpensePatch, response: HttpResponse):
    """FIN-3: change a draft (or a rejected expense, which goes back to draft); honours If-Match."""
    require_branch_member(request)
    data = _expense_data(payload.model_dump(exclude_unset=True))
    return patched(request, response, queryset=_expenses(request), pk=expense_id, out=ExpenseOut,
                   update=lambda expense: expenses.expense_update(actor=request.user, expense=expense, **data))


@router.post("/expenses/{expense_id}/attachments", response={201: AttachmentOut})
def expense_attach(request, expense_id: int, file: File[UploadedFile]):
    """FIN-3: attach a receipt (multipart ``file``): JPEG, PNG or PDF by its bytes, at most
    10 MB, ten per expense."""
    require_branch_member(request)
    return Status(201, expenses.expense_attach(actor=request.user, expense=selectors.expense_get(request.user,
                                                                                             expense_id),
                                               upload=file))


@router.post("/expenses/{expense_id}/submit", response=ExpenseOut)
def expense_submit(request, expense_id: int):
    """FIN-3: send a draft for approval (the manager by default)."""
    require_branch_member(request)
    return _expense_action(request, expense_id, expenses.expense_submit)


@router.post("/expenses/{expense_id}/cancel", response=ExpenseOut)
def expense_cancel(request, expense_id: int):
    """FIN-3: withdraw a draft or rejected expense."""
    require_branch_member(request)
    return _expense_action(request, expense_id, expenses.expense_cancel)


