"""Pages of campaigns (MKT-2, MKT-5): list, form, detail with status moves, links, costs
and return, the drill-down behind each figure, the comparison across campaigns and the
public lead form of a campaign."""

import logging

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.charts import bar_chart
from guanxi.core.errors import DomainError
from guanxi.core.exports import export_response
from guanxi.core.forms import act, form_page
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.periods import PeriodForm
from guanxi.core.permissions import PUBLIC, require
from guanxi.core.transitions import allowed
from guanxi.finance.selectors import expenses_visible_to
from guanxi.service import webforms

from .attribution import TouchModel, window_days
from .forms_campaigns import CampaignForm, CampaignLeadForm, LinkForm
from .lists_campaigns import CampaignList
from .models import Campaign, CampaignStatus
from .selectors import campaigns as selectors
from .services import campaigns as services

logger = logging.getLogger("guanxi.marketing.campaigns")
campaign_list = ListPageView.as_view(spec=CampaignList)
TOUCHES_SHOWN = 50
OUTCOME_TITLES = {"leads": gettext_lazy("Leads"), "opportunities": gettext_lazy("Opportunities"),
                  "orders": gettext_lazy("Orders"), "receipts": gettext_lazy("Receipts")}


def _model(request):
    return request.GET.get("model") if request.GET.get("model") in TouchModel.values else TouchModel.LAST


@require("marketing.create")
def campaign_create(request):
    form = CampaignForm(request.POST or None, user=request.user)
    return form_page(request, form, lambda data: services.campaign_create(actor=request.user, **data),
                     title=_("New campaign"), saved_message=_("Campaign saved."),
                     success_url=lambda campaign: campaign.get_absolute_url(), cancel_url="marketing:campaign_list")


@require("marketing.edit")
def campaign_edit(request, pk):
    campaign = selectors.campaign_get(request.user, pk)
    initial = {name: getattr(campaign, name) for name in services.CAMPAIGN_FIELDS}
    form = CampaignForm(request.POST or None, user=request.user, editing=True, initial=initial)
    return form_page(request, form, lambda data: services.campaign_update(actor=request.user, campaign=campaign,
                                                                          **data),
                     title=campaign.name, saved_message=_("Campaign saved."), success_url=campaign.get_absolute_url,
                     cancel_url=campaign.get_absolute_url(), context={"history": history_for(campaign)})


@require("marketing.view")
def campaign_detail(request, pk):
    campaign = selectors.campaign_get(request.user, pk)
    model = _model(request)
    moves = [(status, label) for status, label in CampaignStatus.choices if allowed(campaign, status)]
    may_edit = request.user.has_module_perm("marketing.edit")
    return render(request, "marketing/campaign_detail.html", {
        "campaign": campaign, "model": model, "models": TouchModel.choices, "window": window_days(),
        "touches": list(selectors.campaign_touches(request.user, campaign)[:TOUCHES_SHOWN]),
        "expense_links": list(selectors.campaign_expense_links(request.user, campaign)),
        "expenses_to_link": list(selectors.expenses_to_link(request.user, campaign)[:50])
        if may_edit and campaign.is_open else [],
        "moves": moves if may_edit else [], "link_form": LinkForm() if may_edit else None,
        "public_url": request.build_absolute_uri(reverse("marketing:campaign_public_form", args=[campaign.code])),
        "entries": history_for(campaign),
    })


@require("marketing.view")
def campaign_return(request, pk):
    """The return panel of the detail page, loaded after the page (its four grouped queries
    would otherwise slow the first paint)."""
    campaign = selectors.campaign_get(request.user, pk)
    model = _model(request)
    return render(request, "marketing/_campaign_return.html", {
        "campaign": campaign, "model": model, "models": TouchModel.choices, "window": window_days(),
        "result": selectors.campaign_return(request.user, campaign, model)})


@require("marketing.edit")
@require_POST
def campaign_move(request, pk):
    campaign = selectors.campaign_get(request.user, pk)
    return act(request, lambda: services.campaign_move(actor=request.user, campaign=campaign,
                                                       to=request.POST.get("to", ""),
                                                       reason=request.POST.get("reason", "")[:300]),
               done=_("Status changed."), back=campaign)


@require("marketing.delete")
@require_POST
def campaign_delete(request, pk):
    campaign = selectors.campaign_get(request.user, pk)
    services.campaign_delete(actor=request.user, campaign=campaign)
    messages.success(request, _("“%(name)s” moved to the recycle bin.") % {"name": campaign.name})
    return redirect("marketing:campaign_list")


@require("marketing.edit")
@require_POST
def campaign_link(request, pk):
    """Link a customer, lead or opportunity the user names to the campaign."""
    campaign = selectors.campaign_get(request.user, pk)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what to link and give its name."))
        return redirect(campaign)
    kind = form.cleaned_data["kind"]

    def link():
        record = selectors.linkable_record(request.user, kind, form.cleaned_data["name"])
        services.touch_link(actor=request.user, campaign=campaign, **{kind: record})
        return record

    return act(request, link, done=lambda record: _("Linked %(name)s to the campaign.") % {"name": str(record)},
               back=campaign)


