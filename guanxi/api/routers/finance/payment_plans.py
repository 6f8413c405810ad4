"""Payment plans."""


import datetime
from typing import ClassVar

from django.db.models import Prefetch
from ninja import Field, Router, Schema

from guanxi.finance import invoices
from guanxi.finance.models import (
    Instalment,
    PaymentPlan,
)
from guanxi.org.scopes import get_scoped, scoped
from guanxi.sales import selectors as sales_selectors

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    require_perm,
)
from ...routes import list_and_get
from ._shared import Amount

router = Router()


# --- payment plans ----------------------------------------------------------------------------
class InstalmentOut(Schema):
    position: int
    due_on: datetime.date
    amount: Money
    description: str
    receivable_id: int | None = Field(description="once the order is confirmed")

    @staticmethod
    def resolve_receivable_id(obj):
        receivable = getattr(obj, "receivable", None)
        return receivable.pk if receivable is not None else None


class PaymentPlanOut(Schema):
    id: int
    order_id: int
    notes: str
    currency: str = "CNY"
    instalments: list[InstalmentOut]
    created_at: datetime.datetime

    @staticmethod
    def resolve_instalments(obj):
        return list(obj.instalments.all())


class PaymentPlanPage(Page):
    items: list[PaymentPlanOut]


class InstalmentIn(InputSchema):
    due_on: datetime.date
    amount: Amount
    description: str = Field("", max_length=100)


class PaymentPlanIn(InputSchema):
    instalments: list[InstalmentIn] = Field(..., min_length=1, max_length=36,
                                            description="they add up to the order's total")
    notes: str = Field("", max_length=300)


class PaymentPlanFilters(ListParams):
    order_id: int | None = None
    customer_id: int | None = None

    lookups: ClassVar = {"order_id": "order_id", "customer_id": "order__customer_id"}
    search: ClassVar = ("order__number__istartswith",)


def _plans(user):
    instalments = Prefetch("instalments", queryset=Instalment.objects.select_related("receivable"))
    return scoped(PaymentPlan.objects.select_related("order").prefetch_related(instalments), user)


list_and_get(router, "/payment-plans", name="payment_plan", id_name="plan_id", perm="sales.view",
             page=PaymentPlanPage, out=PaymentPlanOut, filters=PaymentPlanFilters, visible=_plans,
             list_doc="FIN-1: contracts' instalments, in the scope of their orders (``order_id=`` for one order).")


@router.put("/orders/{order_id}/payment-plan", response=PaymentPlanOut)
def payment_plan_set(request, order_id: int, payload: PaymentPlanIn):
    """FIN-1: set (or replace) an order's instalments; each becomes a receivable once the order
    is confirmed. Fixed once money is received on the order (409)."""
    require_perm(request, "sales.edit")
    plan = invoices.payment_plan_set(actor=request.user, order=sales_selectors.order_get(request.user, order_id),
                                     instalments=[(i.due_on, i.amount, i.description) for i in payload.instalments],
                                     notes=payload.notes)
    return get_scoped(_plans(request.user), request.user, pk=plan.pk)


