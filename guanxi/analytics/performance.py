"""Sales performance (SAL-7): per person, department or branch over a period: new
customers, interactions and visits, opportunities won, confirmed orders and money
received, ranked by any of them.

Who a figure belongs to: customers and opportunities their owner, interactions their
author, orders their owner, receipts the salesperson credited. Departments are the
person's department now; branches the record's branch. Every figure is read through
the viewer's scope, so a ranking never shows what the viewer could not open.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from guanxi.customers.models import Channel, Customer, Interaction
from guanxi.finance.selectors import received_by
from guanxi.org.models import Branch, Department, User
from guanxi.org.scopes import scoped
from guanxi.sales.models import Opportunity, Order, OrderStatus, StageKind

from .runner import ReportRunner

ZERO = Decimal("0")
COUNTED_ORDERS = [OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.COMPLETED]
METRICS = ["order_amount", "received_amount", "won_amount", "won_count", "new_customers", "interactions"]


@dataclass
class PerformanceRow:
    key: object
    label: str
    new_customers: int = 0
    interactions: int = 0
    visits: int = 0
    won_count: int = 0
    won_amount: Decimal = ZERO
    order_count: int = 0
    order_amount: Decimal = ZERO
    received_amount: Decimal = ZERO
    rank: int = 0


# (record owner path, record branch path) per grouping
KEYS = {
    "person": {"owner": "owner_id", "author": "author_id", "branch": None},
    "department": {"owner": "owner__department_id", "author": "author_department_id", "branch": None},
    "branch": {"owner": "branch_id", "author": "customer__branch_id", "branch": "branch_id"},
}


class PerformanceReport(ReportRunner):
    """``PerformanceReport(user, period=…, group="person", sort="order_amount").run()``"""

    def calculate(self):
        period = self.params["period"]
        group = self.params.get("group") or "person"
        keys = KEYS[group]
        start, end = period.aware_range()
        rows = {}

        def row(key):
            if key not in rows:
                rows[key] = PerformanceRow(key=key, label="")
            return rows[key]

        customers = scoped(Customer.objects.filter(created_at__gte=start, created_at__lt=end,
                                                   owner__isnull=False), self.user, extra=False)
        for item in customers.order_by().values(keys["owner"]).annotate(n=Count("pk")):
            row(item[keys["owner"]]).new_customers = item["n"]
        interactions = self.scoped(Interaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end))
        for item in interactions.order_by().values(keys["author"]).annotate(
                n=Count("pk"), visits=Count("pk", filter=Q(channel=Channel.VISIT))):
            target = row(item[keys["author"]])
            target.interactions, target.visits = item["n"], item["visits"]
        won = self.scoped(Opportunity.objects.filter(stage__kind=StageKind.WON, closed_at__gte=start,
                                                     closed_at__lt=end))
        for item in won.order_by().values(keys["owner"]).annotate(n=Count("pk"), amount=Sum("amount")):
            target = row(item[keys["owner"]])
            target.won_count, target.won_amount = item["n"], item["amount"] or ZERO
        orders = self.scoped(Order.objects.filter(status__in=COUNTED_ORDERS, order_date__gte=period.start,
                                                  order_date__lt=period.end))
        for item in orders.order_by().values(keys["owner"]).annotate(n=Count("pk"), amount=Sum("total")):
            target = row(item[keys["owner"]])
            target.order_count, target.order_amount = item["n"], item["amount"] or ZERO
        for key, amount in received_by(self.user, period.start, period.end, keys["owner"]).items():
            row(key).received_amount = amount
        self._label(rows, group)
        sort = self.params.get("sort") if self.params.get("sort") in METRICS else "order_amount"
        ordered = sorted(rows.values(), key=lambda r: (-getattr(r, sort), r.label))
        for position, item in enumerate(ordered, start=1):
            item.rank = position
        return ordered

    @staticmethod
    def _label(rows, group):
        model = {"person": User, "department": Department, "branch": Branch}[group]
        field = "display_name" if group == "person" else "name"
        names = dict(model.objects.filter(pk__in=[k for k in rows if k is not None]).values_list("pk", field))
        for key, item in rows.items():
            item.label = names.get(key) or "—"
