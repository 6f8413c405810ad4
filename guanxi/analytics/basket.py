"""Basket rules and suggestions (ANA-5).

Nightly (and on demand) the worker reads the products of every counted order, finds the
product sets bought together in at least ``max(MIN_ORDERS, MIN_SUPPORT × orders)`` orders
(up to ``MAX_SIZE`` products, ``basket_model``) and stores the rules A → c with confidence
≥ ``MIN_CONFIDENCE`` and lift > 1 (the ``KEEP`` strongest by lift). It also counts, per
value tier, how many customers bought each product, for up-sell.

Suggestions, read from the stored rules:
- often bought together: rules whose antecedent is within the given products (a customer's
  purchases, the lines of a quote or an order form), consequent not among them;
- cross-sell for a customer: the same over the products the customer bought;
- up-sell for a customer: in each category the customer bought, active products priced
  above the dearest he bought there, by how many customers of his value tier bought them.
"""

import math
import time
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, F, Q

from guanxi.core.fastinsert import insert_objects
from guanxi.org.scopes import scoped
from guanxi.sales.models import Order, OrderLine, Product

from . import basket_model
from .clv import job_progress as _progress
from .clv import register_runner
from .clv_models import BasketRule, BasketRuleItem, JobKind, ProductTierPopularity
from .value import COUNTED

MIN_SUPPORT = 0.001
MIN_ORDERS = 3
MIN_CONFIDENCE = 0.1
MAX_SIZE = 3
KEEP = 5000
ORDERS_PER_QUERY = 1_000_000  # orders whose lines go into one aggregated value (16 bytes a line)


# --- extraction ----------------------------------------------------------------------------------
def _lines_sql(select, where=""):
    line, order = OrderLine._meta.db_table, Order._meta.db_table
    statuses = ", ".join(f"'{status}'" for status in COUNTED)  # enum values, not user input
    return (f'SELECT {select} FROM "{line}" l '  # noqa: S608
            f'JOIN "{order}" o ON o."id" = l."order_id" WHERE o."status" IN ({statuses}) '
            f'AND l."product_id" IS NOT NULL{where}')


def order_lines():
    """(order ids, product ids) of every counted order's product lines, as numpy arrays.

    PostgreSQL: the server packs the lines of each range of order ids into one binary value
    (8-byte big-endian order id, then product id, per line) that numpy reads as it is, so no
    Python code runs per line (a COPY hands the rows over one at a time: 5.7 M calls at a
    million customers); SQLite: the cursor's rows."""
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(_lines_sql('l."order_id", l."product_id"'))
            flat = np.fromiter((value for row in cursor.cursor for value in row), dtype=np.int64)
            return flat[0::2], flat[1::2]
        cursor.execute(f'SELECT MIN("id"), MAX("id") FROM "{Order._meta.db_table}"')  # noqa: S608
        low, high = cursor.fetchone()
        packed = []
        for start in range(low or 0, (high or -1) + 1, ORDERS_PER_QUERY):
            cursor.execute(_lines_sql(
                "string_agg(int8send(l.\"order_id\") || int8send(l.\"product_id\"), ''::bytea)",
                ' AND o."id" >= %s AND o."id" < %s AND l."order_id" >= %s AND l."order_id" < %s'),
                [start, start + ORDERS_PER_QUERY] * 2)
            value = cursor.fetchone()[0]
            if value:
                packed.append(np.frombuffer(value, dtype=">i8"))
        pairs = np.concatenate(packed).astype(np.int64) if packed else np.zeros(0, dtype=np.int64)
        return pairs[0::2], pairs[1::2]


# --- the run -----------------------------------------------------------------------------------------
def mine(orders, products):
    n_orders = len(np.unique(orders)) if len(orders) else 0
    min_count = max(MIN_ORDERS, math.ceil(MIN_SUPPORT * n_orders))
    itemsets = basket_model.frequent_itemsets(orders, products, min_count, MAX_SIZE)
    rules = [rule for rule in basket_model.association_rules(itemsets, n_orders, MIN_CONFIDENCE) if rule.lift > 1]
    return n_orders, min_count, itemsets, rules[:KEEP]


def _store_rules(rules):
    BasketRule.objects.all().delete()
    stored = insert_objects(BasketRule, [BasketRule(
        antecedent=list(rule.antecedent), antecedent_key=",".join(map(str, rule.antecedent)),
        consequent_id=rule.consequent, orders=rule.count, support=rule.support, confidence=rule.confidence,
        lift=rule.lift) for rule in rules])
    insert_objects(BasketRuleItem, [BasketRuleItem(rule_id=row.pk, product_id=product, size=len(row.antecedent))
                                    for row in stored for product in row.antecedent])


def popularity_by_tier():
    """(tier, product, customers who bought it) over counted orders, one grouped query."""
    return OrderLine.objects.filter(order__status__in=COUNTED, product__isnull=False).values(
        "order__customer__value_tier", "product_id").annotate(n=Count("order__customer_id", distinct=True)) \
        .order_by().values_list("order__customer__value_tier", "product_id", "n")


