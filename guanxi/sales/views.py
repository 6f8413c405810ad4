"""Sales screens: the pipeline board, leads, quotes, orders (fast entry), shipping notes."""

import json

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.approvals.services import latest_for
from guanxi.core import picklists
from guanxi.core.errors import DomainError
from guanxi.core.forms import (
    act,
    act_on,
    emailed,
    form_page,
    fulfil_posted,
    report_error,
    run_service,
)
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.core.printing import file_response
from guanxi.customers.selectors import (
    contacts_of_customer,
    customer_search,
    customers_editable_by,
    customers_visible_to,
)

from . import selectors, services
from .forms import (
    LeadConvertForm,
    LeadForm,
    OpportunityForm,
    ProductForm,
    line_rows,
    lines_from_post,
)
from .lists import LeadList, OpportunityList, OrderList, ProductList, QuoteList, ShipmentList
from .models import Pipeline, Product, Stage
from .panels import form_helpers, order_panels, quote_panels
from .printing import quote_pdf, quote_xlsx

product_list = ListPageView.as_view(spec=ProductList)
lead_list = ListPageView.as_view(spec=LeadList)
opportunity_list = ListPageView.as_view(spec=OpportunityList)
quote_list = ListPageView.as_view(spec=QuoteList)
order_list = ListPageView.as_view(spec=OrderList)
shipment_list = ListPageView.as_view(spec=ShipmentList)


# --- products ----------------------------------------------------------------------
@require("sales.manage")
def product_create(request):
    form = ProductForm(request.POST or None)
    return form_page(request, form, lambda data: services.product_save(actor=request.user, **data),
                     title=_("New product"), saved_message=_("Product saved."), success_url="sales:product_list",
                     cancel_url="sales:product_list")


@require("sales.manage")
def product_edit(request, pk):
    product = get_object_or_404(Product, pk=pk)
    form = ProductForm(request.POST or None, instance=product)
    return form_page(request, form, lambda data: services.product_save(actor=request.user, product=product, **data),
                     title=str(product), saved_message=_("Product saved."), success_url="sales:product_list",
                     cancel_url="sales:product_list", context={"history": history_for(product)})


@require("sales.view")
def product_search(request):
    """Autocomplete for the line entry: active products by SKU, name or model."""

    q = request.GET.get("q", "").strip()[:40]
    found = Product.objects.filter(is_active=True)
    if q:
        found = found.filter(Q(sku__istartswith=q) | Q(name__icontains=q) | Q(model_number__istartswith=q))
    return render(request, "sales/_product_options.html", {"products": found.order_by("sku")[:20]})


# --- opportunities (SAL-2) ---------------------------------------------------------------
@require("sales.view")
def opportunity_board(request):
    """The pipeline as a kanban, narrowed by the list's filters (owner, department,
    branch, amount, customer, only mine) kept in the URL; the stage is the column."""

    raw = request.GET.get("pipeline", "")
    pipelines = list(Pipeline.objects.all())
    pipeline = (next((p for p in pipelines if str(p.pk) == raw), None) or next((p for p in pipelines if p.is_default),
                                                                               None) or services.default_pipeline())
    spec = OpportunityList()
    state = spec.state_from(request)
    filters = [flt for flt in spec.filters if flt.name != "stage"]
    state.filters.pop("stage", None)
    columns = selectors.board(request.user, pipeline,
                              narrow=lambda queryset: spec.apply_filters(request, state, queryset, filters))
    # Up to 840 cards: one reverse for the board, and amounts and dates formatted here
    # rather than by template filters (a fifth of the page's time at 10,000 opportunities).
    detail_url = reverse("sales:opportunity_detail", args=[0])
    for _stage, cards, _count, _amount in columns:
        for card in cards:
            card["url"] = detail_url.replace("/0/", f"/{card['pk']}/")
            card["amount_text"] = number_format(card["amount"], 2, force_grouping=True)
            card["close_text"] = date_format(card["expected_close_on"], "SHORT_DATE_FORMAT") \
                if card["expected_close_on"] else ""
    shown = [(flt, options) for flt, options in ((flt, flt.options(request)) for flt in filters if flt.name != "mine")
             if flt.name in state.filters or len(options) > 1 or flt.kind in ("number_min", "number_max")]
    return render(request, "sales/board.html", {
        "pipeline": pipeline, "columns": columns, "mine": state.filters.get("mine") == "1",
        "pipelines": pipelines if len(pipelines) > 1 else [], "state": state, "filter_widgets": shown,
        "filter_query": state.query(), "mine_query": state.query(mine="" if state.filters.get("mine") else "1"),
        "pipeline_query": f"pipeline={pipeline.pk}&" if raw.isdigit() else "",
        "filtered": bool(state.filters), "empty": not any(count for _stage, _cards, count, _amount in columns),
        "can_create": request.user.has_module_perm("sales.create"),
        "lost_reasons": picklists.items("sales.lost_reason"),
    })


