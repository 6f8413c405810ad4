"""Debts and movements: the schemas."""


import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, ClassVar

from django.http import Http404
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import WrapValidator

from guanxi.customers import selectors as customer_selectors
from guanxi.finance import selectors, services
from guanxi.finance.models import (
    ReceiptKind,
    ReceivableStatus,
)
from guanxi.purchasing import selectors as purchasing_selectors

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    PickCode,
    ReasonIn,
    acted,
    by_id,
    fields_named,
    get_or_invalid,
    listing,
    pick,
    require_perm,
)
from ._shared import CURRENCY, IDEMPOTENT, Amount

router = Router()


# --- debts and movements: the schemas -------------------------------------------------------
class DebtOut(Schema):
    id: int
    number: str
    amount: Money
    allocated: Money = Field(description="settled so far")
    outstanding: Money
    currency: str
    issued_on: datetime.date
    due_on: datetime.date
    status: ReceivableStatus
    overdue_days: int
    description: str
    owner_id: int
    branch_id: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_overdue_days(obj):
        return obj.overdue_days()


class ReceivableOut(DebtOut):
    customer_id: int
    order_id: int | None
    shipment_id: int | None
    instalment_id: int | None


class PayableOut(DebtOut):
    supplier_id: int
    purchase_order_id: int | None
    goods_receipt_id: int | None


class ReceivablePage(Page):
    items: list[ReceivableOut]


class PayablePage(Page):
    items: list[PayableOut]


class DebtIn(InputSchema):
    amount: Amount
    due_on: datetime.date | None = Field(None, description="default: the date plus the payment terms")
    issued_on: datetime.date | None = Field(None, description="default: today")
    description: str = Field("", max_length=200)
    currency: str = CURRENCY


class ReceivableIn(DebtIn):
    customer_id: int


class PayableIn(DebtIn):
    supplier_id: int


class DebtFilters(ListParams):
    status: ReceivableStatus | None = None
    overdue: bool | None = Field(None, description="true: past due with money outstanding; false: the others")
    due_on_from: datetime.date | None = None
    due_on_to: datetime.date | None = None
    owner_id: int | None = None

    lookups: ClassVar = {"status": "status", "due_on_from": "due_on__gte", "due_on_to": "due_on__lte",
                         "owner_id": "owner_id"}
    sorts: ClassVar = {"due_on", "issued_on", "amount", "created_at", "id"}
    sort: ClassVar = "due_on"


class ReceivableFilters(DebtFilters):
    customer_id: int | None = None
    order_id: int | None = None

    lookups: ClassVar = {**DebtFilters.lookups, "customer_id": "customer_id", "order_id": "order_id"}
    search: ClassVar = ("number__istartswith", "customer__name__icontains")


class PayableFilters(DebtFilters):
    supplier_id: int | None = None
    purchase_order_id: int | None = None

    lookups: ClassVar = {**DebtFilters.lookups, "supplier_id": "supplier_id", "purchase_order_id": "purchase_order_id"}
    search: ClassVar = ("number__istartswith", "supplier__name__icontains")


class AllocationOut(Schema):
    id: int
    amount: Money
    created_at: datetime.datetime
    reversed_at: datetime.datetime | None = Field(description="set once the allocation was taken back")


class ReceiptAllocationOut(AllocationOut):
    receivable_id: int


class PaymentAllocationOut(AllocationOut):
    payable_id: int


class MovementOut(Schema):
    id: int
    number: str
    kind: ReceiptKind = Field(description="`reversal`: a negative movement undoing `reverses_id`")
    reverses_id: int | None
    reversed_by_id: int | None
    amount: Money
    allocated: Money
    unallocated: Money = Field(description="the party's credit left on it")
    currency: str
    method: PickCode = Field(description="pick-list code (finance.payment_method)")
    reference: str
    notes: str
    owner_id: int
    branch_id: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_reversed_by_id(obj):
        reversal = getattr(obj, "reversed_by", None)
        return reversal.pk if reversal is not None else None

    @staticmethod
    def resolve_allocations(obj):
        return sorted(obj.allocations.all(), key=by_id)  # sorted here, so a prefetch serves it


class ReceiptOut(MovementOut):
    customer_id: int
    received_on: datetime.date
    payer: str
    allocations: list[ReceiptAllocationOut]


class PaymentOut(MovementOut):
    supplier_id: int
    paid_on: datetime.date
    payee: str
    allocations: list[PaymentAllocationOut]


class ReceiptPage(Page):
    items: list[ReceiptOut]


