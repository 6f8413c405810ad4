"""Invoices and payment plans, on the order page and in finance (FIN-1, SAL-4)."""

import datetime

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.approvals.services import latest_for
from guanxi.core.errors import DomainError
from guanxi.core.forms import act, report_error
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.sales.selectors import order_get

from . import invoices, selectors
from .lists import InvoiceList
from .models import InvoiceKind

invoice_list = ListPageView.as_view(spec=InvoiceList)


def order_panel(request, order):
    """The order page's money panel: plan, receivables, invoices (for those who may see them)."""
    user = request.user
    if not (user.has_module_perm("finance.view") or user.has_module_perm("sales.edit")):
        return None
    plan = getattr(order, "payment_plan", None)
    # The panel shows numbers, dates and amounts: none of the related records the lists prefetch.
    order_invoices = list(selectors.invoices_visible_to(user).filter(order=order).prefetch_related(None)
                          .order_by("created_at"))
    return {"title": _("Money"), "template": "finance/_order_panel.html", "context": {
        "order": order, "plan": plan, "instalments": list(plan.instalments.all()) if plan else [],
        "receivables": list(selectors.receivables_visible_to(user).filter(order=order).prefetch_related(None)
                            .order_by("due_on")),
        "invoices": order_invoices, "invoiced": invoices.invoiced_total(order), "kinds": InvoiceKind.choices,
        "can_request": user.has_module_perm("sales.edit") and order.status in invoices.INVOICEABLE,
        "can_plan": user.has_module_perm("sales.edit") and not order.is_cancelled,
        "plan_rows": [(i, (list(plan.instalments.all()) + [None] * 12)[i - 1] if plan else None)
                      for i in range(1, 7)],
    }}


def _order(request, order_pk):
    return order_get(request.user, order_pk)


@require("sales.edit")
@require_POST
def invoice_request(request, order_pk):
    order = _order(request, order_pk)
    post = request.POST
    fields = ("amount", "buyer_name", "buyer_tax_id", "buyer_address_phone", "buyer_bank_account", "notes")
    return act(request, lambda: invoices.invoice_request(
        actor=request.user, order=order, kind=post.get("kind", InvoiceKind.SPECIAL),
        **{field: post.get(field, "") for field in fields}), done=_("Invoice requested."), back=order)


@require("sales.edit")
@require_POST
def payment_plan_set(request, order_pk):
    order = _order(request, order_pk)
    rows, errors = [], []
    for index in range(1, 37):
        due, amount = request.POST.get(f"due_{index}", "").strip(), request.POST.get(f"amount_{index}", "").strip()
        if not (due or amount):
            continue
        try:
            due_on = datetime.date.fromisoformat(due) if due else None
        except ValueError:
            errors.append(_("Instalment %(n)d: give the date as YYYY-MM-DD.") % {"n": index})
            continue
        rows.append((due_on, amount, request.POST.get(f"description_{index}", "")))
    if errors:
        messages.error(request, errors[0])
        return redirect(order)
    return act(request, lambda: invoices.payment_plan_set(actor=request.user, order=order, instalments=rows),
               done=_("Payment plan saved."), back=order)


@require("finance.view")
def invoice_detail(request, pk):
    invoice = selectors.invoice_get(request.user, pk)
    return render(request, "finance/invoice_detail.html", {
        "invoice": invoice, "approval": latest_for("finance.invoice", invoice.pk), "entries": history_for(invoice),
        "can_issue": request.user.has_module_perm("finance.edit") and invoice.can_be_issued,
    })


@require("finance.edit")
@require_POST
def invoice_action(request, pk, action):
    invoice = selectors.invoice_get(request.user, pk)
    try:
        if action == "issue":
            issued_on = request.POST.get("issued_on") or None
            invoices.invoice_issue(actor=request.user, invoice=invoice,
                                   invoice_number=request.POST.get("invoice_number", ""),
                                   issued_on=datetime.date.fromisoformat(issued_on) if issued_on else None)
            messages.success(request, _("Recorded as issued."))
        elif action == "cancel":
            invoices.invoice_cancel(actor=request.user, invoice=invoice, reason=request.POST.get("reason", ""))
            messages.success(request, _("Invoice cancelled."))
        else:
            raise Http404
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
    except DomainError as exc:
        report_error(request, exc)
    return redirect(invoice)
