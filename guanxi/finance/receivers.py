"""Money follows the documents: receivables from orders or shipments (the branch's
setting), payables from goods receipts; defaults seeded after migrate."""

from django.utils.translation import gettext_noop

from guanxi.approvals.models import ApprovalPolicy, ApprovalStep, ApproverKind
from guanxi.org.models import Role

from . import services
from .expenses import ensure_default_categories
from .services import payable_for_goods_receipt, receivable_for_order, receivable_for_shipment


def order_confirmed(sender, order, actor, **kwargs):
    receivable_for_order(order, actor)


def order_cancelling(sender, order, actor, **kwargs):
    return services.receivables_objecting_to_order_cancel(order)


def order_cancelled(sender, order, actor, reason, **kwargs):
    services.receivables_cancel_for_order(order, actor, reason)


def shipment_created(sender, shipment, actor, **kwargs):
    receivable_for_shipment(shipment, actor)


def goods_received(sender, goods_receipt, actor, **kwargs):
    payable_for_goods_receipt(goods_receipt, actor)


def after_migrate(sender, **kwargs):
    """Expense categories, and the approval flows: expenses by the manager, invoices by
    finance. Administrators change them afterwards; this only fills what is missing.
    The flows and steps are named by catalogue msgids, shown in each reader's language."""

    ensure_default_categories()
    if not ApprovalPolicy.objects.filter(doc_type="finance.expense").exists():
        policy = ApprovalPolicy.objects.create(doc_type="finance.expense", name=gettext_noop("Expense approval"))
        ApprovalStep.objects.create(policy=policy, position=1, name=gettext_noop("Direct manager"),
                                    approver_kind=ApproverKind.MANAGER)
    finance_role = Role.objects.filter(code="finance_supervisor").first()
    if finance_role is not None and not ApprovalPolicy.objects.filter(doc_type="finance.invoice").exists():
        policy = ApprovalPolicy.objects.create(doc_type="finance.invoice", name=gettext_noop("Invoice approval"))
        ApprovalStep.objects.create(policy=policy, position=1, name=gettext_noop("Finance"), approver_kind=ApproverKind.ROLE,
                                    role=finance_role)
