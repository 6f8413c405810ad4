"""Finance reports: ageing (FIN-4), analysis (FIN-5)."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.charts import bar_chart
from guanxi.core.exports import export_response
from guanxi.core.permissions import require

from .ageing import BUCKETS, AgeingReport, due_soon, receivable_shares

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
                                               for k in keys[1:]], title=_("Overdue by age"))
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
                      title=_("Customers by outstanding receivables"))
    return render(request, "finance/analysis.html", {
        "shares": shares, "whole": whole, "totals": totals, "over_limit": over_limit, "longest": longest,
        "chart": chart, "due_today": list(due_soon(request.user, today=today, days=0)[:100]),
        "due_week": list(due_soon(request.user, today=today, days=7)[:100]),
    })