@require("sales.edit")
@require_POST
def opportunity_move(request, pk):
    """Drop a card on a column (the board) or choose a stage (the detail page)."""
    opportunity = selectors.opportunity_get(request.user, pk)
    stage = get_object_or_404(Stage, pk=request.POST.get("stage"), pipeline=opportunity.pipeline)
    reason = None
    if request.POST.get("lost_reason"):
        reason = picklists.items("sales.lost_reason").filter(pk=request.POST["lost_reason"]).first()
    try:
        services.opportunity_move(actor=request.user, opportunity=opportunity, stage=stage, lost_reason=reason)
    except DomainError as exc:
        if request.htmx:
            return HttpResponse(exc.errors[0]["message"] if exc.errors else exc.message, status=422)
        report_error(request, exc)
        return redirect(opportunity)
    if request.htmx:
        # ASCII JSON: header values must be Latin-1; htmx decodes the \u escapes.
        trigger = json.dumps({"toast": {"text": str(_("Moved."))}})
        return HttpResponse(status=204, headers={"HX-Trigger": trigger})
    messages.success(request, _("Moved to %(stage)s.") % {"stage": stage.name})
    return redirect(opportunity)


@require("sales.view")
def opportunity_detail(request, pk):
    opportunity = selectors.opportunity_get(request.user, pk)
    return render(request, "sales/opportunity_detail.html", {
        "opportunity": opportunity,
        "stages": opportunity.pipeline.stages.order_by("position"),
        "changes": opportunity.stage_changes.select_related("from_stage", "to_stage", "actor").order_by(
            "-created_at"),
        "quotes": opportunity.quotes.order_by("-created_at"),
        "orders": opportunity.orders.order_by("-created_at"),
        "lost_reasons": picklists.items("sales.lost_reason"),
        "entries": history_for(opportunity),
    })


@require("sales.view")
def opportunity_contact_options(request):
    """The contact choices of the opportunity form for the customer chosen (HTMX): the
    customer's contacts, if the user may see the customer."""
    raw = request.GET.get("customer", "")
    customer = customers_visible_to(request.user).filter(pk=raw).first() if raw.isdigit() else None
    contacts = contacts_of_customer(request.user, customer) if customer else []
    return render(request, "sales/_contact_options.html", {"contacts": contacts})


@require("sales.create")
def opportunity_create(request):
    initial = {"customer": request.GET.get("customer")} if request.GET.get("customer", "").isdigit() else {}
    form = OpportunityForm(request.POST or None, user=request.user, initial=initial)
    return form_page(request, form, lambda data: services.opportunity_create(actor=request.user, **data),
                     title=_("New opportunity"), saved_message=_("Opportunity saved."),
                     success_url=lambda o: o, cancel_url="sales:opportunity_board")


@require("sales.edit")
def opportunity_edit(request, pk):
    opportunity = selectors.opportunity_get(request.user, pk)
    form = OpportunityForm(request.POST or None, instance=opportunity, user=request.user)
    return form_page(request, form, lambda data: services.opportunity_update(actor=request.user,
                                                                             opportunity=opportunity, **data),
                     title=str(opportunity), saved_message=_("Opportunity saved."), success_url=opportunity,
                     cancel_url=opportunity)


# --- leads (SAL-1) -------------------------------------------------------------------
@require("sales.create")
def lead_create(request):
    form = LeadForm(request.POST or None)
    return form_page(request, form, lambda data: services.lead_create(actor=request.user, **data),
                     title=_("New lead"), saved_message=_("Lead saved."), success_url=lambda lead: lead,
                     cancel_url="sales:lead_list")


