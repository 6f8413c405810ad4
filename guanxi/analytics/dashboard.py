"""The home dashboard (ANA-10, ANA-11): widgets, the default layout of each role, the
user's stored layout and the figures each widget shows.

Every measure of ``measures.py`` is a widget (``m:<code>``: this month against last
month and the same month last year, split by branch for the decision tier, by
department for a branch head, by person for a department head) and, when it is a flow,
a 12-month trend (``trend:<code>``). The other widgets are the queues of a role: today's
plan, overdue follow-ups, targets, large deals, overdue receivables, the service queue.
A widget is computed for one user at a time through the scope helper, rendered by its
own URL and cached per user for ``CACHE_SECONDS``.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core.amounts import money_text
from guanxi.core.charts import column_chart
from guanxi.core.periods import Period, add_months, month_start
from guanxi.core.permissions import may_open
from guanxi.core.services import service
from guanxi.customers.reminders import reminder_lists
from guanxi.customers.selectors import customers_visible_to
from guanxi.finance.models import Receivable
from guanxi.finance.selectors import receivables_visible_to
from guanxi.org.models import Branch, DataScope, Department, DepartmentKind, Tier, User
from guanxi.org.scopes import scoped, widest_scope
from guanxi.sales.models import Opportunity, StageKind
from guanxi.sales.targets import progress_for, targets_visible_to
from guanxi.service.models import OPEN_STATUSES
from guanxi.service.selectors import tickets_visible_to
from guanxi.workplace.models import Schedule
from guanxi.workplace.selectors import day_plan

from . import measures
from .dashboard_models import DashboardLayout
from .measures import StrOrPromise

CACHE_SECONDS = 300
ROW_LIMIT = 8


@dataclass(frozen=True)
class Widget:
    """``build(user, today)`` → the template context of the widget's body."""

    code: str
    label: StrOrPromise
    permission: str | None
    build: Callable
    template: str = "analytics/widgets/rows.html"
    wide: bool = False

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_module_perm(self.permission)


_widgets: dict[str, Widget] = {}


def register_widget(widget: Widget) -> Widget:
    _widgets[widget.code] = widget
    return widget


def catalog() -> dict[str, Widget]:
    """Every widget: the registered ones and one (two for a flow) per measure."""
    found = dict(_widgets)
    for measure in measures.all_measures():
        found[f"m:{measure.code}"] = Widget(f"m:{measure.code}", measure.label, measure.permission,
                                            _measure_builder(measure), "analytics/widgets/measure.html")
        if not measure.balance:
            found[f"trend:{measure.code}"] = Widget(
                f"trend:{measure.code}", _("%(measure)s, the last 12 months") % {"measure": measure.label},
                measure.permission, _trend_builder(measure), "analytics/widgets/trend.html", wide=True)
    return found


def available(user) -> list[Widget]:
    return [widget for widget in catalog().values() if widget.visible_to(user)]


def get_widget(code) -> Widget | None:
    return catalog().get(code)


# --- layouts ---------------------------------------------------------------------------------
ROLE_LAYOUTS = {
    "executive": ["m:sales", "m:received", "m:receivables", "m:overdue", "m:pipeline", "m:forecast",
                  "m:new_customers", "m:lost_customers", "m:tickets_open", "m:satisfaction_rate", "trend:sales",
                  "trend:received"],
    "sales_manager": ["team_pipeline", "targets", "team_follow_ups", "large_deals", "m:sales", "m:pipeline",
                      "trend:sales"],
    "salesperson": ["today", "follow_ups", "reminders", "m:pipeline", "targets", "m:sales"],
    "finance": ["m:received", "m:receivables", "m:overdue", "overdue_receivables", "trend:received"],
    "service": ["service_queue", "m:tickets_open", "m:tickets_opened", "m:sla_breached", "m:satisfaction_rate",
                "today"],
    "other": ["today", "follow_ups"],
}
ROLE_LAYOUTS["branch"] = ROLE_LAYOUTS["executive"]
ROLE_LABELS = {"executive": _("Decision maker"), "branch": _("Branch head"), "sales_manager": _("Sales manager"),
               "salesperson": _("Salesperson"), "finance": _("Finance"), "service": _("Service"),
               "other": _("Employee")}


