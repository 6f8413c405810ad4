"""Demo money: the demo orders' receivables dated with their orders, and a year of
receipts: most paid within terms, some late, some partly, some still overdue, a few
reversed (a bounced cheque). Made through the services."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.approvals.models import ApprovalRequest, ApprovalStatus
from guanxi.approvals.services import approval_decide, may_decide
from guanxi.core import picklists
from guanxi.org.models import User
from guanxi.purchasing import services as purchasing
from guanxi.purchasing.models import GoodsReceipt, PurchaseOrder
from guanxi.sales.models import Order, Product

from . import expenses, invoices, services
from .models import Expense, ExpenseCategory, Invoice, InvoiceStatus, Payment, Receipt, Receivable

# Share of receivables left unpaid per branch: Beijing's customers pay late, so the
# dashboard's overdue receivables have a branch to drill into.
UNPAID = {"bj": 0.45}


def _cashier_for(branch_id):
    """The branch's finance person, else the general manager."""
    for user in User.objects.filter(branch_id=branch_id, is_active=True).prefetch_related("roles").order_by("pk"):
        if user.has_module_perm("finance.create") and user.has_module_perm("finance.reverse"):
            return user
    return User.objects.get(username="linhui")


def build(stdout=None, seed=20261202):
    if Receipt.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    methods = list(picklists.items("finance.payment_method"))
    weights = [50, 8, 14, 12, 6, 10][:len(methods)]
    # Receivables were made when the demo orders were confirmed: date them with the order.
    for receivable in Receivable.objects.select_related("order").filter(order__isnull=False):
        issued = receivable.order.order_date
        Receivable.objects.filter(pk=receivable.pk).update(
            issued_on=issued, due_on=issued + datetime.timedelta(days=rng.choice([30, 30, 45, 60])),
            created_at=timezone.make_aware(datetime.datetime.combine(issued, datetime.time(10))))
    cashiers = {}
    receipts = reversed_count = 0
    for receivable in Receivable.objects.select_related("customer", "branch").order_by("issued_on", "pk"):
        fate = rng.random()
        if fate < UNPAID.get(receivable.branch.code, 0.15):
            continue  # not paid yet: overdue or not, depending on its due date
        lag = rng.randint(-5, 25) if fate < 0.8 else rng.randint(30, 150)
        received_on = receivable.due_on + datetime.timedelta(days=lag)
        if received_on > today:
            continue
        part = receivable.amount if fate < 0.9 else (receivable.amount * Decimal(rng.choice(["0.3", "0.5"]))
                                                      ).quantize(Decimal("0.01"))
        cashier = cashiers.setdefault(receivable.branch_id, _cashier_for(receivable.branch_id))
        receipt = services.receipt_record(
            actor=cashier, customer=receivable.customer, amount=part, received_on=received_on,
            method=rng.choices(methods, weights=weights)[0] if methods else None,
            reference=f"{rng.randint(10**11, 10**12 - 1)}", allocate=[(receivable, part)])
        Receipt.objects.filter(pk=receipt.pk).update(
            created_at=timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(15))))
        receipts += 1
        if rng.random() < 0.02:
            services.receipt_reverse(actor=cashier, receipt=receipt, reason="支票退票",
                                     reversed_on=min(received_on + datetime.timedelta(days=3), today))
            reversed_count += 1
    more = build_more(rng, today)
    if stdout is not None:
        stdout.write(f"Demo finance: {Receivable.objects.count()} receivables, {receipts} receipts "
                     f"({reversed_count} reversed), {more['suppliers']} suppliers, {more['purchase_orders']} "
                     f"purchase orders, {more['payments']} payments, {more['expenses']} expenses, "
                     f"{more['invoices']} invoices.")


