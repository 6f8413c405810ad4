from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import picklists
from guanxi.core.listing import Column, Filter, ListSpec

from . import selectors
from .models import ReceiptKind, ReceivableStatus


def _overdue(queryset, raw, request):
    if raw != "1":
        return None
    return queryset.filter(due_on__lt=timezone.localdate(), allocated__lt=F("amount")).exclude(
        status=ReceivableStatus.CANCELLED)


class ReceivableList(ListSpec):
    key = "finance.receivables"
    title = _("Receivables")
    permission = "finance.view"
    export_permission = "finance.export"
    create_url_name = "finance:receivable_create"
    create_permission = "finance.create"
    export_name = "receivables"
    default_sort = "due_on"
    columns = [
        Column("number", _("Number"), sortable=True, link=True),
        Column("customer", _("Customer"), value=lambda r: r.customer.name),
        Column("issued_on", _("Date"), sortable=True), Column("due_on", _("Due date"), sortable=True),
        Column("amount", _("Amount"), sortable=True), Column("allocated", _("Received")),
        Column("outstanding", _("Outstanding"), value=lambda r: r.outstanding),
        Column("status", _("Status")), Column("owner", _("Salesperson"), value=lambda r: r.owner.display_name),
    ]
    filters = [Filter("status", _("Status"), choices=ReceivableStatus.choices),
               Filter("overdue", _("Overdue"), kind="custom", choices=[("1", _("Yes"))], apply_func=_overdue),
               Filter("due_from", _("Due from"), lookup="due_on", kind="date_from"),
               Filter("due_to", _("Due to"), lookup="due_on", kind="date_to")]
    search_fields = ["number", "customer__name"]
    empty_text = _("No receivables.")

    def queryset(self, request):
        return selectors.receivables_visible_to(request.user)


class ReceiptList(ListSpec):
    key = "finance.receipts"
    title = _("Receipts")
    permission = "finance.view"
    export_permission = "finance.export"
    create_url_name = "finance:receipt_create"
    create_permission = "finance.create"
    export_name = "receipts"
    default_sort = "-received_on"
    columns = [
        Column("number", _("Number"), sortable=True, link=True),
        Column("customer", _("Customer"), value=lambda r: r.customer.name),
        Column("received_on", _("Date received"), sortable=True), Column("amount", _("Amount"), sortable=True),
        Column("allocated", _("Allocated")), Column("method", _("Method"), value=lambda r: r.method or ""),
        Column("kind", _("Kind")), Column("owner", _("Salesperson"), value=lambda r: r.owner.display_name),
    ]
    filters = [Filter("kind", _("Kind"), choices=ReceiptKind.choices),
               Filter("method", _("Method"), lookup="method_id",
                      choices=lambda r: picklists.choices("finance.payment_method")),
               Filter("from", _("Received from"), lookup="received_on", kind="date_from"),
               Filter("to", _("Received to"), lookup="received_on", kind="date_to")]
    search_fields = ["number", "customer__name", "payer", "reference"]
    empty_text = _("No receipts.")

    def queryset(self, request):
        return selectors.receipts_visible_to(request.user)
