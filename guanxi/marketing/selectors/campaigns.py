"""Reads of campaigns (MKT-2): lists, one campaign, its touches and costs, and what each
campaign returned (``campaign_returns``, which the 10C promotion tab reads too).

Every read starts from the user's scope: campaigns they may see, and of the outcomes
credited to them only the leads, opportunities, orders and receipts the user may see.
A campaign's cost is the campaign's own (its approved linked expenses), shown to whoever
may see the campaign."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.errors import ValidationFailed
from guanxi.core.money import fen
from guanxi.core.periods import Period
from guanxi.core.search import SearchHit, is_text
from guanxi.customers.models import Customer
from guanxi.customers.selectors import customers_visible_to
from guanxi.finance.models import Expense, ExpenseStatus
from guanxi.org.models import User
from guanxi.org.scopes import get_scoped, scoped
from guanxi.sales.models import Lead
from guanxi.sales.selectors import leads_visible_to, opportunities_visible_to

from ..attribution import (
    OUTCOMES,
    Outcomes,
    TouchModel,
    credited,
    outcomes_by_campaign,
    window_days,
)
from ..models import Campaign, CampaignExpense, CampaignTouch

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")
ALL_TIME_START = datetime.date(2000, 1, 1)


# --- campaigns ----------------------------------------------------------------------------
def campaigns_visible_to(user: User) -> QuerySet[Campaign]:
    return scoped(Campaign.objects.select_related("owner", "branch", "segment"), user)


def campaigns_deleted_visible_to(user: User) -> QuerySet[Campaign]:
    return scoped(Campaign.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)


def campaign_get(user: User, pk: Any) -> Campaign:
    """One campaign in the user's scope, or 404."""
    return get_scoped(Campaign.objects.select_related("owner", "branch", "segment"), user, pk=pk)


def campaign_search_hits(user: User, q: str, limit: int) -> list[SearchHit]:
    """A campaign by its code (exactly or by prefix) or, for text, by its name."""
    q = q.strip()
    condition = Q(code__istartswith=q[:40])
    if is_text(q):
        condition |= Q(name__icontains=q[:100])
    return [SearchHit(label=campaign.name, url=campaign.get_absolute_url(), kind=str(Campaign._meta.verbose_name),
                      detail=f"{campaign.code} · {campaign.get_status_display()}")
            for campaign in scoped(Campaign.objects.filter(condition), user).order_by("-starts_on", "-pk")[:limit]]


def campaigns_of_customer(user: User, customer: Customer) -> QuerySet[Campaign]:
    """The campaigns in the user's scope that touched ``customer`` (or its leads before it was one)."""
    touched = CampaignTouch.objects.filter(customer=customer).values("campaign_id")
    return campaigns_visible_to(user).filter(pk__in=touched)


def campaign_touches(user: User, campaign: Campaign) -> QuerySet[CampaignTouch]:
    """The touches of ``campaign`` whose lead or customer the user may see, newest first."""
    leads = scoped(Lead.all_objects.all(), user).values("pk")
    customers = scoped(Customer.objects.all(), user).values("pk")
    return (CampaignTouch.objects.filter(campaign=campaign)
            .filter(Q(lead__in=leads) | Q(customer__in=customers))
            .select_related("lead", "customer", "opportunity").order_by("-touched_at", "-pk"))


def customer_touches(user: User, customer: Customer) -> QuerySet[CampaignTouch]:
    """The touches of ``customer`` by campaigns the user may see (the customer's timeline)."""
    return (CampaignTouch.objects.filter(customer=customer, campaign__in=campaigns_visible_to(user).values("pk"))
            .select_related("campaign").order_by("-touched_at", "-pk"))


def campaign_expense_links(user: User, campaign: Campaign) -> QuerySet[CampaignExpense]:
    """The linked expenses the user may see (the cost figure counts them all)."""
    return (CampaignExpense.objects.filter(campaign=campaign, expense__in=scoped(Expense.objects.all(), user)
                                           .values("pk"))
            .select_related("expense", "expense__category", "expense__owner").order_by("-expense__spent_on"))


def expenses_to_link(user: User, campaign: Campaign) -> QuerySet[Expense]:
    """Expenses in the user's scope not yet a cost of any campaign, latest first."""
    return (scoped(Expense.objects.exclude(status=ExpenseStatus.CANCELLED), user)
            .exclude(pk__in=CampaignExpense.objects.values("expense_id"))
            .select_related("category", "owner").order_by("-spent_on", "-pk"))