class PaymentPage(Page):
    items: list[PaymentOut]


class ReceivableShareIn(InputSchema):
    receivable_id: int
    amount: Amount


class PayableShareIn(InputSchema):
    payable_id: int
    amount: Amount


def _oldest_or_shares(value, handler):
    return value if value == "oldest" else handler(value)


def _oldest_in_schema(schema):
    choices = schema.pop("anyOf", None) or [{key: schema.pop(key) for key in ("type", "items") if key in schema}]
    schema["anyOf"] = [{"type": "string", "const": "oldest"}, *choices]


def oldest_or(shares):
    """``"oldest"`` (oldest due first, as far as the money goes) or the exact shares."""
    return Annotated[shares, WrapValidator(_oldest_or_shares), Field(json_schema_extra=_oldest_in_schema)]


ALLOCATIONS_DOC = ('"oldest" (the default): oldest due first; a list of shares: exactly those; '
                   "null or []: keep it all as the party's credit")


class MovementIn(InputSchema):
    amount: Amount
    method: str | None = Field(None, description="pick-list code (finance.payment_method)")
    reference: str = Field("", max_length=100, description="bank slip, transaction or cheque number")
    notes: str = Field("", max_length=500)
    currency: str = CURRENCY


class ReceiptIn(MovementIn):
    customer_id: int
    received_on: datetime.date | None = Field(None, description="default: today; not in the future")
    payer: str = Field("", max_length=200, description="default: the customer's name")
    allocations: oldest_or(list[ReceivableShareIn] | None) = Field(  # type: ignore[valid-type]  # a schema built at import time
        "oldest", max_length=100, description=ALLOCATIONS_DOC)


class PaymentIn(MovementIn):
    supplier_id: int
    paid_on: datetime.date | None = Field(None, description="default: today; not in the future")
    payee: str = Field("", max_length=200, description="default: the supplier's name")
    allocations: oldest_or(list[PayableShareIn] | None) = Field(  # type: ignore[valid-type]  # a schema built at import time
        "oldest", max_length=100, description=ALLOCATIONS_DOC)


class ReceiptAllocateIn(InputSchema):
    allocations: oldest_or(list[ReceivableShareIn]) = Field("oldest", min_length=1, max_length=100)  # type: ignore[valid-type]


class PaymentAllocateIn(InputSchema):
    allocations: oldest_or(list[PayableShareIn]) = Field("oldest", min_length=1, max_length=100)  # type: ignore[valid-type]


class ReverseIn(ReasonIn):
    reversed_on: datetime.date | None = Field(None, description="default: today")


class MovementFilters(ListParams):
    kind: ReceiptKind | None = None
    method: str | None = Field(None, max_length=40, description="pick-list code")
    owner_id: int | None = None

    lookups: ClassVar = {"kind": "kind", "method": "method__code", "owner_id": "owner_id"}


class ReceiptFilters(MovementFilters):
    customer_id: int | None = None
    received_on_from: datetime.date | None = None
    received_on_to: datetime.date | None = None

    lookups: ClassVar = {**MovementFilters.lookups, "customer_id": "customer_id",
                         "received_on_from": "received_on__gte", "received_on_to": "received_on__lte"}
    search: ClassVar = ("number__istartswith", "reference__icontains", "customer__name__icontains")
    sorts: ClassVar = {"received_on", "amount", "created_at", "id"}
    sort: ClassVar = "-received_on"


class PaymentFilters(MovementFilters):
    supplier_id: int | None = None
    paid_on_from: datetime.date | None = None
    paid_on_to: datetime.date | None = None

    lookups: ClassVar = {**MovementFilters.lookups, "supplier_id": "supplier_id", "paid_on_from": "paid_on__gte",
                         "paid_on_to": "paid_on__lte"}
    search: ClassVar = ("number__istartswith", "reference__icontains", "supplier__name__icontains")
    sorts: ClassVar = {"paid_on", "amount", "created_at", "id"}
    sort: ClassVar = "-paid_on"


# --- debts and movements: one set of endpoints per side -----------------------------------
@dataclass(frozen=True)
class Side:
    """One side of the ledger as the API shows it. ``debt``, ``movement`` and ``party`` are
    also the keyword names of that side's services (``receipt_record(customer=…)``)."""

    debts: str  # the resources: receivables / payables
    movements: str  # receipts / payments
    debt: str  # receivable / payable
    movement: str  # receipt / payment
    party: str  # customer / supplier
    party_get: Callable
    debts_visible_to: Callable
    debt_get: Callable
    movements_visible_to: Callable
    movement_get: Callable
    debt_create: Callable
    debt_cancel: Callable
    record: Callable
    allocate: Callable
    unallocate: Callable
    reverse: Callable
    debt_out: type
    debt_page: type
    debt_in: type
    debt_filters: type
    movement_out: type
    movement_page: type
    movement_in: type
    allocate_in: type
    movement_filters: type