@require("sales.view")
def lead_detail(request, pk):
    lead = selectors.lead_get(request.user, pk)
    form = LeadConvertForm(request.POST or None, initial={"opportunity_name": lead.company}, user=request.user)
    if request.method == "POST":
        converted = run_service(form, lambda data: services.lead_convert(
            actor=request.user, lead=lead, override_duplicate=request.POST.get("override") == "1", **data))
        if converted:
            messages.success(request, _("Converted into a customer, a contact and an opportunity."))
            return redirect(converted.opportunity)
    return render(request, "sales/lead_detail.html", {"lead": lead, "form": form, "entries": history_for(lead),
                                                      # the same permission as the service behind the button
                                                      "can_convert": request.user.has_module_perm("sales.create")})


# --- quotes and orders: the line entry (SAL-3, SAL-4) -----------------------------------------
def _document_form(request, *, kind, document=None, customer_pk=None):
    """The fast entry page shared by quotes and orders: keyboard first, totals live."""

    customers = customers_editable_by(request.user)
    errors = []
    if request.method == "POST":
        lines, errors = lines_from_post(request.POST)
        customer = customers.filter(pk=request.POST.get("customer") or 0).first() if document is None else \
            document.customer
        if customer is None:
            errors.append({"field": "customer", "message": _("Choose a customer you may sell to.")})
        opportunity = None
        if document is None and request.POST.get("opportunity") and customer is not None:
            opportunity = selectors.opportunities_visible_to(request.user).filter(
                customer=customer, pk=request.POST["opportunity"] if request.POST["opportunity"].isdigit() else 0,
            ).first()
            if opportunity is None:
                errors.append({"field": "opportunity", "message": _("Choose an opportunity of this customer.")})
        if not errors:
            data = {"delivery_date": request.POST.get("delivery_date") or None,
                    "contract_ends_on": request.POST.get("contract_ends_on") or None} if kind == "order" else {
                "valid_until": request.POST.get("valid_until") or None}
            if opportunity is not None:
                data["opportunity"] = opportunity
            try:
                if document is None:
                    create = services.order_create if kind == "order" else services.quote_create
                    saved = create(actor=request.user, customer=customer, lines=lines, **data)
                else:
                    update = services.order_update if kind == "order" else services.quote_update
                    saved = update(actor=request.user, **{kind: document}, lines=lines, **data)
                messages.success(request, _("Saved."))
                return redirect(saved)
            except DomainError as exc:
                errors = exc.errors or [{"field": None, "message": exc.message}]
    rows = line_rows(request, document)
    selected = str(customer_pk or request.POST.get("customer") or "")
    selected = int(selected) if selected.isdigit() else None
    opportunity_pk = request.POST.get("opportunity") or request.GET.get("opportunity") or ""
    return render(request, "sales/document_form.html", {
        "kind": kind, "document": document, "rows": rows, "errors": errors,
        "opportunity_pk": opportunity_pk if document is None and opportunity_pk.isdigit() else "",
        "customers": selectors.likely_customers(request.user, customers, selected) if document is None else None,
        "customer_pk": selected,
        "error_fields": {e["field"] for e in errors},
        "form_helpers": form_helpers(request),
    })


@require("sales.create")
def customer_options(request):
    """Autocomplete for the customer of a new quote or order: customers the user may sell
    to, by name, pinyin, initials, phone or e-mail (the duplicate-check index)."""

    customers = customers_editable_by(request.user)
    q = request.GET.get("q", "").strip()[:60]
    if not q:
        return render(request, "sales/_customer_options.html",
                      {"customers": selectors.likely_customers(request.user, customers)})
    # Any 30 matches, then sorted: ordering 30,000 matches of a trade word (商贸, 五金) by
    # name in the database took 200-400 ms at a million customers; the user types on.
    found = sorted(customer_search(customers, q).order_by().only("pk", "name")[:30], key=lambda c: c.name)
    return render(request, "sales/_customer_options.html", {"customers": found})


