"""Money screens, one set for both sides: receivables and receipts (money in), payables
and payments (money out). ``Screens`` says which models, services and words a side uses."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.forms import act, form_page, report_message, run_service
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.customers.selectors import customer_get, customers_visible_to
from guanxi.purchasing.selectors import supplier_get, suppliers_visible_to

from . import selectors, services
from .forms import DebtForm, MovementForm, ReverseForm
from .lists import PayableList, PaymentList, ReceiptList, ReceivableList
from .models import Allocation, PaymentAllocation

receivable_list = ListPageView.as_view(spec=ReceivableList)
receipt_list = ListPageView.as_view(spec=ReceiptList)
payable_list = ListPageView.as_view(spec=PayableList)
payment_list = ListPageView.as_view(spec=PaymentList)


@dataclass(frozen=True)
class Screens:
    party: str  # the query parameter and field: customer / supplier
    movement_get: object
    debt_get: object
    allocation_model: type
    record: object  # service(actor, party, amount, on, method, counterpart, reference, notes, allocate)
    allocate: object
    unallocate: object
    reverse: object
    debt_create: object
    url: dict
    words: dict


def _party_get(kind):
    def get(user, pk):
        if kind == "customer":
            return customer_get(user, pk)

        return supplier_get(user, pk)
    return get


def _party_search(kind, user, q):
    if kind == "customer":
        return customers_visible_to(user).filter(name__icontains=q).order_by("name")[:30]

    return suppliers_visible_to(user).filter(name__icontains=q).order_by("name")[:30]


IN = Screens(
    party="customer", movement_get=selectors.receipt_get, debt_get=selectors.receivable_get,
    allocation_model=Allocation,
    record=lambda *, actor, party, on, counterpart, **data: services.receipt_record(
        actor=actor, customer=party, received_on=on, payer=counterpart, **data),
    allocate=lambda *, actor, movement, allocations: services.receipt_allocate(actor=actor, receipt=movement,
                                                                               allocations=allocations),
    unallocate=services.allocation_reverse,
    reverse=lambda *, actor, movement, reason: services.receipt_reverse(actor=actor, receipt=movement, reason=reason),
    debt_create=lambda *, actor, party, **data: services.receivable_create(actor=actor, customer=party, **data),
    url={"movement_create": "finance:receipt_create", "movement_list": "finance:receipt_list",
         "debt_list": "finance:receivable_list", "allocate": "finance:receipt_allocate",
         "reverse": "finance:receipt_reverse", "unallocate": "finance:allocation_reverse"},
    words={"movement": gettext_lazy("Receipt"), "new_movement": gettext_lazy("New receipt"),
           "debt": gettext_lazy("Receivable"), "new_debt": gettext_lazy("New receivable"),
           "date": gettext_lazy("Date received"), "counterpart": gettext_lazy("Payer"),
           "settled": gettext_lazy("Received"), "record": gettext_lazy("Record the receipt"),
           "record_one": gettext_lazy("Record a receipt"), "party": gettext_lazy("Customer"),
           "person": gettext_lazy("Salesperson")},
)
OUT = Screens(
    party="supplier", movement_get=selectors.payment_get, debt_get=selectors.payable_get,
    allocation_model=PaymentAllocation,
    record=lambda *, actor, party, on, counterpart, **data: services.payment_record(
        actor=actor, supplier=party, paid_on=on, payee=counterpart, **data),
    allocate=lambda *, actor, movement, allocations: services.payment_allocate(actor=actor, payment=movement,
                                                                               allocations=allocations),
    unallocate=services.payment_allocation_reverse,
    reverse=lambda *, actor, movement, reason: services.payment_reverse(actor=actor, payment=movement, reason=reason),
    debt_create=lambda *, actor, party, **data: services.payable_create(actor=actor, supplier=party, **data),
    url={"movement_create": "finance:payment_create", "movement_list": "finance:payment_list",
         "debt_list": "finance:payable_list", "allocate": "finance:payment_allocate",
         "reverse": "finance:payment_reverse", "unallocate": "finance:payment_allocation_reverse"},
    words={"movement": gettext_lazy("Payment"), "new_movement": gettext_lazy("New payment"),
           "debt": gettext_lazy("Payable"), "new_debt": gettext_lazy("New payable"),
           "date": gettext_lazy("Date paid"), "counterpart": gettext_lazy("Payee"),
           "settled": gettext_lazy("Paid"), "record": gettext_lazy("Record the payment"),
           "record_one": gettext_lazy("Record a payment"), "party": gettext_lazy("Supplier"),
           "person": gettext_lazy("Purchaser")},
)


def _party_from(request, screens):
    raw = request.GET.get(screens.party) or request.POST.get(screens.party) or ""
    return _party_get(screens.party)(request.user, int(raw)) if raw.isdigit() else None


def _party_picker(request, screens, title):
    """Without a party: search one (scoped), then come back with ?customer= / ?supplier=."""
    q = request.GET.get("q", "").strip()[:100]
    return render(request, "finance/party_picker.html", {
        "title": title, "q": q, "found": _party_search(screens.party, request.user, q) if q else [],
        "param": screens.party, "words": screens.words})


def _position(user, screens, party):
    if screens.party == "customer":
        return selectors.customer_position(user, party)
    return selectors.supplier_position(user, party)


def _manual_allocations(request, debts):
    chosen, errors = [], []
    for debt in debts:
        raw = request.POST.get(f"alloc_{debt.pk}", "").strip()
        if not raw:
            continue
        try:
            chosen.append((debt, Decimal(raw)))
        except InvalidOperation:
            errors.append(_("%(number)s: enter the amount as a number.") % {"number": debt.number})
    return chosen, errors


def debt_create(request, screens):
    party = _party_from(request, screens)
    if party is None:
        return _party_picker(request, screens, screens.words["new_debt"])
    form = DebtForm(request.POST or None)
    return form_page(request, form, lambda data: screens.debt_create(actor=request.user, party=party, **data),
                     title=f"{screens.words['new_debt']} · {party}", saved_message=_("Saved."),
                     success_url=lambda debt: debt, cancel_url=screens.url["debt_list"])


def debt_detail(request, screens, pk):
    debt = screens.debt_get(request.user, pk)
    return render(request, "finance/debt_detail.html", {
        "debt": debt, "party": getattr(debt, screens.party), "allocations": selectors.allocations_of_debt(debt),
        "entries": history_for(debt), "screens": screens, "words": screens.words,
    })


def movement_create(request, screens):
    party = _party_from(request, screens)
    if party is None:
        return _party_picker(request, screens, screens.words["new_movement"])
    open_items = list(selectors.open_debts_of(request.user, party))
    form = MovementForm(request.POST or None, initial={"on": timezone.localdate(), "counterpart": str(party)},
                        date_label=screens.words["date"], counterpart_label=screens.words["counterpart"])
    if request.method == "POST" and form.is_valid():
        mode = form.cleaned_data.pop("allocate")
        allocate, errors = {"oldest": "oldest", "none": None}.get(mode), []
        if mode == "manual":
            allocate, errors = _manual_allocations(request, open_items)
            allocate = allocate or None
        for error in errors:
            form.add_error(None, error)
        if not errors:
            movement = run_service(form, lambda data: screens.record(actor=request.user, party=party,
                                                                     allocate=allocate, **data))
            if movement is not None:
                messages.success(request, _("%(number)s recorded.") % {"number": movement.number})
                return redirect(movement)
    return render(request, "finance/movement_form.html", {
        "form": form, "party": party, "open_items": open_items, "position": _position(request.user, screens, party),
        "screens": screens, "words": screens.words,
    })


def movement_detail(request, screens, pk):
    movement = screens.movement_get(request.user, pk)
    party = getattr(movement, screens.party)
    return render(request, "finance/movement_detail.html", {
        "movement": movement, "party": party, "allocations": selectors.allocations_of(movement),
        "open_items": selectors.open_debts_of(request.user, party)
        if movement.kind == "receipt" and movement.unallocated > 0 and not movement.is_reversed else [],
        "entries": history_for(movement), "screens": screens, "words": screens.words,
        "date": getattr(movement, "received_on", None) or getattr(movement, "paid_on", None),
        "counterpart": getattr(movement, "payer", None) or getattr(movement, "payee", ""),
    })


def movement_allocate(request, screens, pk):
    movement = screens.movement_get(request.user, pk)
    if request.POST.get("mode") == "oldest":
        allocations = "oldest"
    else:
        debts = selectors.open_debts_of(request.user, getattr(movement, screens.party))
        allocations, errors = _manual_allocations(request, debts)
        if errors or not allocations:
            messages.error(request, errors[0] if errors else _("Enter an amount for at least one debt."))
            return redirect(movement)
    return act(request, lambda: screens.allocate(actor=request.user, movement=movement, allocations=allocations),
               done=lambda made: _("%(n)d allocations made.") % {"n": len(made)}, back=movement)


def movement_reverse(request, screens, pk):
    movement = screens.movement_get(request.user, pk)
    form = ReverseForm(request.POST)
    reversal = run_service(form, lambda data: screens.reverse(actor=request.user, movement=movement,
                                                              reason=data["reason"]))
    if reversal is None:
        errors = form.errors.get("__all__") or form.errors.get("reason") or [_("Say why it is reversed.")]
        messages.error(request, errors[0])
        return redirect(movement)
    messages.success(request, _("Reversed by %(number)s.") % {"number": reversal.number})
    return redirect(reversal)


def allocation_take_back(request, screens, pk):
    allocation = get_object_or_404(screens.allocation_model, pk=pk)
    movement_id = allocation.receipt_id if screens.party == "customer" else allocation.payment_id
    movement = screens.movement_get(request.user, movement_id)  # 404 out of scope
    return act(request, lambda: screens.unallocate(actor=request.user, allocation=allocation),
               done=_("Allocation taken back."), back=movement, report=report_message)


def _bind(view, screens, permission, post=False):
    def bound(request, *args, **kwargs):
        return view(request, screens, *args, **kwargs)
    bound = require(permission)(require_POST(bound) if post else bound)
    bound.__name__ = f"{view.__name__}_{screens.party}"
    return bound


receivable_create = _bind(debt_create, IN, "finance.create")
receivable_detail = _bind(debt_detail, IN, "finance.view")
receipt_create = _bind(movement_create, IN, "finance.create")
receipt_detail = _bind(movement_detail, IN, "finance.view")
receipt_allocate = _bind(movement_allocate, IN, "finance.edit", post=True)
receipt_reverse = _bind(movement_reverse, IN, "finance.reverse", post=True)
allocation_reverse = _bind(allocation_take_back, IN, "finance.reverse", post=True)
payable_create = _bind(debt_create, OUT, "finance.create")
payable_detail = _bind(debt_detail, OUT, "finance.view")
payment_create = _bind(movement_create, OUT, "finance.create")
payment_detail = _bind(movement_detail, OUT, "finance.view")
payment_allocate = _bind(movement_allocate, OUT, "finance.edit", post=True)
payment_reverse = _bind(movement_reverse, OUT, "finance.reverse", post=True)
payment_allocation_reverse = _bind(allocation_take_back, OUT, "finance.reverse", post=True)
