"""Finance screens: receivables, receipts with allocation, reversals."""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError
from guanxi.core.forms import form_page, run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require

from . import selectors, services
from .forms import ReceiptForm, ReceivableForm, ReverseForm
from .lists import ReceiptList, ReceivableList

receivable_list = ListPageView.as_view(spec=ReceivableList)
receipt_list = ListPageView.as_view(spec=ReceiptList)


def _customer_from(request):
    from guanxi.customers.selectors import customer_get

    raw = request.GET.get("customer") or request.POST.get("customer") or ""
    return customer_get(request.user, int(raw)) if raw.isdigit() else None


def _customer_picker(request, title):
    """Without a customer: search one (scoped), then come back with ?customer=."""
    from guanxi.customers.selectors import customers_visible_to

    q = request.GET.get("q", "").strip()[:100]
    found = customers_visible_to(request.user).filter(name__icontains=q).order_by("name")[:30] if q else []
    return render(request, "finance/customer_picker.html", {"title": title, "q": q, "found": found})


@require("finance.create")
def receivable_create(request):
    customer = _customer_from(request)
    if customer is None:
        return _customer_picker(request, _("New receivable"))
    form = ReceivableForm(request.POST or None)
    return form_page(request, form, lambda data: services.receivable_create(actor=request.user, customer=customer,
                                                                            **data),
                     title=_("New receivable for %(name)s") % {"name": customer.name},
                     saved_message=_("Receivable saved."), success_url=lambda r: r,
                     cancel_url="finance:receivable_list")


@require("finance.view")
def receivable_detail(request, pk):
    receivable = selectors.receivable_get(request.user, pk)
    return render(request, "finance/receivable_detail.html", {
        "receivable": receivable, "allocations": selectors.allocations_of_receivable(receivable),
        "entries": history_for(receivable),
    })


def _manual_allocations(request, receivables):
    chosen, errors = [], []
    for receivable in receivables:
        raw = request.POST.get(f"alloc_{receivable.pk}", "").strip()
        if not raw:
            continue
        try:
            chosen.append((receivable, Decimal(raw)))
        except InvalidOperation:
            errors.append(_("%(number)s: enter the amount as a number.") % {"number": receivable.number})
    return chosen, errors


@require("finance.create")
def receipt_create(request):
    customer = _customer_from(request)
    if customer is None:
        return _customer_picker(request, _("New receipt"))
    open_items = list(selectors.open_receivables_of(request.user, customer))
    form = ReceiptForm(request.POST or None, initial={"received_on": timezone.localdate(), "payer": customer.name})
    if request.method == "POST" and form.is_valid():
        mode = form.cleaned_data.pop("allocate")
        allocate = {"oldest": "oldest", "none": None}.get(mode)
        errors = []
        if mode == "manual":
            allocate, errors = _manual_allocations(request, open_items)
            allocate = allocate or None
        if errors:
            for error in errors:
                form.add_error(None, error)
        else:
            receipt = run_service(form, lambda data: services.receipt_record(
                actor=request.user, customer=customer, allocate=allocate, **data))
            if receipt is not None:
                messages.success(request, _("Receipt %(number)s recorded.") % {"number": receipt.number})
                return redirect(receipt)
    return render(request, "finance/receipt_form.html", {
        "form": form, "customer": customer, "open_items": open_items,
        "position": selectors.customer_position(request.user, customer),
    })


@require("finance.view")
def receipt_detail(request, pk):
    receipt = selectors.receipt_get(request.user, pk)
    return render(request, "finance/receipt_detail.html", {
        "receipt": receipt, "allocations": selectors.allocations_of_receipt(receipt),
        "open_items": selectors.open_receivables_of(request.user, receipt.customer)
        if receipt.kind == "receipt" and receipt.unallocated > 0 and not receipt.is_reversed else [],
        "reverse_form": ReverseForm(), "entries": history_for(receipt),
    })


@require("finance.edit")
@require_POST
def receipt_allocate(request, pk):
    receipt = selectors.receipt_get(request.user, pk)
    if request.POST.get("mode") == "oldest":
        allocations = "oldest"
    else:
        allocations, errors = _manual_allocations(request, selectors.open_receivables_of(request.user,
                                                                                          receipt.customer))
        if errors or not allocations:
            messages.error(request, errors[0] if errors else _("Enter an amount for at least one receivable."))
            return redirect(receipt)
    try:
        made = services.receipt_allocate(actor=request.user, receipt=receipt, allocations=allocations)
        messages.success(request, _("%(n)d allocations made.") % {"n": len(made)})
    except DomainError as exc:
        messages.error(request, exc.errors[0]["message"] if exc.errors else exc.message)
    return redirect(receipt)


@require("finance.reverse")
@require_POST
def receipt_reverse(request, pk):
    receipt = selectors.receipt_get(request.user, pk)
    form = ReverseForm(request.POST)
    reversal = run_service(form, lambda data: services.receipt_reverse(actor=request.user, receipt=receipt,
                                                                       reason=data["reason"]))
    if reversal is None:
        errors = form.errors.get("__all__") or form.errors.get("reason") or [_("Say why the receipt is reversed.")]
        messages.error(request, errors[0])
        return redirect(receipt)
    messages.success(request, _("Reversed by %(number)s.") % {"number": reversal.number})
    return redirect(reversal)


@require("finance.reverse")
@require_POST
def allocation_reverse(request, pk):
    from django.shortcuts import get_object_or_404

    from .models import Allocation

    allocation = get_object_or_404(Allocation.objects.select_related("receipt"), pk=pk)
    receipt = selectors.receipt_get(request.user, allocation.receipt_id)  # 404 out of scope
    try:
        services.allocation_reverse(actor=request.user, allocation=allocation)
        messages.success(request, _("Allocation taken back."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(receipt)
