"""Purchasing screens: suppliers, purchase orders (fast line entry), goods receipts."""


from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core import picklists
from guanxi.core.errors import DomainError
from guanxi.core.forms import act, act_on, emailed, form_page, fulfil_posted
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.money import default_tax_rate, document_totals, line_totals
from guanxi.core.panels import panels_for
from guanxi.core.permissions import require
from guanxi.core.printing import file_response
from guanxi.sales.forms import line_rows, lines_from_post

from . import selectors, services
from .forms import SupplierForm
from .lists import GoodsReceiptList, PurchaseOrderList, SupplierList
from .printing import purchase_order_pdf, purchase_order_xlsx

supplier_list = ListPageView.as_view(spec=SupplierList)
order_list = ListPageView.as_view(spec=PurchaseOrderList)
goods_receipt_list = ListPageView.as_view(spec=GoodsReceiptList)


@require("purchasing.create")
def supplier_create(request):
    form = SupplierForm(request.POST or None)
    return form_page(request, form, lambda data: services.supplier_save(actor=request.user, **data),
                     title=_("New supplier"), saved_message=_("Supplier saved."), success_url=lambda s: s,
                     cancel_url="purchasing:supplier_list")


@require("purchasing.edit")
def supplier_edit(request, pk):
    supplier = selectors.supplier_get(request.user, pk)
    form = SupplierForm(request.POST or None, instance=supplier)
    return form_page(request, form, lambda data: services.supplier_save(actor=request.user, supplier=supplier,
                                                                        **data),
                     title=str(supplier), saved_message=_("Supplier saved."), success_url=supplier,
                     cancel_url=supplier)


@require("purchasing.view")
def supplier_detail(request, pk):
    supplier = selectors.supplier_get(request.user, pk)
    return render(request, "purchasing/supplier_detail.html", {
        "supplier": supplier, "orders": supplier.purchase_orders.order_by("-created_at")[:20],
        "panels": panels_for("purchasing.supplier", request, supplier), "entries": history_for(supplier),
    })


@require("purchasing.delete")
@require_POST
def supplier_delete(request, pk):
    supplier = selectors.supplier_get(request.user, pk)
    return act(request, lambda: services.supplier_delete(actor=request.user, supplier=supplier),
               done=_("Moved to the recycle bin."), back=supplier, then="purchasing:supplier_list")


def _order_form(request, order=None):
    suppliers = selectors.suppliers_visible_to(request.user).filter(is_active=True)
    errors = []
    if request.method == "POST":
        lines, errors = lines_from_post(request.POST)
        supplier = order.supplier if order else suppliers.filter(pk=request.POST.get("supplier") or 0).first()
        if supplier is None:
            errors.append({"field": "supplier", "message": _("Choose a supplier.")})
        if not errors:
            data = {"expected_on": request.POST.get("expected_on") or None}
            try:
                if order is None:
                    saved = services.purchase_order_create(actor=request.user, supplier=supplier, lines=lines, **data)
                else:
                    saved = services.purchase_order_update(actor=request.user, order=order, lines=lines, **data)
                messages.success(request, _("Saved."))
                return redirect(saved)
            except DomainError as exc:
                errors = exc.errors or [{"field": None, "message": exc.message}]
    supplier_pk = request.POST.get("supplier") or request.GET.get("supplier") or ""
    return render(request, "purchasing/order_form.html", {
        "order": order, "rows": line_rows(request, order, discount=False), "errors": errors,
        "suppliers": suppliers.order_by("name")[:300] if order is None else None,
        "supplier_pk": int(supplier_pk) if str(supplier_pk).isdigit() else None,
    })


@require("purchasing.create")
def order_create(request):
    return _order_form(request)


@require("purchasing.edit")
def order_edit(request, pk):
    return _order_form(request, selectors.purchase_order_get(request.user, pk))


@require("purchasing.view")
def lines_preview(request):
    """Totals recomputed on the server as the purchaser types (HTMX), in Decimal."""
    lines, errors = lines_from_post(request.POST)
    computed = []
    for line in lines:
        if line.get("quantity") is None or line.get("unit_price") is None:
            continue
        product = line.get("product")
        totals = line_totals(line["quantity"], line["unit_price"], line.get("discount_percent") or 0,
                             product.tax_rate if product else default_tax_rate())
        computed.append(type("Line", (), totals))
    return render(request, "sales/_totals.html", {"totals": document_totals(computed), "errors": errors})


@require("purchasing.view")
def order_detail(request, pk):
    order = selectors.purchase_order_get(request.user, pk)
    return render(request, "purchasing/order_detail.html", {
        "order": order, "lines": order.lines.select_related("product"),
        "receipts": order.goods_receipts.select_related("warehouse").order_by("received_on", "pk"),
        "warehouses": picklists.items("sales.warehouse"), "entries": history_for(order),
        "payables": order.payables.order_by("due_on"),
    })


@require("purchasing.edit")
@require_POST
def order_action(request, pk, action):
    order = selectors.purchase_order_get(request.user, pk)
    return act_on(request, action, {
        "place": (lambda: services.purchase_order_place(actor=request.user, order=order), _("The order is placed.")),
        "cancel": (lambda: services.purchase_order_cancel(actor=request.user, order=order,
                                                          reason=request.POST.get("reason", "")),
                   _("Order cancelled.")),
    }, back=order)


@require("purchasing.view")
def order_file(request, pk, fmt):
    order = selectors.purchase_order_get(request.user, pk)
    return file_response(fmt, {"pdf": lambda: purchase_order_pdf(order), "xlsx": lambda: purchase_order_xlsx(order)},
                         order.number)


@require("purchasing.edit")
@require_POST
def order_email(request, pk):
    order = selectors.purchase_order_get(request.user, pk)
    return act(request, lambda: services.purchase_order_send(actor=request.user, order=order, **emailed(request.POST)),
               done=_("The purchase order was e-mailed."), back=order)


@require("purchasing.receive")
@require_POST
def goods_receipt_create(request, pk):
    order = selectors.purchase_order_get(request.user, pk)
    return fulfil_posted(request, order, services.goods_receipt_create, prefix="receive_",
                         done=_("Goods receipt %(number)s made."))


@require("purchasing.view")
def goods_receipt_detail(request, pk):
    receipt = selectors.goods_receipt_get(request.user, pk)
    return render(request, "purchasing/goods_receipt_detail.html", {
        "receipt": receipt, "lines": receipt.lines.select_related("order_line__product"),
        "payable": getattr(receipt, "payable", None) if hasattr(receipt, "payable") else None,
    })
