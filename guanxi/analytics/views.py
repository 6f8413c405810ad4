"""Report pages: a form, one runner, a chart and a table; XLSX/CSV export of the table."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.charts import bar_chart, chart_amount, column_chart, funnel_chart
from guanxi.core.exports import export_response
from guanxi.core.forms import form_page
from guanxi.core.history import history_for
from guanxi.core.permissions import require
from guanxi.sales.services import default_pipeline

from . import alerts, measures
from .competition import CompetitionReport
from .forecast import ForecastReport
from .forms import (
    GROUPS,
    AlertRuleForm,
    CompetitionForm,
    ForecastForm,
    FunnelForm,
    LifecycleSettingsForm,
    PerformanceForm,
)
from .funnel import FunnelReport
from .lifecycle import LifecycleReport, lifecycle_settings_update
from .lifecycle_models import LifecycleSettings
from .performance import PerformanceReport
from .staffday import StaffDayReport
from .value import distribution


def _export(request, headers, rows, name):
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and request.user.has_module_perm("analytics.export"):
        return export_response(fmt, headers, rows, name)
    return None


@require("analytics.view")
def funnel(request):
    form = FunnelForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if valid else {}
    pipeline = data.get("pipeline") or default_pipeline()
    group = data.get("group") or "person"
    period = form.selected()
    result = FunnelReport(request.user, pipeline=pipeline, period=period, group=group,
                          owner=request.user if data.get("mine") else None).run()
    headers = [_("Name"), _("Opportunities"), _("Open"), _("Open amount"), _("Weighted"), _("Won"),
               _("Won amount"), _("Lost"), _("Win rate %"), _("Average cycle (days)")]
    rows = [[g.label, g.total, g.open_count, g.open_amount, g.weighted_amount, g.won_count, g.won_amount,
             g.lost_count, g.win_rate, g.cycle_days] for g in result.groups]
    exported = _export(request, headers, rows, "funnel")
    if exported is not None:
        return exported
    chart = funnel_chart([row.stage.name for row in result.stages], [row.reached for row in result.stages],
                         [_("%(n)s now · %(amount)s") % {"n": row.count, "amount": chart_amount(row.amount)}
                          for row in result.stages], title=_("Sales funnel"))
    top = result.groups[:15]
    group_chart = bar_chart([g.label for g in top], [
        (_("Won amount"), [g.won_amount for g in top]), (_("Open amount"), [g.open_amount for g in top])],
        title=_("Won and open amount"), money=True)
    return render(request, "analytics/funnel.html", {
        "form": form, "result": result, "chart": chart, "group_chart": group_chart, "period": period,
        "group_label": dict(GROUPS)[group],
        "pipeline": pipeline, "can_export": request.user.has_module_perm("analytics.export"),
    })


@require("analytics.view")
def forecast(request):
    form = ForecastForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    result = ForecastReport(request.user, months_ahead=data.get("months") or 6,
                            owner=request.user if data.get("mine") else None).run()
    headers = [_("Month"), _("Open opportunities"), _("Amount"), _("Weighted pipeline"), _("History projection"),
               _("Forecast")]
    rows = [[m.month.strftime("%Y-%m"), m.count, m.amount, m.weighted, m.projection, m.blend] for m in result.months]
    exported = _export(request, headers, rows, "forecast")
    if exported is not None:
        return exported
    labels = [m.strftime("%y-%m") for m, _v in result.history] + [m.month.strftime("%y-%m") for m in result.months]
    past = len(result.history)
    chart = column_chart(labels, [
        (_("Won"), [v for _m, v in result.history] + [0] * len(result.months)),
        (_("Weighted pipeline"), [0] * past + [m.weighted for m in result.months]),
    ], lines=[(_("Forecast"), [None] * past + [m.blend for m in result.months])], title=_("Sales forecast"))
    backtest_chart = column_chart([r.month.strftime("%y-%m") for r in result.backtest], [
        (_("Won"), [r.actual for r in result.backtest])], lines=[
        (_("Weighted pipeline"), [r.weighted for r in result.backtest]),
        (_("History projection"), [r.projection for r in result.backtest]),
        (_("Forecast"), [r.blend for r in result.backtest])], title=_("Back-test"))
    return render(request, "analytics/forecast.html", {
        "form": form, "result": result, "chart": chart, "backtest_chart": backtest_chart,
        "weight_percent": int(result.weight * 100), "can_export": request.user.has_module_perm("analytics.export"),
    })


@require("analytics.view")
def performance(request):
    form = PerformanceForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = form.selected()
    sort = data.get("sort") or "order_amount"
    rows = PerformanceReport(request.user, period=period, group=data.get("group") or "person", sort=sort).run()
    headers = [_("Rank"), _("Name"), _("New customers"), _("Interactions"), _("Visits"), _("Opportunities won"),
               _("Won amount"), _("Orders"), _("Order amount"), _("Received")]
    table = [[r.rank, r.label, r.new_customers, r.interactions, r.visits, r.won_count, r.won_amount, r.order_count,
              r.order_amount, r.received_amount] for r in rows]
    exported = _export(request, headers, table, "performance")
    if exported is not None:
        return exported
    top = rows[:20]
    chart = bar_chart([r.label for r in top], [(_("Order amount"), [r.order_amount for r in top]),
                                               (_("Received"), [r.received_amount for r in top])],
                      title=_("Order amount and money received"), money=True)
    return render(request, "analytics/performance.html", {
        "form": form, "rows": rows, "chart": chart, "period": period, "sort": sort,
        "can_export": request.user.has_module_perm("analytics.export"),
    })


@require("analytics.view")
def lifecycle(request):
    """ANA-2: customers per lifecycle stage, this month's moves and the last 12 months."""
    result = LifecycleReport(request.user).run()
    chart = bar_chart([m.strftime("%y-%m") for m, _c in result.months],
                      [(row.label, [counts[i] for _m, counts in result.months]) for i, row in enumerate(result.stages)],
                      title=_("Customers per stage at the end of each month"), stacked=True)
    flows = sorted(((n, f"{label} → {result.stages[i].label}") for label, counts, _t in result.matrix
                    for i, n in enumerate(counts) if n), reverse=True)[:12]
    flow_chart = bar_chart([name for _n, name in flows], [(_("Customers"), [n for n, _name in flows])],
                           title=_("Stage moves this month")) if flows else ""
    return render(request, "analytics/lifecycle.html", {
        "result": result, "chart": chart, "flow_chart": flow_chart, "can_configure": request.user.has_module_perm("customers.manage")})