def role_of(user) -> str:
    """The default layout a user starts with, from their tier, roles and department."""
    codes = {role.code for role in user.role_list}
    kind = user.department.kind if user.department_id else None
    if user.tier == Tier.DECISION or "general_manager" in codes:
        return "executive"
    if "branch_manager" in codes:
        return "branch"
    if "finance_supervisor" in codes or kind == DepartmentKind.FINANCE:
        return "finance"
    if "service_agent" in codes or kind == DepartmentKind.SERVICE:
        return "service"
    if "department_manager" in codes:
        return "sales_manager"
    if codes & {"salesperson", "sales_assistant"}:
        return "salesperson"
    return "other"


def default_layout(user) -> list[str]:
    visible = {widget.code for widget in available(user)}
    return [code for code in ROLE_LAYOUTS[role_of(user)] if code in visible]


def layout_of(user) -> list[str]:
    """The user's widgets in order: their stored layout, else their role's default."""
    stored = DashboardLayout.objects.filter(user=user).values_list("widgets", flat=True).first()
    if stored is None:
        return default_layout(user)
    visible = {widget.code for widget in available(user)}
    return [code for code in stored if code in visible]


@service
def dashboard_layout_change(*, actor, action, code=""):
    """Add, remove, move up or down a widget of the actor's layout, or reset it to the role's default."""
    widgets = layout_of(actor)
    if action == "reset":
        DashboardLayout.objects.filter(user=actor).delete()
        return default_layout(actor)
    if action == "add" and code not in widgets and code in {w.code for w in available(actor)}:
        widgets.append(code)
    elif action == "remove" and code in widgets:
        widgets.remove(code)
    elif action in ("up", "down") and code in widgets:
        index = widgets.index(code)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(widgets):
            widgets[index], widgets[other] = widgets[other], widgets[index]
    DashboardLayout.objects.update_or_create(user=actor, defaults={"widgets": widgets})
    return widgets


# --- measure widgets -------------------------------------------------------------------------
def split_of(user) -> str | None:
    """How the user's figures are split: per branch (all), department (a branch), person."""
    scope = widest_scope(user)
    if scope == DataScope.ALL:
        return "branch"
    if scope == DataScope.BRANCH:
        return "department"
    if scope in (DataScope.DEPARTMENT, DataScope.DEPARTMENT_TREE, DataScope.SUBORDINATES):
        return "owner"
    return None


def month_period(day) -> Period:
    first = month_start(day)
    return Period(first, add_months(first, 1))


def change(value, base):
    """The change from ``base`` in % (None without a base)."""
    if value is None or not base:
        return None
    return round((Decimal(value) - Decimal(base)) / abs(Decimal(base)) * 100, 1)


