"""A customer with something in every module, built through the services, for the tests
of the customer page, its summary API and the global search (CUS-6)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from guanxi.analytics.clv_models import (
    BasketRule,
    BasketRuleItem,
    CustomerClv,
    ProductTierPopularity,
)
from guanxi.core import picklists
from guanxi.core.models import PickItem
from guanxi.customers.services import (
    contact_create,
    customer_create,
    feedback_create,
    interaction_create,
)
from guanxi.finance import services as finance
from guanxi.finance.invoices import invoice_request
from guanxi.finance.models import Receivable
from guanxi.sales import services as sales
from guanxi.sales.models import OrderLine, Product
from guanxi.service import services as service
from guanxi.workplace import plans

from .sales import confirmed_order


@dataclass
class RichCustomer:
    customer: object
    contact: object
    opportunity: object
    quote: object
    order: object
    shipment: object
    receivable: object
    receipt: object
    invoice: object
    ticket: object
    feedback: object
    plan_item: object
    hidden_opportunity: object  # the sales manager's: not in the salesperson's scope


def rich_customer(users, *, name="广州华达电子有限公司", mobile="13800138000"):
    """A customer of liuyang (salesperson, Guangzhou) with a record in every module, and
    one opportunity of his manager on it that liuyang may not see."""
    seller, manager = users["liuyang"], users["wangjianguo"]
    customer = customer_create(actor=seller, name=name, mobile=mobile)
    contact = contact_create(actor=seller, customer=customer, name="王经理", title="采购经理", mobile="13900001111",
                             is_primary=True)
    interaction_create(actor=seller, customer=customer, channel="visit", summary="上门拜访采购经理")
    opportunity = sales.opportunity_create(actor=seller, customer=customer, name="华达打印机项目",
                                           amount=Decimal("120000.00"), contact=contact)
    hidden = sales.opportunity_create(actor=manager, customer=customer, name="经理的秘密项目",
                                      amount=Decimal("990000.00"))
    quote = sales.quote_create(actor=seller, customer=customer, lines=[
        {"description": "激光打印机", "quantity": Decimal("2"), "unit_price": Decimal("3000.00"),
         "tax_rate": Decimal("0")}])
    order = confirmed_order(seller, customer, ((4, "1000.00"),))
    line = order.lines.get()
    shipment = sales.shipment_create(actor=manager, order=order, quantities={line.pk: Decimal("1")})
    receivable = Receivable.objects.get(order=order)
    overdue_on = timezone.localdate() - datetime.timedelta(days=10)
    Receivable.objects.filter(pk=receivable.pk).update(due_on=overdue_on)
    cashier = users["zhouhong"]
    receipt = finance.receipt_record(actor=cashier, customer=customer, amount=Decimal("1500.00"))
    receivable.refresh_from_db()
    invoice = invoice_request(actor=seller, order=order, amount="3000.00", kind="ordinary")
    ticket = service.ticket_create(
        actor=users["xuting"], customer=customer, subject="打印机卡纸",
        ticket_type=picklists.items("service.ticket_type").get(code="repair"),
        severity=picklists.items("service.severity").get(code="normal"), contact_phone="139 0000 1111")
    feedback = feedback_create(actor=seller, customer=customer, content="希望加快交货",
                               department=seller.department)
    plan_item = plans.plan_item_create(actor=seller, title="拜访华达确认需求", customer=customer,
                                       day=timezone.localdate())
    nightly_analytics(customer, order)
    return RichCustomer(customer=customer, contact=contact, opportunity=opportunity, quote=quote, order=order,
                        shipment=shipment, receivable=receivable, receipt=receipt, invoice=invoice, ticket=ticket,
                        feedback=feedback, plan_item=plan_item, hidden_opportunity=hidden)


def nightly_analytics(customer, order):
    """What the nightly analytics runs would store for the customer (ANA-4, ANA-5): his order's
    line is a printer; a rule printer → toner; a dearer printer customers of his tier buy;
    his lifetime value and churn."""
    equipment, _created = PickItem.objects.get_or_create(
        list_key="sales.product_category", code="equipment", defaults={"name_zh": "设备", "name_en": "Equipment"})
    printer, toner, dearer = (Product.objects.create(sku=sku, name=name, category=equipment, list_price=Decimal(price))
                              for sku, name, price in (("R-PRN1", "激光打印机", "1000.00"), ("R-TNR1", "硒鼓", "300.00"),
                                                       ("R-PRN2", "彩色激光打印机", "5000.00")))
    OrderLine.objects.filter(order=order).update(product=printer)
    rule = BasketRule.objects.create(antecedent=[printer.pk], antecedent_key=str(printer.pk), consequent=toner,
                                     orders=40, support=0.04, confidence=0.6, lift=3.2)
    BasketRuleItem.objects.create(rule=rule, product=printer, size=1)
    customer.refresh_from_db(fields=["value_tier"])  # the confirmed order scored him (ANA-1)
    ProductTierPopularity.objects.create(tier=customer.value_tier, product=dearer, customers=12)
    today = timezone.localdate()
    CustomerClv.objects.create(customer=customer, purchases=1, first_order=today, last_order=today,
                               spend=order.total, average_value=order.total, p_alive=0.8, churn=0.2, expected_90=0.4,
                               clv=Decimal("1800.00"), value_at_risk=Decimal("800.00"))
