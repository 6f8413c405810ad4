"""Finance reports: ageing (FIN-4), analysis (FIN-5)."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.charts import bar_chart, column_chart
from guanxi.core.exports import export_response
from guanxi.core.forms import branch_rules_posted
from guanxi.core.periods import PeriodForm
from guanxi.core.permissions import require
from guanxi.org.models import Branch

from .ageing import BUCKETS, AgeingReport, due_soon, receivable_shares
from .models import FinanceSettings, ReceivableSource
from .services import finance_settings_save
from .statistics import expenses_by, money_by, receivable_position
from .statistics import profit as profit_tables

BUCKET_LABELS = {"current": gettext_lazy("Not yet due"), "d30": gettext_lazy("1–30 days"),
                 "d60": gettext_lazy("31–60 days"), "d90": gettext_lazy("61–90 days"),
                 "d180": gettext_lazy("91–180 days"), "older": gettext_lazy("Over 180 days")}
GROUP_LABELS = {"customer": gettext_lazy("customer"), "owner": gettext_lazy("salesperson"),
                "branch": gettext_lazy("branch")}


def _as_of(request):
    try:
        day = datetime.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()
    return min(day, timezone.localdate())


@require("finance.view")
def ageing(request):
    group = request.GET.get("group") if request.GET.get("group") in GROUP_LABELS else "customer"
    as_of = _as_of(request)
    rows, totals = AgeingReport(request.user, as_of=as_of, group=group).run()
    keys = [key for key, _a, _b in BUCKETS]
    if request.GET.get("export") in ("csv", "xlsx") and request.user.has_module_perm("finance.export"):
        headers = [str(GROUP_LABELS[group])] + [str(BUCKET_LABELS[k]) for k in keys] + [_("Total"), _("Overdue"),
                                                                                         _("Oldest (days)")]
        table = [[r.label] + [r.buckets[k] for k in keys] + [r.total, r.overdue, r.oldest_days] for r in rows]
        return export_response(request.GET["export"], headers, table, f"ageing-{as_of.isoformat()}")
    top = rows[:15]
    chart = bar_chart([r.label for r in top], [(str(BUCKET_LABELS[k]), [r.buckets[k] for r in top])
                                               for k in keys[1:]], title=_("Overdue by age"), money=True, stacked=True)
    return render(request, "finance/ageing.html", {
        "rows": rows, "totals": totals, "keys": keys, "labels": [BUCKET_LABELS[k] for k in keys], "chart": chart,
        "group": group, "groups": GROUP_LABELS, "as_of": as_of,
        "can_export": request.user.has_module_perm("finance.export"),
    })


@require("finance.view")
def analysis(request):
    shares, whole = receivable_shares(request.user)
    rows, totals = AgeingReport(request.user).run()
    over_limit = [r for r in rows if r.over_limit]
    longest = sorted((r for r in rows if r.overdue > 0), key=lambda r: -r.oldest_days)[:15]
    today = timezone.localdate()
    chart = bar_chart([row.label for row, _share in shares[:12]], [(_("Outstanding"), [row.total for row, _s in
                                                                                      shares[:12]])],
                      title=_("Customers by outstanding receivables"), money=True)
    return render(request, "finance/analysis.html", {
        "shares": shares, "whole": whole, "totals": totals, "over_limit": over_limit, "longest": longest,
        "chart": chart, "due_today": list(due_soon(request.user, today=today, days=0)[:100]),
        "due_week": list(due_soon(request.user, today=today, days=7)[:100]),
    })


MONEY_GROUPS = {"method": gettext_lazy("method"), "owner": gettext_lazy("person"), "branch": gettext_lazy("branch"),
                "month": gettext_lazy("month"), "year": gettext_lazy("year")}
EXPENSE_GROUPS = {"category": gettext_lazy("category"), "item": gettext_lazy("item"), "month": gettext_lazy("month"),
                  "owner": gettext_lazy("person"), "department": gettext_lazy("department"),
                  "branch": gettext_lazy("branch")}


@require("finance.report")
def statistics(request):
    """FIN-6, FIN-7: money in and out, and expenses, for a period, grouped, with charts."""

    form = PeriodForm(request.GET or None)
    period = form.selected()
    what = request.GET.get("what") if request.GET.get("what") in ("in", "out", "expenses") else "in"
    groups = EXPENSE_GROUPS if what == "expenses" else MONEY_GROUPS
    group = request.GET.get("group") if request.GET.get("group") in groups else next(iter(groups))
    if what == "expenses":
        rows = expenses_by(request.user, start=period.start, end=period.end, group=group)
    else:
        rows = money_by(request.user, side=what, start=period.start, end=period.end, group=group)
    titles = {"in": _("Money received"), "out": _("Money paid"), "expenses": _("Expenses")}
    if request.GET.get("export") in ("csv", "xlsx") and request.user.has_module_perm("finance.export"):
        return export_response(request.GET["export"], [str(groups[group]), str(titles[what])], rows,
                               f"{what}-{period.start.isoformat()}")
    if group in ("month", "year"):
        chart = column_chart([label for label, _v in rows], [(titles[what], [v for _l, v in rows])],
                             title=titles[what])
    else:
        chart = bar_chart([label for label, _v in rows[:20]], [(titles[what], [v for _l, v in rows[:20]])],
                          title=titles[what], money=True)
    return render(request, "finance/statistics.html", {
        "form": form, "period": period, "what": what, "group": group, "groups": groups, "rows": rows,
        "total": sum((v for _l, v in rows), 0), "chart": chart, "title": titles[what],
        "can_export": request.user.has_module_perm("finance.export"),
    })


@require("finance.report")
def profit(request):
    """FIN-8, FIN-9: monthly revenue (cash received), purchases, expenses and operating
    profit for the headquarters and each branch; the receivable position."""

    form = PeriodForm(request.GET or None)
    form.default_preset = "this_year"
    period = form.selected()
    tables, whole = profit_tables(request.user, start=period.start, end=period.end)
    if request.GET.get("export") in ("csv", "xlsx") and request.user.has_module_perm("finance.export"):
        headers = [_("Branch"), _("Month"), _("Revenue (received)"), _("Purchases paid"), _("Expenses"),
                   _("Operating profit")]
        table = [[t.branch.name, m.month.strftime("%Y-%m"), m.revenue, m.purchases, m.expenses, m.profit]
                 for t in tables for m in t.months]
        return export_response(request.GET["export"], headers, table, f"profit-{period.start.isoformat()}")
    chart = column_chart([m.month.strftime("%y-%m") for m in whole.months], [
        (_("Revenue (received)"), [m.revenue for m in whole.months]),
        (_("Purchases paid"), [m.purchases for m in whole.months]),
        (_("Expenses"), [m.expenses for m in whole.months])],
        lines=[(_("Operating profit"), [m.profit for m in whole.months])], title=_("Operating profit"))
    return render(request, "finance/profit.html", {
        "form": form, "period": period, "tables": tables, "whole": whole, "chart": chart,
        "position": receivable_position(request.user, end=period.end),
        "can_export": request.user.has_module_perm("finance.export"),
    })


@require("finance.manage")
def settings_index(request):
    """Per branch: receivables from orders or shipments, and the payment terms."""

    branches = [None, *Branch.objects.order_by("-is_headquarters", "name")]
    if request.method == "POST":
        saved = branch_rules_posted(
            request, branches, lambda branch, posted: finance_settings_save(
                actor=request.user, branch=branch, receivable_source=posted("source"), payment_days=posted("days")),
            own=lambda posted: posted("days").strip(), done="finance:settings")
        if saved is not None:
            return saved
    rows, default = FinanceSettings.rows_for(branches)
    return render(request, "finance/settings.html", {
        "rows": rows, "sources": ReceivableSource.choices, "default": default,
    })