def basket_compute(job=None, today=None):
    """Extract, mine and store the rules and the up-sell counts; returns the summary."""
    started = time.perf_counter()
    _progress(job, 5, "extract")
    orders, products = order_lines()
    extracted = time.perf_counter()
    _progress(job, 30, "mine")
    n_orders, min_count, itemsets, rules = mine(orders, products)
    mined = time.perf_counter()
    _progress(job, 60, "store")
    with transaction.atomic():
        _store_rules(rules)
    stored = time.perf_counter()
    _progress(job, 75, "popularity")
    with transaction.atomic():
        ProductTierPopularity.objects.all().delete()
        insert_objects(ProductTierPopularity, [ProductTierPopularity(tier=tier or "", product_id=product, customers=n)
                                               for tier, product, n in popularity_by_tier()])
    return {"orders": n_orders, "lines": len(orders), "min_count": min_count, "itemsets": len(itemsets),
            "rules": len(rules), "min_confidence": MIN_CONFIDENCE, "max_size": MAX_SIZE,
            "seconds": {"extract": round(extracted - started, 2), "mine": round(mined - extracted, 2),
                        "store": round(stored - mined, 2), "popularity": round(time.perf_counter() - stored, 2)}}


register_runner(JobKind.BASKET, lambda job: basket_compute(job, job.as_of))


# --- suggestions (reads) ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Suggestion:
    product: Product
    because: list  # the products that lead to it (antecedent), or the one it tops (up-sell)
    confidence: float | None = None
    lift: float | None = None
    customers: int | None = None


def rules_within(product_ids, limit=5, names=None):
    """The strongest rules whose antecedent lies within ``product_ids`` and whose consequent
    does not, one per consequent; ``names`` ({id: product}) saves the query for the antecedents."""
    product_ids = set(product_ids)
    if not product_ids:
        return []
    matched = BasketRuleItem.objects.filter(product_id__in=product_ids).values("rule_id", "size") \
        .annotate(hit=Count("pk")).filter(hit=F("size")).values("rule_id")
    rules = BasketRule.objects.filter(pk__in=matched).exclude(consequent_id__in=product_ids) \
        .select_related("consequent").order_by("-lift", "-confidence", "pk")[:limit * 10]
    chosen, seen = [], set()
    for rule in rules:
        if rule.consequent_id not in seen and len(chosen) < limit:
            seen.add(rule.consequent_id)
            chosen.append(rule)
    names = names if names is not None else Product.objects.in_bulk({pk for rule in chosen for pk in rule.antecedent})
    return [Suggestion(rule.consequent, [names[pk] for pk in rule.antecedent if pk in names], rule.confidence,
                       rule.lift) for rule in chosen]


def bought_by(user, customer):
    """The products of the customer's counted orders the user may see: {id: product} (one query)."""
    orders = scoped(Order.objects.filter(customer=customer, status__in=COUNTED), user)
    lines = OrderLine.objects.filter(order__in=orders.values("pk"), product__isnull=False)
    return {product.pk: product for product in Product.objects.filter(pk__in=lines.values("product_id"))}


def cross_sell(user, customer, limit=5, bought=None):
    bought = bought_by(user, customer) if bought is None else bought
    return rules_within(bought, limit, names=bought)


def up_sell(user, customer, limit=3, bought=None):
    """In each category the customer bought, the product above the dearest he bought there that
    most customers of his tier bought (one query besides his products)."""
    bought = bought_by(user, customer) if bought is None else bought
    dearest = {}
    for product in bought.values():
        if product.category_id and product.list_price > dearest.get(product.category_id, (Decimal(-1), None))[0]:
            dearest[product.category_id] = (product.list_price, product)
    if not dearest:
        return []
    dearer = Q()
    for category, (price, _top) in dearest.items():
        dearer |= Q(product__category_id=category, product__list_price__gt=price)
    rows = ProductTierPopularity.objects.filter(dearer, tier=customer.value_tier, product__is_active=True) \
        .exclude(product_id__in=list(bought)).select_related("product") \
        .order_by("-customers", "product__list_price", "product_id")
    best = {}
    for row in rows[:200]:
        best.setdefault(row.product.category_id, row)
    return [Suggestion(row.product, [dearest[category][1]], customers=row.customers)
            for category, row in best.items()][:limit]


def rules_about(q="", limit=100):
    """The strongest rules, or those with a product whose SKU or name holds ``q``: [(rule, antecedent products)]."""
    rules = BasketRule.objects.select_related("consequent")
    if q:
        products = Product.objects.filter(Q(sku__icontains=q) | Q(name__icontains=q)).values("pk")
        rules = rules.filter(Q(items__product_id__in=products) | Q(consequent_id__in=products)).distinct()
    rules = list(rules[:limit])
    names = Product.objects.in_bulk({pk for rule in rules for pk in rule.antecedent})
    return [(rule, [names[pk] for pk in rule.antecedent if pk in names]) for rule in rules]


def products_by_sku(skus):
    return list(Product.objects.filter(sku__in=[sku for sku in skus if sku]).values_list("pk", flat=True))