MONEY_IN = Side(
    debts="receivables", movements="receipts", debt="receivable", movement="receipt",
    party="customer", party_get=customer_selectors.customer_get,
    debts_visible_to=selectors.receivables_visible_to, debt_get=selectors.receivable_get,
    movements_visible_to=selectors.receipts_visible_to, movement_get=selectors.receipt_get,
    debt_create=services.receivable_create, debt_cancel=services.receivable_cancel, record=services.receipt_record,
    allocate=services.receipt_allocate, unallocate=services.allocation_reverse, reverse=services.receipt_reverse,
    debt_out=ReceivableOut, debt_page=ReceivablePage, debt_in=ReceivableIn, debt_filters=ReceivableFilters,
    movement_out=ReceiptOut, movement_page=ReceiptPage, movement_in=ReceiptIn, allocate_in=ReceiptAllocateIn,
    movement_filters=ReceiptFilters)
MONEY_OUT = Side(
    debts="payables", movements="payments", debt="payable", movement="payment",
    party="supplier", party_get=purchasing_selectors.supplier_get,
    debts_visible_to=selectors.payables_visible_to, debt_get=selectors.payable_get,
    movements_visible_to=selectors.payments_visible_to, movement_get=selectors.payment_get,
    debt_create=services.payable_create, debt_cancel=services.payable_cancel, record=services.payment_record,
    allocate=services.payment_allocate, unallocate=services.payment_allocation_reverse,
    reverse=services.payment_reverse,
    debt_out=PayableOut, debt_page=PayablePage, debt_in=PayableIn, debt_filters=PayableFilters,
    movement_out=PaymentOut, movement_page=PaymentPage, movement_in=PaymentIn, allocate_in=PaymentAllocateIn,
    movement_filters=PaymentFilters)


def _overdue(queryset, overdue):
    if overdue is None:
        return queryset
    late = queryset.model.overdue_q()
    return queryset.filter(late) if overdue else queryset.exclude(late)


def _shares(request, side, shares):
    """The body's allocations as the ledger takes them — ``"oldest"``, None or
    [(debt, amount)] with each debt looked up in the caller's scope — and the names the
    ledger's errors get in the body (it names a debt by id, the body by position)."""
    if shares == "oldest":
        return shares, {}
    if not shares:
        return None, {}
    link = f"{side.debt}_id"
    debts = side.debts_visible_to(request.user)
    plan = [(get_or_invalid(debts, getattr(share, link), f"allocations.{index}.{link}"), share.amount)
            for index, share in enumerate(shares)]
    return plan, {f"allocations.{debt.pk}": f"allocations.{index}" for index, (debt, _a) in enumerate(plan)}


def _movements(request, side):
    return side.movements_visible_to(request.user).select_related("reversed_by").prefetch_related("allocations")