@require("sales.view")
def lines_preview(request):
    """Totals recomputed on the server as the user types (HTMX), in Decimal."""
    lines, errors = lines_from_post(request.POST)
    totals = selectors.preview_totals(request.user, request.POST.get("customer"), lines)
    return render(request, "sales/_totals.html", {"totals": totals, "errors": errors})


def _document_pages(kind, get):
    """The new and edit pages of a quote or an order: ``_document_form`` of ``kind``, a new
    one for the customer in ``?customer=``, or the one ``get(user, pk)`` finds in scope."""

    @require("sales.create")
    def create(request):
        return _document_form(request, kind=kind, customer_pk=request.GET.get("customer"))

    @require("sales.edit")
    def edit(request, pk):
        return _document_form(request, kind=kind, document=get(request.user, pk))

    return create, edit


quote_create, quote_edit = _document_pages("quote", selectors.quote_get)
order_create, order_edit = _document_pages("order", selectors.order_get)


@require("sales.view")
def quote_detail(request, pk):
    quote = selectors.quote_get(request.user, pk)

    return render(request, "sales/quote_detail.html", {
        "quote": quote, "lines": quote.lines.select_related("product"),
        "approval": latest_for("sales.quote_discount", quote.pk), "entries": history_for(quote),
        "order": getattr(quote, "order", None) if hasattr(quote, "order") else None,
        "plugins": quote_panels(request, quote),
    })


@require("sales.edit")
@require_POST
def quote_action(request, pk, action):
    quote = selectors.quote_get(request.user, pk)
    actions = {"submit": services.quote_submit, "send": services.quote_mark_sent,
               "accept": services.quote_accept, "version": services.quote_new_version}
    if action not in actions:
        raise Http404
    return act(request, lambda: actions[action](actor=request.user, quote=quote),
               done={"submit": _("Submitted."), "send": _("Marked as sent."), "accept": _("Accepted: the order is made."),
                     "version": _("New version made.")}[action], back=quote, then=lambda made: made)


@require("sales.view")
def quote_file(request, pk, fmt):
    """The quote as PDF (with Chinese fonts) or XLSX, downloaded."""

    quote = selectors.quote_get(request.user, pk)
    return file_response(fmt, {"pdf": lambda: quote_pdf(quote), "xlsx": lambda: quote_xlsx(quote)},
                         f"{quote.number}-v{quote.version}")


@require("sales.edit")
@require_POST
def quote_email(request, pk):
    quote = selectors.quote_get(request.user, pk)
    return act(request, lambda: services.quote_send(actor=request.user, quote=quote, **emailed(request.POST)),
               done=_("The quote was e-mailed."), back=quote)


@require("sales.view")
def order_detail(request, pk):
    order = selectors.order_get(request.user, pk)
    return render(request, "sales/order_detail.html", {
        "order": order, "lines": order.lines.select_related("product"),
        "shipments": order.shipments.select_related("warehouse").order_by("ship_date", "pk"),
        "approval": selectors.order_latest_approval(order), "entries": history_for(order),
        "warehouses": picklists.items("sales.warehouse"), "plugins": order_panels(request, order),
    })


@require("sales.edit")
@require_POST
def order_action(request, pk, action):
    order = selectors.order_get(request.user, pk)
    return act_on(request, action, {
        "confirm": (lambda: services.order_confirm(actor=request.user, order=order), _("Submitted for confirmation.")),
        "cancel": (lambda: services.order_cancel(actor=request.user, order=order, reason=request.POST.get("reason", "")),
                   _("Order cancelled.")),
    }, back=order)


# --- shipping notes (SAL-5) ------------------------------------------------------------
@require("sales.ship")
@require_POST
def shipment_create(request, order_pk):
    order = selectors.order_get(request.user, order_pk)
    return fulfil_posted(request, order, services.shipment_create, prefix="ship_",
                         done=_("Shipping note %(number)s made."))


@require("sales.view")
def shipment_detail(request, pk):
    shipment = selectors.shipment_get(request.user, pk)
    copies = [_("Stub"), _("Customer"), _("Finance")] if request.GET.get("print") == "copies" else [None]
    return render(request, "sales/shipment_detail.html", {
        "shipment": shipment, "lines": shipment.lines.select_related("order_line__product"), "copies": copies,
        "printing": bool(request.GET.get("print")),
    })

