"""Customer screens: list, pool, the customer view, forms and ownership actions."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import custom_fields
from guanxi.core.charts import bar_chart
from guanxi.core.errors import DomainError
from guanxi.core.forms import act, form_page, report_message, run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.org.models import User

from . import regions, selectors, services, summary
from .forms import (
    CONTACT_ENTITY,
    CUSTOMER_ENTITY,
    ContactForm,
    CustomerForm,
    CustomerSettingsForm,
    DuplicateSearchForm,
    FeedbackForm,
    FeedbackHandleForm,
    InteractionForm,
    ReleaseForm,
    ReportForm,
    ShareForm,
    TransferForm,
)
from .lists import ContactList, CustomerList, FeedbackList, InteractionList, PoolList
from .merge import MERGE_FIELDS, customers_merge, merge_undo, possible_duplicates
from .merge import duplicate_flag_dismiss as dismiss
from .merge import duplicate_scan as scan
from .models import Channel, CustomerSettings, DuplicateFlag, MergeRecord
from .reminders import DEFAULT_NO_BUSINESS_DAYS, DEFAULT_NO_ORDER_DAYS, reminder_lists
from .report import daily_report as build_report
from .timeline import timeline_for

TIMELINE_LENGTH = 40

customer_list = ListPageView.as_view(spec=CustomerList)
pool_list = ListPageView.as_view(spec=PoolList)
contact_list = ListPageView.as_view(spec=ContactList)


def _back(request, fallback):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


# --- the customer view (CUS-6) -------------------------------------------------------
@require("customers.view")
def customer_detail(request, pk):
    customer = selectors.customer_get(request.user, pk)
    tab = request.GET.get("tab", "overview")
    if request.htmx and tab == "history":
        return render(request, "customers/_customer_history.html", _history_context(customer))
    viewer = summary.Viewer(request.user, customer)
    context = {
        "customer": customer,
        "tab": tab,
        "can_edit": viewer.can_edit,
        "can_claim": customer.in_pool and request.user.has_module_perm("customers.claim"),
        "can_transfer": request.user.has_module_perm("customers.transfer"),
        "is_owner": customer.owner_id == request.user.pk,
        "custom_values": custom_fields.display(customer, CUSTOMER_ENTITY),
        "shares": customer.shares.select_related("user"),
        "can_delete": request.user.has_module_perm("customers.delete") and viewer.can_edit,
        "share_candidates": _share_candidates(request.user, customer),
    }
    if tab == "history":
        context.update(_history_context(customer))
    else:
        context["sections"] = [summary.section_data(section, viewer, rows=5)
                               for section in summary.sections_for(request.user, lazy=False)]
        context["has_lazy_sections"] = bool(summary.sections_for(request.user, lazy=True))
    return render(request, "customers/customer_detail.html", context)


@require("customers.view")
def customer_sections(request, pk):
    """The customer page's lazy sections (other modules' parts: segments, campaigns,
    membership), loaded once the page shows; a page of its own without JavaScript."""
    customer = selectors.customer_get(request.user, pk)
    viewer = summary.Viewer(request.user, customer)
    sections = [summary.section_data(section, viewer, rows=5)
                for section in summary.sections_for(request.user, lazy=True)]
    template = "customers/_lazy_sections.html" if request.htmx else "customers/customer_sections.html"
    return render(request, template, {"customer": customer, "sections": sections})


def _history_context(customer):
    return {
        "customer": customer, "entries": history_for(customer),
        "ownership": customer.ownership_changes.select_related("from_user", "to_user", "actor").order_by(
            "-created_at"),
        "merges": customer.merges_in.select_related("master", "duplicate").order_by("-created_at"),
    }


@require("customers.view")
def customer_timeline(request, pk):
    """The merged timeline of every module's records of the customer (loaded by the
    customer page after it shows; a page of its own without JavaScript)."""
    customer = selectors.customer_get(request.user, pk)
    entries = timeline_for(request.user, customer, limit=TIMELINE_LENGTH)
    template = "customers/_timeline.html" if request.htmx else "customers/timeline.html"
    return render(request, template, {"customer": customer, "timeline": entries})


def _share_candidates(user, customer):
    if customer.owner_id != user.pk and not user.has_module_perm("customers.transfer"):
        return []
    return User.objects.filter(is_active=True).exclude(pk=customer.owner_id).select_related("branch").order_by(
        "branch__name", "display_name")


@require("customers.create")
def customer_create(request):
    form = CustomerForm(request.POST or None, user=request.user)
    return form_page(
        request, form, lambda data: services.customer_create(actor=request.user, **form.service_data()),
        title=_("New customer"), saved_message=_("Customer saved."),
        success_url=lambda customer: customer, cancel_url="customers:customer_list",
        template="customers/customer_form.html",
    )


def _editable(request, customer):
    """``customer``, when the user may edit it (one they may only see answers 404)."""
    if not selectors.can_edit(request.user, customer):
        raise Http404
    return customer


@require("customers.edit")
def customer_edit(request, pk):
    customer = _editable(request, selectors.customer_get(request.user, pk))
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    return form_page(
        request, form, lambda data: services.customer_update(actor=request.user, customer=customer,
                                                             **form.service_data()),
        title=_("Edit %(name)s") % {"name": customer.name}, saved_message=_("Customer saved."),
        success_url=customer, cancel_url=customer, template="customers/customer_form.html",
        context={"customer": customer},
    )


@require("customers.delete")
@require_POST
def customer_delete(request, pk):
    customer = selectors.customer_get(request.user, pk)
    return act(request, lambda: services.customer_delete(actor=request.user, customer=customer),
               done=_("Customer moved to the recycle bin; it can be restored for 30 days."), back=customer,
               then="customers:customer_list", report=report_message)


# --- ownership (CUS-7) -------------------------------------------------------------
@require("customers.claim")
@require_POST
def customer_claim(request, pk):
    customer = selectors.customer_get(request.user, pk)
    try:
        services.customer_claim(actor=request.user, customer=customer)
        messages.success(request, _("“%(name)s” is yours now.") % {"name": customer.name})
    except DomainError as exc:
        report_message(request, exc)
    return _back(request, customer)


@require("customers.claim")
@require_POST
def bulk_claim(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:200]
    claimed = 0
    for customer in selectors.pool_customers(request.user).filter(pk__in=ids):
        try:
            services.customer_claim(actor=request.user, customer=customer)
            claimed += 1
        except DomainError as exc:
            report_message(request, exc)
            break
    if claimed:
        messages.success(request, _("%(n)d customers claimed.") % {"n": claimed})
    return _back(request, "customers:pool")


@require("customers.view")
def customer_release(request, pk):
    customer = selectors.customer_get(request.user, pk)
    if customer.owner_id != request.user.pk and not request.user.has_module_perm("customers.transfer"):
        raise Http404
    form = ReleaseForm(request.POST or None)
    return form_page(
        request, form, lambda data: services.customer_release(actor=request.user, customer=customer,
                                                              reason=form.reason()),
        title=_("Release %(name)s to the public pool") % {"name": customer.name},
        saved_message=_("Released to the public pool."), success_url="customers:customer_list", cancel_url=customer,
    )


@require("customers.transfer")
@require_POST
def bulk_transfer(request):
    """Transfer ticked customers (or one, from its page) to a colleague or the pool."""
    raw_ids = ",".join(request.POST.getlist("ids"))
    ids = sorted({int(i) for i in raw_ids.split(",") if i.strip().isdigit()})[:1000]
    customers = list(selectors.customers_editable_by(request.user).filter(pk__in=ids))
    if not customers:
        messages.error(request, _("Tick at least one customer you may change."))
        return _back(request, "customers:customer_list")
    form = TransferForm(request.POST if "confirm" in request.POST else None,
                        initial={"ids": ",".join(str(c.pk) for c in customers)})
    if "confirm" in request.POST:
        moved = run_service(form, lambda data: services.customers_transfer(
            actor=request.user, customers=customers, to_user=data["to_user"], reason=data["reason"]))
        if moved is not None:
            messages.success(request, _("%(n)d customers transferred.") % {"n": moved})
            return redirect("customers:customer_list")
    return render(request, "customers/transfer.html", {"form": form, "customers": customers[:50],
                                                       "count": len(customers)})


@require("customers.view")
@require_POST
def customer_share(request, pk):
    customer = selectors.customer_get(request.user, pk)
    form = ShareForm(request.POST)
    if run_service(form, lambda data: services.customer_share(actor=request.user, customer=customer, **data)):
        messages.success(request, _("Shared."))
    else:
        for errors in form.errors.values():
            messages.error(request, errors[0])
    return redirect(customer)


@require("customers.view")
@require_POST
def customer_unshare(request, pk, user_id):
    customer = selectors.customer_get(request.user, pk)
    user = get_object_or_404(User, pk=user_id)
    return act(request, lambda: services.customer_unshare(actor=request.user, customer=customer, user=user),
               done=_("No longer shared."), back=customer, report=report_message)


@require("customers.transfer")
@require_POST
def customer_lock(request, pk):
    customer = selectors.customer_get(request.user, pk)
    locked = request.POST.get("locked") == "1"
    return act(request, lambda: services.customer_set_recycle_lock(actor=request.user, customer=customer, locked=locked),
               done=_("Kept from the pool.") if locked else _("May be recycled again."), back=customer,
               report=report_message)


# --- duplicate check (CUS-5) ------------------------------------------------------
@require("customers.view")
def duplicate_inline(request):
    """The warning under the name field, updated as the user types."""
    exclude = request.GET.get("exclude", "")
    hits = selectors.duplicate_check(
        request.user, name=request.GET.get("name", "")[:200], phone=request.GET.get("mobile") or
        request.GET.get("phone", ""), email=request.GET.get("email", "")[:254],
        exclude_pk=int(exclude) if exclude.isdigit() else None, limit=8,
    )
    return render(request, "customers/_duplicate_hits.html", {"hits": hits, "inline": True})


@require("customers.view")
def duplicates(request):
    form = DuplicateSearchForm(request.GET or None)
    hits = []
    if form.is_valid() and any(form.cleaned_data.values()):
        hits = selectors.duplicate_check(request.user, limit=50, **form.cleaned_data)
    return render(request, "customers/duplicates.html", {"form": form, "hits": hits,
                                                         "searched": form.is_bound})


@require("customers.view")
def region_options(request):
    level = request.GET.get("level")
    parent = request.GET.get("province") if level == "city" else request.GET.get("city") if level == "district" \
        else None
    placeholder = {"city": _("City"), "district": _("District")}.get(level, "")
    options = regions.children(parent) if parent else []
    return render(request, "customers/_region_options.html", {"options": options, "placeholder": placeholder})


# --- contacts ----------------------------------------------------------------------
@require("customers.view")
def contact_detail(request, pk):
    contact = selectors.contact_get(request.user, pk)
    return render(request, "customers/contact_detail.html", {
        "contact": contact, "custom_values": custom_fields.display(contact, CONTACT_ENTITY),
        "can_edit": selectors.can_edit(request.user, contact.customer),
        "entries": history_for(contact),
    })


@require("customers.edit")
def contact_create(request, customer_pk):
    customer = _editable(request, selectors.customer_get(request.user, customer_pk))
    form = ContactForm(request.POST or None)
    return form_page(
        request, form, lambda data: services.contact_create(actor=request.user, customer=customer,
                                                            **form.service_data()),
        title=_("New contact at %(name)s") % {"name": customer.name}, saved_message=_("Contact saved."),
        success_url=customer, cancel_url=customer,
    )


@require("customers.edit")
def contact_edit(request, pk):
    contact = selectors.contact_get(request.user, pk)
    _editable(request, contact.customer)
    form = ContactForm(request.POST or None, instance=contact)
    return form_page(
        request, form, lambda data: services.contact_update(actor=request.user, contact=contact,
                                                            **form.service_data()),
        title=_("Edit %(name)s") % {"name": contact.name}, saved_message=_("Contact saved."),
        success_url=contact.customer, cancel_url=contact.customer,
    )


@require("customers.edit")
@require_POST
def contact_delete(request, pk):
    contact = selectors.contact_get(request.user, pk)
    return act(request, lambda: services.contact_delete(actor=request.user, contact=contact),
               done=_("Contact moved to the recycle bin."), back=contact.customer, report=report_message)


# --- settings ----------------------------------------------------------------------
@require("customers.manage")
def settings_view(request):
    current = CustomerSettings.current()
    form = CustomerSettingsForm(request.POST or None, instance=current)
    return form_page(
        request, form, lambda data: services.customer_settings_update(actor=request.user, **data),
        title=_("Customer settings"), saved_message=_("Settings saved."),
        success_url="customers:settings", cancel_url="customers:customer_list",
        context={"history": history_for(current) if current.pk else None},
    )


# --- interactions (ACT-1) ----------------------------------------------------------
interaction_list = ListPageView.as_view(spec=InteractionList)
feedback_list = ListPageView.as_view(spec=FeedbackList)


@require("customers.edit")
def interaction_create(request, customer_pk):
    customer = _editable(request, selectors.customer_get(request.user, customer_pk))
    form = InteractionForm(request.POST or None, customer=customer)
    return form_page(
        request, form, lambda data: services.interaction_create(actor=request.user, customer=customer, **data),
        title=_("Log an interaction with %(name)s") % {"name": customer.name}, saved_message=_("Interaction logged."),
        success_url=customer, cancel_url=customer,
    )


@require("customers.view")
def interaction_detail(request, pk):
    interaction = selectors.interaction_get(request.user, pk)
    return render(request, "customers/interaction_detail.html", {
        "interaction": interaction, "entries": history_for(interaction),
        "can_edit": interaction.author_id == request.user.pk or selectors.can_edit(request.user,
                                                                                   interaction.customer),
    })


@require("customers.edit")
def interaction_edit(request, pk):
    interaction = selectors.interaction_get(request.user, pk)
    form = InteractionForm(request.POST or None, instance=interaction)
    return form_page(
        request, form, lambda data: services.interaction_update(actor=request.user, interaction=interaction, **data),
        title=_("Edit interaction"), saved_message=_("Interaction saved."), success_url=interaction.customer,
        cancel_url=interaction,
    )


@require("customers.edit")
@require_POST
def interaction_delete(request, pk):
    interaction = selectors.interaction_get(request.user, pk)
    return act(request, lambda: services.interaction_delete(actor=request.user, interaction=interaction),
               done=_("Interaction moved to the recycle bin."), back=interaction.customer, report=report_message)


# --- reminders (ACT-3) and the daily report (ACT-4) ------------------------------------
@require("customers.view")
def reminders(request):
    def days(name, default):
        raw = request.GET.get(name, "")
        return int(raw) if raw.isdigit() and 1 <= int(raw) <= 3650 else default

    mine = request.GET.get("scope") != "all"
    lists = reminder_lists(request.user, mine=mine, no_order_days=days("n", DEFAULT_NO_ORDER_DAYS),
                           no_business_days=days("m", DEFAULT_NO_BUSINESS_DAYS))
    sections = [{"key": key, "title": title, "customers": list(queryset[:50]), "count": queryset.count()}
                for key, (title, queryset) in lists.items()]
    return render(request, "customers/reminders.html", {
        "sections": sections, "mine": mine, "n": days("n", DEFAULT_NO_ORDER_DAYS),
        "m": days("m", DEFAULT_NO_BUSINESS_DAYS),
    })


@require("customers.view")
def daily_report(request):
    form = ReportForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = build_report(request.user, day=data.get("day"), days=data.get("days") or 1,
                        group=data.get("group") or "person")
    chart = bar_chart(
        [row.label for row in rows[:20]],
        [(str(label), [row.by_channel[value] for row in rows[:20]]) for value, label in Channel.choices
         if any(row.by_channel[value] for row in rows)],
        title=str(_("Contacts and visits")), stacked=True,
    )
    return render(request, "customers/daily_report.html", {"form": form, "rows": rows, "chart": chart,
                                                           "channels": Channel.choices})


# --- feedback (CUS-8) --------------------------------------------------------------
@require("customers.view")
def feedback_create(request, customer_pk):
    customer = selectors.customer_get(request.user, customer_pk)
    form = FeedbackForm(request.POST or None)
    return form_page(
        request, form, lambda data: services.feedback_create(actor=request.user, customer=customer, **data),
        title=_("Record feedback from %(name)s") % {"name": customer.name}, saved_message=_("Feedback recorded."),
        success_url=customer, cancel_url=customer,
    )


@require("customers.view")
def feedback_detail(request, pk):
    feedback = selectors.feedback_get(request.user, pk)
    form = FeedbackHandleForm(request.POST or None)
    if request.method == "POST":
        handled = run_service(form, lambda data: services.feedback_handle(actor=request.user, feedback=feedback,
                                                                          response=data["response"]))
        if handled:
            messages.success(request, _("Feedback handled."))
            return redirect(handled)
    return render(request, "customers/feedback_detail.html", {
        "feedback": feedback, "form": form,
        "can_handle": request.user.department_id == feedback.department_id or
        request.user.has_module_perm("customers.transfer"),
    })


# --- duplicate scan and merge (CUS-5) -------------------------------------------------
@require("customers.edit")
def duplicate_scan(request):
    groups = scan(request.user)
    return render(request, "customers/duplicate_scan.html", {"groups": groups,
                                                             "flags": possible_duplicates(request.user)})


@require("customers.edit")
@require_POST
def duplicate_flag_dismiss(request, pk):
    flag = get_object_or_404(DuplicateFlag, pk=pk)
    return act(request, lambda: dismiss(actor=request.user, flag=flag), done=_("Marked as two different customers."),
               back="customers:duplicate_scan", report=report_message)


@require("customers.edit")
def merge(request):
    picked = [i for i in request.GET.getlist("pick") if i.isdigit()]
    raw = ",".join(picked) if len(picked) == 2 else (request.GET.get("ids") or request.POST.get("ids") or "")
    ids = [int(i) for i in raw.split(",") if i.isdigit()]
    if len(ids) != 2:
        messages.error(request, _("Choose exactly two customers to merge."))
        return redirect("customers:duplicate_scan")
    master = selectors.customer_get(request.user, ids[0])
    duplicate = selectors.customer_get(request.user, ids[1])
    if request.method == "POST":
        take = [name for name in MERGE_FIELDS if request.POST.get(f"field_{name}") == "duplicate"]
        try:
            record = customers_merge(actor=request.user, master=master, duplicate=duplicate,
                                     take_from_duplicate=take, owner=request.POST.get("owner", "master"))
        except DomainError as exc:
            report_message(request, exc)
        else:
            messages.success(request, _("Merged. You can undo this from the customer's page."))
            return redirect("customers:merge_detail", pk=record.pk)
    rows = []
    for name in MERGE_FIELDS:
        field = master._meta.get_field(name)
        left, right = getattr(master, name), getattr(duplicate, name)
        if left in ("", None) and right in ("", None):
            continue
        display = f"get_{name}_display"
        rows.append({
            "name": name, "label": field.verbose_name,
            "master": getattr(master, display)() if hasattr(master, display) else left,
            "duplicate": getattr(duplicate, display)() if hasattr(duplicate, display) else right,
            "same": left == right, "prefer_duplicate": left in ("", None),
        })
    return render(request, "customers/merge.html", {"master": master, "duplicate": duplicate, "rows": rows,
                                                    "ids": f"{master.pk},{duplicate.pk}"})


@require("customers.edit")
def merge_detail(request, pk):
    record = get_object_or_404(MergeRecord.objects.select_related("master", "duplicate", "actor"), pk=pk)
    selectors.customer_get(request.user, record.master_id)  # in scope, or 404
    if request.method == "POST":
        try:
            merge_undo(actor=request.user, record=record)
            messages.success(request, _("The merge was undone; both customers are back."))
            return redirect(record.master)
        except DomainError as exc:
            report_message(request, exc)
    return render(request, "customers/merge_detail.html", {"record": record})