def costs_by_campaign(campaign_ids: Any, period: Period | None = None) -> dict[int, Decimal]:
    """``{campaign id: approved linked expenses}`` (spent in ``period`` when given), one query."""
    links = CampaignExpense.objects.filter(campaign_id__in=campaign_ids, expense__status=ExpenseStatus.APPROVED)
    if period is not None:
        links = links.filter(expense__spent_on__gte=period.start, expense__spent_on__lt=period.end)
    return {row["campaign_id"]: fen(row["cost"] or ZERO)
            for row in links.order_by().values("campaign_id").annotate(cost=Sum("expense__amount"))}


# --- return -------------------------------------------------------------------------------------
@dataclass
class CampaignReturn:
    """What a campaign brought (under one model) against what it cost."""

    campaign: Campaign
    outcomes: Outcomes = field(default_factory=Outcomes)
    cost: Decimal = ZERO

    @property
    def budget(self) -> Decimal:
        return self.campaign.budget

    @property
    def net(self) -> Decimal:
        """Receipts attributed − cost."""
        return self.outcomes.received - self.cost

    @property
    def roi(self) -> Decimal | None:
        """(receipts − cost) / cost in %, one decimal; none without a cost."""
        if not self.cost:
            return None
        return (self.net * HUNDRED / self.cost).quantize(Decimal("0.1"))


def all_time() -> Period:
    return Period(ALL_TIME_START, timezone.localdate() + datetime.timedelta(days=1))


def campaign_returns(user: User, period: Period, model: str = TouchModel.LAST,
                     campaigns: QuerySet[Campaign] | None = None) -> list[CampaignReturn]:
    """The return of each campaign the user may see whose attribution window reaches into
    ``period``: outcomes dated in the period credited under ``model``, expenses spent in it.
    Six queries whatever the number of campaigns (campaigns, four outcomes, costs)."""
    reach = period.start - datetime.timedelta(days=window_days())
    chosen = campaigns if campaigns is not None else campaigns_visible_to(user)
    found = list(chosen.filter(starts_on__lt=period.end, ends_on__gte=reach).order_by("-starts_on", "-pk"))
    ids = [campaign.pk for campaign in found]
    outcomes = outcomes_by_campaign(user, period, model, campaign_ids=ids) if ids else {}
    costs = costs_by_campaign(ids, period) if ids else {}
    return [CampaignReturn(campaign, outcomes.get(campaign.pk, Outcomes()), costs.get(campaign.pk, ZERO))
            for campaign in found]


def campaign_return(user: User, campaign: Campaign, model: str = TouchModel.LAST,
                    period: Period | None = None) -> CampaignReturn:
    """The return of one campaign (all time by default)."""
    period = period or all_time()
    outcomes = outcomes_by_campaign(user, period, model, campaign_ids=[campaign.pk]).get(campaign.pk, Outcomes())
    return CampaignReturn(campaign, outcomes, costs_by_campaign([campaign.pk], period).get(campaign.pk, ZERO))


OUTCOME_NAMES = [name for name, *_rest in OUTCOMES]


def credited_records(user: User, campaign: Campaign, outcome: str, model: str = TouchModel.LAST,
                     period: Period | None = None) -> QuerySet[Any]:
    """The leads, opportunities, orders or receipts behind a figure: those credited to
    ``campaign`` under ``model`` in ``period``, in the user's scope."""
    _name, rows, *_rest = next(o for o in OUTCOMES if o[0] == outcome)
    queryset = credited(rows(user, period or all_time()), outcome, model).filter(credited_to=campaign.pk)
    related = {"leads": ("owner",), "opportunities": ("customer", "owner", "stage"),
               "orders": ("customer", "owner"), "receipts": ("customer", "owner")}[outcome]
    return queryset.select_related(*related).order_by("-pk")


LINKABLE = {"lead": (leads_visible_to, "company"), "customer": (customers_visible_to, "name"),
            "opportunity": (opportunities_visible_to, "name")}


def linkable_record(user: User, kind: str, name: str) -> Any:
    """The one lead (by company), customer or opportunity (by name) in the user's scope named
    exactly ``name``; a ValidationFailed when none or several are."""
    if kind not in LINKABLE:
        raise ValidationFailed(_("Choose a lead, a customer or an opportunity."), field="kind")
    visible, field_name = LINKABLE[kind]
    found = list(visible(user).filter(**{f"{field_name}__iexact": (name or "").strip()[:200]}).order_by("-pk")[:2])
    if len(found) != 1:
        raise ValidationFailed(_("No single record of that name: give its exact name.") if found else
                               _("Nothing of that name that you can see."), field="name")
    return found[0]