@require("marketing.edit")
@require_POST
def campaign_expense(request, pk):
    """Count an expense as a cost of the campaign, or stop counting it."""
    campaign = selectors.campaign_get(request.user, pk)
    raw = request.POST.get("expense", "")
    expense = expenses_visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None
    if expense is None:
        messages.error(request, _("Choose an expense."))
        return redirect(campaign)
    change = services.campaign_expense_unlink if request.POST.get("action") == "unlink" \
        else services.campaign_expense_link
    return act(request, lambda: change(actor=request.user, campaign=campaign, expense=expense),
               done=_("Costs updated."), back=campaign)


@require("marketing.view")
def campaign_outcomes(request, pk, outcome):
    """The records behind one figure of the campaign's return."""
    if outcome not in OUTCOME_TITLES:
        raise Http404
    campaign = selectors.campaign_get(request.user, pk)
    model = _model(request)
    form = PeriodForm(request.GET) if request.GET.get("period") else None
    period = form.selected() if form is not None else None
    records = list(selectors.credited_records(request.user, campaign, outcome, model, period)[:200])
    return render(request, "marketing/campaign_outcomes.html", {
        "campaign": campaign, "outcome": outcome, "title": OUTCOME_TITLES[outcome], "records": records,
        "model": model, "model_label": TouchModel(model).label, "period": period})


@require("marketing.view")
def campaign_compare(request):
    """Return per campaign across campaigns: a table and a bar chart, first or last touch, a period."""
    form = PeriodForm(request.GET or None)
    period = form.selected()
    model = _model(request)
    rows = selectors.campaign_returns(request.user, period, model)
    headers = [_("Campaign"), _("Leads"), _("Opportunities"), _("Orders"), _("Order amount"), _("Receipts"),
               _("Cost"), _("Budget"), _("Return"), _("ROI %")]
    if request.GET.get("export") in ("csv", "xlsx") and request.user.has_module_perm("marketing.export"):
        return export_response(request.GET["export"], [str(h) for h in headers], [
            [row.campaign.name, row.outcomes.leads, row.outcomes.opportunities, row.outcomes.orders,
             row.outcomes.order_amount, row.outcomes.received, row.cost, row.budget, row.net, row.roi]
            for row in rows], f"campaign-returns-{period.start.isoformat()}")
    shown = rows[:15]
    chart = bar_chart([row.campaign.name for row in shown], [
        (_("Receipts"), [row.outcomes.received for row in shown]), (_("Cost"), [row.cost for row in shown])],
        title=_("Receipts and cost per campaign"), money=True) if shown else ""
    return render(request, "marketing/campaign_compare.html", {
        "form": form, "period": period, "model": model, "models": TouchModel.choices, "rows": rows,
        "chart": chart, "headers": headers,
        "can_export": request.user.has_module_perm("marketing.export"), "window": window_days()})


# --- the public form of a campaign (MKT-5) -------------------------------------------------------
def _public_page(request, campaign, form, *, done=False, error="", status=200, retry=0):
    response = render(request, "marketing/campaign_public_form.html", {
        "campaign": campaign, "form": form, "done": done, "error": error, "honeypot": webforms.HONEYPOT,
        "utm": services.utm_of(request.GET if request.method == "GET" else request.POST),
        "lang": translation.get_language()}, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return response


@require_http_methods(["GET", "POST"])
@require(PUBLIC)
def campaign_public_form(request, code):
    """A campaign's landing form: anyone may leave their details (CSRF, rate limit, honeypot);
    the UTM parameters of the link travel with the entry into the lead's touch."""
    campaign = Campaign.objects.filter(code__iexact=code[:40]).select_related("owner").first()
    if campaign is None or not campaign.is_open:
        raise Http404
    if request.method != "POST":
        return _public_page(request, campaign, CampaignLeadForm())
    wait = webforms.retry_after(request)
    if wait:
        return _public_page(request, campaign, CampaignLeadForm(), status=429, retry=wait,
                            error=_("Too many entries from your address. Please try again later."))
    if request.POST.get(webforms.HONEYPOT):
        return _public_page(request, campaign, CampaignLeadForm(), done=True)  # a bot: thanked, nothing stored
    form = CampaignLeadForm(request.POST)
    if not form.is_valid():
        return _public_page(request, campaign, form, status=422)
    try:
        services.lead_from_form(campaign=campaign, data=form.cleaned_data, utm=services.utm_of(request.POST))
    except DomainError:
        logger.exception("campaign form %s refused an entry", campaign.code)
        return _public_page(request, campaign, form, status=503, error=_(
            "This form cannot take entries right now. Please contact us another way."))
    return _public_page(request, campaign, CampaignLeadForm(), done=True)