def build_more(rng, today):
    """Suppliers and a year of purchase orders, goods receipts and payments; expenses of
    every category; invoices for most paid orders; a few payment plans."""

    counts = {"suppliers": 0, "purchase_orders": 0, "payments": 0, "expenses": 0, "invoices": 0}
    products = list(Product.objects.order_by("pk"))
    buyers = [u for u in User.objects.filter(is_active=True).prefetch_related("roles").order_by("pk")
              if u.has_module_perm("purchasing.create") and u.has_module_perm("purchasing.receive")
              and not u.has_module_perm("sales.create")]
    names = ["东莞精密电子", "佛山华南五金", "苏州工业传感", "深圳新能电源", "宁波通达电缆", "天津北方机电"]
    for buyer in buyers:
        suppliers = [purchasing.supplier_save(
            actor=buyer, name=f"{rng.choice(names)}{buyer.pk}{i}有限公司", code=f"S{buyer.pk:02d}{i:02d}",
            contact_name=rng.choice(["陈", "林", "黄", "周"]) + "经理", phone=f"0769-2{rng.randint(1000000, 9999999)}",
            payment_days=rng.choice([30, 45, 60]), email=f"sales{buyer.pk}{i}@supplier.example")
            for i in range(3)]
        counts["suppliers"] += len(suppliers)
        cashier = _cashier_for(buyer.branch_id)
        for month_back in range(11, -1, -1):
            supplier = rng.choice(suppliers)
            order_day = today - datetime.timedelta(days=30 * month_back + rng.randint(0, 20))
            lines = [{"product": p, "description": p.name, "quantity": Decimal(rng.randint(5, 60)),
                      "unit_price": (p.list_price * Decimal("0.6")).quantize(Decimal("0.01"))}
                     for p in rng.sample(products, rng.randint(1, 3))]
            order = purchasing.purchase_order_create(actor=buyer, supplier=supplier, lines=lines)
            order = purchasing.purchase_order_place(actor=buyer, order=order)
            PurchaseOrder.objects.filter(pk=order.pk).update(order_date=order_day, created_at=_at(order_day))
            counts["purchase_orders"] += 1
            received_on = min(order_day + datetime.timedelta(days=rng.randint(3, 12)), today)
            quantities = {line.pk: line.quantity for line in order.lines.all()}
            receipt = purchasing.goods_receipt_create(actor=buyer, order=order, quantities=quantities,
                                                      received_on=received_on)
            GoodsReceipt.objects.filter(pk=receipt.pk).update(created_at=_at(received_on))
            payable = receipt.payable
            paid_on = payable.due_on + datetime.timedelta(days=rng.randint(-10, 10))
            if paid_on <= today and rng.random() < 0.85:
                payment = services.payment_record(actor=cashier, supplier=supplier, amount=payable.amount,
                                                  paid_on=paid_on, allocate=[(payable, payable.amount)])
                Payment.objects.filter(pk=payment.pk).update(created_at=_at(paid_on))
                counts["payments"] += 1
    items = list(ExpenseCategory.objects.filter(parent__isnull=False, is_active=True))
    for user in User.objects.filter(is_active=True, branch__isnull=False).order_by("pk"):
        for _ in range(rng.randint(4, 12)):
            item = rng.choice(items)
            spent_on = today - datetime.timedelta(days=rng.randint(0, 360))
            amount = Decimal(rng.randint(30, 3000 if item.parent.code != "rent" else 30000))
            expense = expenses.expense_create(actor=user, category=item, amount=amount, spent_on=spent_on,
                                              description=f"{item.name_zh} {spent_on:%m月%d日}")
            Expense.objects.filter(pk=expense.pk).update(created_at=_at(spent_on))
            counts["expenses"] += 1
            if user.manager_id and rng.random() < 0.85:
                expenses.expense_submit(actor=user, expense=expense)
    for request in ApprovalRequest.objects.filter(doc_type="finance.expense", status=ApprovalStatus.PENDING):
        approver = next((u for u in [request.requester.manager] if u and may_decide(u, request)), None)
        if approver is not None and rng.random() < 0.9:
            approve = rng.random() < 0.92
            approval_decide(actor=approver, request=request, approve=approve,
                            comment="" if approve else "超出报销标准，请补充说明")
    for order in Order.objects.filter(status__in=["confirmed", "shipped", "partly_shipped"]).select_related(
            "owner").order_by("pk"):
        if rng.random() < 0.7:
            try:
                invoices.invoice_request(actor=order.owner, order=order, amount=order.total,
                                         kind=rng.choice(["special", "special", "ordinary"]),
                                         buyer_tax_id=f"9144{rng.randint(10**13, 10**14 - 1)}X")
                counts["invoices"] += 1
            except Exception:  # noqa: BLE001, S112 - the demo only shows what the rules allow
                continue
    for request in ApprovalRequest.objects.filter(doc_type="finance.invoice", status=ApprovalStatus.PENDING):
        approvers = [u for u in User.objects.filter(branch_id=request.branch_id, is_active=True) if
                     may_decide(u, request)]
        if approvers and rng.random() < 0.85:
            approval_decide(actor=approvers[0], request=request, approve=True)

    for number, invoice in enumerate(Invoice.objects.filter(status=InvoiceStatus.APPROVED).order_by("pk"), start=1):
        if rng.random() < 0.8:
            invoices.invoice_issue(actor=_cashier_for(invoice.branch_id), invoice=invoice,
                                   invoice_number=f"4400{number:06d}", issued_on=min(
                                       invoice.order.order_date + datetime.timedelta(days=rng.randint(1, 20)), today))
    return counts


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