@require("customers.manage")
def lifecycle_settings(request):
    """ANA-2: the thresholds of the lifecycle rules."""
    current = LifecycleSettings.current()
    form = LifecycleSettingsForm(request.POST or None, instance=current)
    return form_page(
        request, form, lambda data: lifecycle_settings_update(actor=request.user, **data),
        title=_("Lifecycle settings"), saved_message=_("Settings saved."),
        success_url="analytics:lifecycle", cancel_url="analytics:lifecycle",
        context={"history": history_for(current) if current.pk else None},
    )


@require("workplace.overview")
def staff_day(request):
    """WRK-5: what everyone in scope did today, per person, department and branch."""
    today = timezone.localdate()
    day = min(parse_date(request.GET.get("date", "") or "") or today, today)
    result = StaffDayReport(request.user, day=day).run()
    return render(request, "analytics/staff_day.html", {
        "day": day, "result": result, "previous": day - datetime.timedelta(days=1),
        "next": day + datetime.timedelta(days=1), "today": today,
    })


@require("workplace.view")
def competition(request):
    """ANA-12: opportunities lost to and won against each competitor in a period."""
    form = CompetitionForm(request.GET or None)
    period = form.selected()
    result = CompetitionReport(request.user, period=period).run()
    top = result.rows[:12]
    chart = bar_chart([r.name for r in top], [(_("Lost to them"), [r.lost_count for r in top]),
                                              (_("Won against them"), [r.won_count for r in top])],
                      title=_("Deals against competitors")) if top else ""
    return render(request, "analytics/competition.html", {"form": form, "period": period, "result": result,
                                                          "chart": chart})


@require("analytics.view")
def customer_value(request):
    """ANA-1: the user's customers per value tier and on the R×F grid, each linked to the list."""
    tiers, grid = distribution(request.user)
    return render(request, "analytics/customer_value.html", {"tiers": tiers, "grid": grid,
                                                              "total": sum(n for _tier, n in tiers)})


# --- quality alerts (ANA-8) ---------------------------------------------------------------
@require("analytics.view")
def alerts_page(request):
    """ANA-8: the alerts fired for the units the user oversees, newest first."""
    rows = alerts.alerts_visible_to(request.user)[:200]
    return render(request, "analytics/alerts.html", {"alerts": rows})


@require("analytics.manage")
def alert_rules(request):
    labels = {measure.code: measure.label for measure in measures.all_measures()}
    rules = list(alerts.rules_visible_to(request.user))
    for rule in rules:
        rule.measure_label = labels.get(rule.measure, rule.measure)
    return render(request, "analytics/alert_rules.html", {"rules": rules})


def _rule_page(request, rule, title):
    form = AlertRuleForm(request.POST or None, instance=rule, user=request.user)
    return form_page(
        request, form, lambda data: alerts.alert_rule_save(actor=request.user, rule=rule, **data),
        title=title, saved_message=_("Alert rule saved."), success_url="analytics:alert_rules",
        cancel_url="analytics:alert_rules")


@require("analytics.manage")
def alert_rule_create(request):
    return _rule_page(request, None, _("New alert rule"))


@require("analytics.manage")
def alert_rule_edit(request, pk):
    return _rule_page(request, _visible_rule(request, pk), _("Edit alert rule"))


@require("analytics.manage")
@require_POST
def alert_rule_delete(request, pk):
    alerts.alert_rule_delete(actor=request.user, rule=_visible_rule(request, pk))
    messages.success(request, _("Alert rule deleted."))
    return redirect("analytics:alert_rules")


def _visible_rule(request, pk):
    rule = alerts.rules_visible_to(request.user).filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule
