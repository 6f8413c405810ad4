"""Pages of lifetime value and churn (ANA-4) and basket rules (ANA-5): they read stored
results; a recompute is a job in the worker whose progress the page polls."""

from django import forms
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.charts import bar_chart
from guanxi.core.permissions import require

from . import basket, clv
from .clv_models import JobKind
from .clv_tasks import run_analysis_job
from .customer_page import suggestion_facts
from .views import _export

PAGES = {JobKind.CLV: "analytics:clv", JobKind.BASKET: "analytics:basket"}
TOP = 50


class ClvFilterForm(forms.Form):
    min_churn = forms.IntegerField(label=gettext_lazy("Churn probability from %"), min_value=0, max_value=100,
                                   required=False)
    tier = forms.ChoiceField(label=gettext_lazy("Value tier"), required=False,
                             choices=[("", "—")] + [(t, t) for t in ("A", "B", "C", "D")])
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=[
        ("risk", gettext_lazy("Value at risk")), ("clv", gettext_lazy("Lifetime value")),
        ("churn", gettext_lazy("Churn probability"))])


def _jobs(kind):
    return {"job": clv.latest_job(kind), "active": clv.active_job(kind), "kind": kind}


@require("analytics.view")
def clv_page(request):
    """ANA-4: the user's customers most valuable and most at risk, the churn spread, the back-test."""
    form = ClvFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    min_churn = data.get("min_churn")
    rows = clv.at_risk(request.user, min_churn=(50 if min_churn is None else min_churn) / 100,
                       tier=data.get("tier") or "", sort=data.get("sort") or "risk")
    headers = [_("Customer"), _("Owner"), _("Churn probability"), _("Expected purchases in 90 days"),
               _("Lifetime value (12 months)"), _("Value at risk"), _("Last purchase")]
    exported = _export(request, headers, [[r.customer.name, str(r.customer.owner or ""), round(r.churn, 3),
                                           round(r.expected_90, 3), r.clv, r.value_at_risk, r.last_order]
                                          for r in rows[:5000]], "clv")
    if exported is not None:
        return exported
    histogram = clv.churn_histogram(request.user)
    chart = bar_chart([f"{10 * i}–{10 * i + 10} %" for i in range(10)], [(_("Customers"), histogram)],
                      title=_("Customers by churn probability")) if any(histogram) else ""
    context = _jobs(JobKind.CLV)
    return render(request, "analytics/clv.html", {
        **context, "form": form, "rows": rows[:TOP], "totals": clv.totals(request.user), "chart": chart,
        "backtest": (context["job"].result.get("backtest") if context["job"] else None) or {},
        "can_run": request.user.has_module_perm("customers.manage"),
        "can_export": request.user.has_module_perm("analytics.export"),
    })


@require("analytics.view")
def basket_page(request):
    """ANA-5: the strongest rules, optionally those with one product."""
    q = request.GET.get("q", "").strip()[:60]
    shown = basket.rules_about(q)
    return render(request, "analytics/basket.html", {
        **_jobs(JobKind.BASKET), "rules": shown, "q": q, "can_run": request.user.has_module_perm("customers.manage")})


@require("customers.manage")
@require_POST
def analysis_start(request, kind):
    """Queue a recompute; the worker runs it (pages never wait)."""
    if kind not in PAGES:
        raise Http404
    job, created = clv.analysis_request(actor=request.user, kind=kind)
    if created:
        transaction.on_commit(lambda: run_analysis_job.delay(job.pk))
    if request.htmx:
        return render(request, "analytics/_analysis_job.html", {**_jobs(kind), "can_run": True})
    return redirect(PAGES[kind])


@require("analytics.view")
def analysis_progress(request, kind):
    if kind not in PAGES:
        raise Http404
    return render(request, "analytics/_analysis_job.html", {
        **_jobs(kind), "can_run": request.user.has_module_perm("customers.manage")})


@require("analytics.view")
def basket_suggest(request):
    """ANA-5: "often bought together" for the products on a quote or order form (HTMX)."""
    skus = [(request.GET.get(f"product_{i}") or "").strip().split(" ", 1)[0] for i in range(1, 101)]
    suggestions = basket.rules_within(basket.products_by_sku(skus))
    return render(request, "analytics/_basket_suggest.html", {
        "suggestions": [(s, suggestion_facts("cross", s)) for s in suggestions]})