def _mount_side(side):
    """Register the endpoints of one side of the ledger (FIN-1 or FIN-2) on ``router``."""
    debts, movements = f"/{side.debts}", f"/{side.movements}"
    # Path parameters named as the integrator knows them: /receipts/{receipt_id}.
    debt_path, movement_path = f"{debts}/{{{side.debt}_id}}", f"{movements}/{{{side.movement}_id}}"
    debt_pk = Path(..., alias=f"{side.debt}_id")
    movement_pk = Path(..., alias=f"{side.movement}_id")

    @router.get(debts, response=side.debt_page, operation_id=f"{side.debt}_list")
    def debt_list(request, params: Query[side.debt_filters]):  # type: ignore[name-defined]  # the side's schemas
        """Debts in the caller's scope (FIN-1 receivables of customers, FIN-2 payables to suppliers)."""
        require_perm(request, "finance.view")
        return listing(request, _overdue(side.debts_visible_to(request.user), params.overdue), params)

    @router.get(f"{debt_path}", response=side.debt_out, operation_id=f"{side.debt}_get")
    def debt_get(request, debt_id: int = debt_pk):
        require_perm(request, "finance.view")
        return side.debt_get(request.user, debt_id)

    @router.post(debts, response={201: side.debt_out}, operation_id=f"{side.debt}_create")
    def debt_create(request, payload: side.debt_in):  # type: ignore[name-defined]  # the side's schemas
        """A debt entered by hand (a service fee, an old debt, rent); owner and branch follow the party."""
        require_perm(request, "finance.create")
        data = payload.model_dump()
        party = side.party_get(request.user, data.pop(f"{side.party}_id"))
        debt = side.debt_create(actor=request.user, **{side.party: party}, **data)
        return Status(201, side.debt_get(request.user, debt.pk))

    @router.post(f"{debt_path}/cancel", response=side.debt_out, operation_id=f"{side.debt}_cancel")
    def debt_cancel(request, payload: ReasonIn, debt_id: int = debt_pk):
        """Cancel a debt nothing was settled on (409 otherwise, or when cancelled already)."""
        require_perm(request, "finance.reverse")
        return acted(request, side.debt_get, debt_id, side.debt_cancel, side.debt, reason=payload.reason)

    @router.get(movements, response=side.movement_page, operation_id=f"{side.movement}_list")
    def movement_list(request, params: Query[side.movement_filters]):  # type: ignore[name-defined]  # the side's schemas
        """Money received (FIN-1) or paid (FIN-2), reversals included, in the caller's scope."""
        require_perm(request, "finance.view")
        return listing(request, _movements(request, side), params)

    @router.get(f"{movement_path}", response=side.movement_out, operation_id=f"{side.movement}_get")
    def movement_get(request, movement_id: int = movement_pk):
        require_perm(request, "finance.view")
        return side.movement_get(request.user, movement_id)

    @router.post(movements, response={201: side.movement_out}, operation_id=f"{side.movement}_record",
                 openapi_extra=IDEMPOTENT)
    def movement_record(request, payload: side.movement_in):  # type: ignore[name-defined]  # the side's schemas
        """Record money that moved and allocate it (``allocations``). Honours Idempotency-Key."""
        require_perm(request, "finance.create")
        data = payload.model_dump(exclude={"allocations"})
        party = side.party_get(request.user, data.pop(f"{side.party}_id"))
        data["method"] = pick("finance.payment_method", data["method"], "method")
        plan, names = _shares(request, side, payload.allocations)
        with fields_named(names):
            movement = side.record(actor=request.user, **{side.party: party}, allocate=plan, **data)
        return Status(201, side.movement_get(request.user, movement.pk))

    @router.post(f"{movement_path}/allocations", response=side.movement_out,
                 operation_id=f"{side.movement}_allocate", openapi_extra=IDEMPOTENT)
    def movement_allocate(request, payload: side.allocate_in, movement_id: int = movement_pk):  # type: ignore[name-defined]  # the side's schemas
        """Apply (more of) the movement to its party's debts; never more than is left or due."""
        require_perm(request, "finance.edit")
        movement = side.movement_get(request.user, movement_id)
        plan, names = _shares(request, side, payload.allocations)
        with fields_named(names):
            side.allocate(actor=request.user, **{side.movement: movement}, allocations=plan)
        return side.movement_get(request.user, movement_id)

    @router.post(f"{movement_path}/allocations/{{allocation_id}}/reverse", response=side.movement_out,
                 operation_id=f"{side.movement}_allocation_reverse", openapi_extra=IDEMPOTENT)
    def allocation_reverse(request, movement_id: int = movement_pk, allocation_id: int = Path(...)):
        """Take one allocation back: the money returns to the movement as the party's credit."""
        require_perm(request, "finance.reverse")
        movement = side.movement_get(request.user, movement_id)
        allocation = movement.allocations.filter(pk=allocation_id).first()
        if allocation is None:
            raise Http404
        side.unallocate(actor=request.user, allocation=allocation)
        return side.movement_get(request.user, movement_id)

    @router.post(f"{movement_path}/reverse", response={201: side.movement_out},
                 operation_id=f"{side.movement}_reverse", openapi_extra=IDEMPOTENT)
    def movement_reverse(request, payload: ReverseIn, movement_id: int = movement_pk):
        """Undo a movement: its allocations are taken back and the reversal (a movement of the
        opposite amount, ``reverses_id``) is returned. A reversal is final (409)."""
        require_perm(request, "finance.reverse")
        reversal = side.reverse(actor=request.user, **{side.movement: side.movement_get(request.user, movement_id)},
                                reason=payload.reason, reversed_on=payload.reversed_on)
        return Status(201, side.movement_get(request.user, reversal.pk))


_mount_side(MONEY_IN)
_mount_side(MONEY_OUT)