def names_of(by, keys):
    """{key: name} of the groups of a split, one query."""
    keys = [key for key in keys if key is not None]
    if by == "branch":
        return dict(Branch.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "department":
        return dict(Department.objects.filter(pk__in=keys).values_list("pk", "name"))
    return dict(User.objects.filter(pk__in=keys).values_list("pk", "display_name"))


@dataclass
class Comparison:
    value: object
    previous: object
    last_year: object

    @property
    def vs_previous(self):
        return change(self.value, self.previous)

    @property
    def vs_last_year(self):
        return change(self.value, self.last_year)


def _largest_first(row):
    """Sort key: the largest figure first, keys without a figure (a rate over nothing) last."""
    return (row["value"] is None, -(row["value"] or 0))


def measure_figures(user, measure, today=None, by=None):
    """This month's figure with last month's and the same month last year's, and the split."""
    period = month_period(today or timezone.localdate())
    figures = Comparison(measure.total(user, period), measure.total(user, measures.previous_period(period)),
                         measure.total(user, measures.year_before(period)))
    rows = []
    if by is not None and by in measure.groups:
        split = measure.value(user, period, by)
        names = names_of(by, split)
        rows = sorted(({"key": key, "name": names.get(key, "—"), "value": value,
                        "url": measure.drill_url(period, by, key)} for key, value in split.items() if key is not None),
                      key=_largest_first)
    return period, figures, rows


def _measure_builder(measure):
    def build(user, today):
        period, figures, rows = measure_figures(user, measure, today, split_of(user))
        url = measure.drill_url(period)
        if not may_open(user, url):  # links only to the lists the user may open
            url = None
            for row in rows:
                row["url"] = None
        return {"measure": measure, "period": period, "figures": figures, "rows": rows, "url": url,
                "by": split_of(user)}

    return build


def trend(user, measure, today=None, months=12):
    """[(month, value)] of the last ``months`` months, the current one last."""
    this_month = month_start(today or timezone.localdate())
    starts = [add_months(this_month, -back) for back in range(months - 1, -1, -1)]
    values = measure.totals(user, [Period(start, add_months(start, 1)) for start in starts])
    return list(zip(starts, values, strict=True))


def _trend_builder(measure):
    def build(user, today):
        points = trend(user, measure, today)
        chart = column_chart([month.strftime("%Y-%m") for month, _v in points],
                             [(str(measure.label), [value for _m, value in points])],
                             title=str(measure.label), money=measure.unit == measures.MONEY_UNIT)
        return {"measure": measure, "chart": chart, "points": points,
                "empty": not any(value for _m, value in points)}

    return build


def widget_data(user, widget, today=None) -> dict:
    """The widget's figures as plain data (the API's ``/analytics/dashboard``)."""
    context = widget.build(user, today or timezone.localdate())
    if "figures" in context and isinstance(context["figures"], Comparison):
        figures = context["figures"]
        return {"period": [context["period"].start, context["period"].last_day], "value": figures.value,
                "previous": figures.previous, "last_year": figures.last_year, "url": context["url"],
                "rows": [{"key": row["key"], "label": row["name"], "value": row["value"], "url": row["url"]}
                         for row in context["rows"]]}
    if "points" in context:
        return {"points": [{"month": month.strftime("%Y-%m"), "value": value} for month, value in context["points"]]}
    return {"url": context["url"], "total": context["total"],
            "figures": [{"label": label, "value": value, "url": url} for label, value, url in context["figures"]],
            "rows": [{"label": row["label"], "detail": row.get("detail"), "value": row.get("value"),
                      "url": row.get("url")} for row in context["rows"]]}


# --- queue widgets ---------------------------------------------------------------------------
def _rows(rows, total, url, empty, figures=()):
    return {"rows": rows, "total": total, "url": url, "empty": empty, "figures": figures}


def _today(user, today):
    items = [item for item in day_plan(user, user, today) if item.status in ("planned", "in_progress", "done")]
    start, end = Period(today, today + datetime.timedelta(days=1)).aware_range()
    appointments = scoped(Schedule.objects.filter(owner=user, starts_at__gte=start, starts_at__lt=end), user)
    rows = [{"label": timezone.localtime(a.starts_at).strftime("%H:%M") + " " + a.title, "detail": a.location,
             "url": reverse("workplace:calendar")} for a in appointments.order_by("starts_at")[:ROW_LIMIT]]
    rows += [{"label": item.title, "detail": item.get_status_display(), "done": item.status == "done",
              "url": reverse("workplace:plan_detail", args=[item.pk])} for item in items[:ROW_LIMIT]]
    return _rows(rows, len(rows), reverse("workplace:my_day"), _("Nothing planned for today."))


def _follow_ups(user, today):
    overdue = reminder_lists(user, mine=True, today=today)["overdue"][1]
    found = list(overdue[:ROW_LIMIT])
    rows = [{"label": customer.name, "detail": customer.next_follow_up_on, "url": customer.get_absolute_url(),
             "flag": True} for customer in found]
    total = len(found) if len(found) < ROW_LIMIT else overdue.count()
    return _rows(rows, total, reverse("customers:reminders"), _("No overdue follow-ups."))


def _team_follow_ups(user, today):
    per_person = (customers_visible_to(user).filter(next_follow_up_on__lt=today, owner__isnull=False)
                  .order_by().values("owner_id", "owner__display_name").annotate(n=Count("pk")).order_by("-n"))
    rows = [{"label": row["owner__display_name"], "value": row["n"], "flag": True,
             "url": reverse("customers:reminders") + "?scope=all"} for row in per_person[:ROW_LIMIT]]
    return _rows(rows, sum(row["value"] for row in rows), reverse("customers:reminders") + "?scope=all",
                 _("No overdue follow-ups in your team."))


def _reminders(user, today):
    lists = reminder_lists(user, mine=True, today=today)
    rows = [{"label": title, "value": queryset.count(), "url": reverse("customers:reminders") + f"#{key}"}
            for key, (title, queryset) in lists.items() if key != "overdue"]
    return _rows(rows, None, reverse("customers:reminders"), _("No reminders."))


def _targets(user, today):
    targets = list(targets_visible_to(user).filter(year=today.year, month=today.month)[:ROW_LIMIT])
    rows = [{"label": str(p.target.user or p.target.department or p.target.branch), "money": True,
             "value": p.ordered, "percent": p.amount_percent,
             "detail": _("target %(amount)s") % {"amount": money_text(p.target.amount, "¥")}}
            for p in progress_for(user, targets, today.year)] if targets else []
    return _rows(rows, None, reverse("sales:target_list"), _("No targets set for this month."))


def _open_pipeline(user):
    return scoped(Opportunity.objects.filter(stage__kind=StageKind.OPEN), user)


def _team_pipeline(user, today):
    per_person = (_open_pipeline(user).order_by().values("owner_id", "owner__display_name")
                  .annotate(n=Count("pk"), amount=Sum("amount")).order_by("-amount"))
    rows = [{"label": row["owner__display_name"], "detail": row["n"], "value": row["amount"], "money": True,
             "url": reverse("sales:opportunity_list") + f"?open=1&owner={row['owner_id']}"}
            for row in per_person[:ROW_LIMIT]]
    return _rows(rows, None, reverse("sales:opportunity_list") + "?open=1", _("No open opportunities."))


def _large_deals(user, today):
    deals = _open_pipeline(user).select_related("customer", "stage").order_by("-amount", "pk")[:ROW_LIMIT]
    rows = [{"label": deal.name, "detail": f"{deal.customer.name} · {deal.stage.name}", "value": deal.amount,
             "money": True, "url": deal.get_absolute_url()} for deal in deals]
    return _rows(rows, None, reverse("sales:opportunity_list") + "?open=1&sort=-amount", _("No open opportunities."))


def _overdue_receivables(user, today):
    overdue = receivables_visible_to(user).filter(Receivable.overdue_q(today))
    found = list(overdue.select_related("customer").order_by("due_on", "pk")[:ROW_LIMIT])
    rows = [{"label": r.customer.name, "detail": f"{r.number} · {r.due_on}", "value": r.outstanding, "money": True,
             "flag": True, "url": r.get_absolute_url()} for r in found]
    return _rows(rows, None, reverse("finance:receivable_list") + "?overdue=1", _("No overdue receivables."))


def _service_queue(user, today):
    open_tickets = tickets_visible_to(user).filter(status__in=OPEN_STATUSES)
    counts = open_tickets.order_by().aggregate(
        total=Count("pk"), late=Count("pk", filter=Q(resolve_by__lt=timezone.now())),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)), mine=Count("pk", filter=Q(assignee=user)))
    found = open_tickets.order_by(F("resolve_by").asc(nulls_last=True), "pk")[:ROW_LIMIT]
    rows = [{"label": f"{t.number} {t.subject}", "detail": t.get_status_display(), "flag": t.overdue,
             "url": t.get_absolute_url()} for t in found]
    base = reverse("service:ticket_list")
    figures = [(_("Open"), counts["total"], base + "?open=1"), (_("Past the target"), counts["late"], base + "?overdue=1"),
               (_("Assigned to me"), counts["mine"], base + "?open=1&mine=1"), (_("Unassigned"), counts["unassigned"], "")]
    return _rows(rows, counts["total"], base + "?open=1", _("No open tickets."), figures)


for _code, _label, _permission, _build in [
    ("today", _("Today's plan"), "workplace.view", _today),
    ("follow_ups", _("Overdue follow-ups"), "customers.view", _follow_ups),
    ("team_follow_ups", _("Overdue follow-ups per person"), "customers.view", _team_follow_ups),
    ("reminders", _("Reminders"), "customers.view", _reminders),
    ("targets", _("Targets this month"), "sales.view", _targets),
    ("team_pipeline", _("Team pipeline"), "sales.view", _team_pipeline),
    ("large_deals", _("Large open deals"), "sales.view", _large_deals),
    ("overdue_receivables", _("Overdue receivables to chase"), "finance.view", _overdue_receivables),
    ("service_queue", _("Service queue"), "service.view", _service_queue),
]:
    register_widget(Widget(_code, _label, _permission, _build))
