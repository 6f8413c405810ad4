"""Sales benchmarks: the pipeline board with 10,000 open opportunities and the order entry
page (acceptance: under 300 ms server time), against a raw-SQL baseline.

    export GUANXI_DATA_DIR=/tmp/bench-sales                # SQLite (WAL), the embedded default
    python bench/sales_bench.py build --customers 1000000   # once (adds what is missing)
    python bench/sales_bench.py run --repeat 30

    createdb -h 127.0.0.1 -U postgres guanxi_bench_sales
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/guanxi_bench_sales
    python bench/sales_bench.py build --customers 1000000 && python bench/sales_bench.py run
    dropdb -h 127.0.0.1 -U postgres guanxi_bench_sales

The defaults (100,000 customers, 1,000,000 order lines) build in a few minutes; the
project guide's full scale is ``--order-lines 10000000``. ``run`` prints the machine, the
load average, the data size, p50/p95 and query counts of each request, and checks the
board's per-stage counts, its links to the rest of a column and the saved order.

Data: the demo organization; ``--customers`` realistic Chinese companies and people (90 %
owned by the ten demo salespeople and assistants, 10 % in the pool); the demo catalogue
and ``--products`` variants of it, with a price list per customer level; ``--open`` open
opportunities over the default pipeline's open stages plus ``--closed`` won and lost
ones, each with its stage history; orders with ``--order-lines`` lines (about five an
order) over two years. Bench data is written with COPY / executemany
(``core.fastinsert``), customers through ``customers.bulk`` (normalized, tokens, de-duplicated).
"""

import argparse
import datetime
import os
import random
import re
import time
from decimal import Decimal

from common import machine, setup_django, summary, timed, unique_customer_name

SCOPE_USERS = [("chenzhiqiang", "everything"), ("majun", "branch"), ("wangjianguo", "department tree"),
               ("liuyang", "own")]
OPEN_WEIGHTS = [35, 28, 22, 15]  # of the open stages, first to last
VARIANTS = ["标准型", "加强型", "防水型", "宽温型", "经济型", "高速型", "静音型", "防爆型", "黑色", "白色", "不锈钢",
            "24V", "220V", "380V", "A款", "B款", "C款", "Pro", "Lite", "Max"]
PROJECTS = ["设备采购", "产线改造", "年度备件", "监控系统", "自动化升级", "仓储改造", "维保续约", "新厂建设"]


def _prepare():
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from guanxi.org import demo

    return demo.build()


def _sellers():
    from guanxi.org.demo import EMPLOYEES
    from guanxi.org.models import User

    names = [e[0] for e in EMPLOYEES if "salesperson" in e[4] or "sales_assistant" in e[4]]
    return list(User.objects.filter(username__in=names).order_by("pk"))


# --- data ------------------------------------------------------------------------------
def build_customers(rng, total, users):
    from django.utils import timezone

    from guanxi.core import picklists
    from guanxi.customers.bulk import CustomerRow, customers_bulk_insert
    from guanxi.customers.models import Customer
    from guanxi.customers.namegen import landline, mobile

    have = Customer.all_objects.count()
    if have >= total:
        return
    sellers = _sellers()
    industries = {item.code: item for item in picklists.items("customers.industry")}
    sources = list(picklists.items("customers.source"))
    levels = list(picklists.items("customers.level"))
    seen = set(Customer.all_objects.values_list("name", flat=True))
    now = timezone.now()
    started = time.perf_counter()
    while have < total:
        rows = []
        while len(rows) < min(20_000, total - have):
            name, industry, province, city = unique_customer_name(rng, seen)
            owner = None if rng.random() < 0.1 else rng.choice(sellers)
            rows.append(CustomerRow(
                name=name, kind="company" if industry else "individual",
                category=rng.choices(["customer", "prospect", "partner", "supplier"], [55, 35, 6, 4])[0],
                industry=industries.get(industry or "other"), source=rng.choice(sources), level=rng.choice(levels),
                province=province, city=city, mobile=mobile(rng) if rng.random() < 0.8 else "",
                phone=landline(rng, province) if rng.random() < 0.3 else "",
                email=f"c{have + len(rows)}@example{rng.randint(1, 9999)}.cn" if rng.random() < 0.3 else "",
                owner=owner, branch=owner.branch if owner else rng.choice(sellers).branch,
                created_at=now - datetime.timedelta(days=rng.randint(30, 1500), minutes=rng.randint(0, 1440)),
            ))
        result = customers_bulk_insert(actor=users["zhaolei"], rows=rows, source="bench")
        have += result.created
        print(f"  customers: {have} ({time.perf_counter() - started:.0f} s)", flush=True)


def build_products(rng, total):
    from guanxi.core import picklists
    from guanxi.sales.demo import PRODUCTS
    from guanxi.sales.models import PriceList, PriceListItem, Product

    if Product.objects.count() >= total:
        return
    categories = {item.code: item for item in picklists.items("sales.product_category")}
    products = []
    for index in range(total):
        sku, name, model, category, unit, price = PRODUCTS[index % len(PRODUCTS)]
        variant = index // len(PRODUCTS)
        if variant:
            sku, model = f"{sku}-{variant:03d}", f"{model}-{variant:03d}"
            name = f"{name} {VARIANTS[variant % len(VARIANTS)]} {variant:03d}"
            price = (Decimal(price) * Decimal(rng.randint(80, 160)) / 100).quantize(Decimal("0.01"))
        products.append(Product(sku=sku, name=name, model_number=model, category=categories.get(category), unit=unit,
                                list_price=Decimal(price), tax_rate=Decimal("0.06") if category in (
                                    "service", "software") else Decimal("0.13")))
    Product.objects.bulk_create(products, batch_size=2000, ignore_conflicts=True)
    products = list(Product.objects.all())
    for level, rate in (("vip", 85), ("key", 92)):
        item = picklists.items("customers.level").filter(code=level).first()
        if item is None or PriceList.objects.filter(level=item).exists():
            continue
        price_list = PriceList.objects.create(name=f"{item.name}价格", level=item)
        PriceListItem.objects.bulk_create([
            PriceListItem(price_list=price_list, product=p, price=(p.list_price * rate / 100).quantize(Decimal("0.01")))
            for p in products if rng.random() < 0.5], batch_size=2000)


def _owned_customers():
    from guanxi.customers.models import Customer

    by_owner = {}
    for pk, owner_id, level_id in Customer.objects.filter(owner__isnull=False).values_list("pk", "owner_id",
                                                                                           "level_id"):
        by_owner.setdefault(owner_id, []).append((pk, level_id))
    return by_owner


def build_opportunities(rng, open_total, closed_total):
    from django.db import transaction
    from django.utils import timezone

    from guanxi.core import picklists
    from guanxi.core.fastinsert import insert_objects
    from guanxi.customers.models import Customer
    from guanxi.sales.models import Opportunity, StageChange, StageKind
    from guanxi.sales.services import default_pipeline

    pipeline = default_pipeline()
    stages = list(pipeline.stages.order_by("position"))
    open_stages = [s for s in stages if s.kind == StageKind.OPEN]
    won = next(s for s in stages if s.kind == StageKind.WON)
    lost = next(s for s in stages if s.kind == StageKind.LOST)
    have_open = Opportunity.objects.filter(stage__kind=StageKind.OPEN).count()
    have_closed = Opportunity.objects.exclude(stage__kind=StageKind.OPEN).count()
    wanted = [None] * max(0, open_total - have_open) + [won if rng.random() < 0.45 else lost
                                                        for _ in range(max(0, closed_total - have_closed))]
    if not wanted:
        return
    sellers = _sellers()
    weights = [rng.uniform(0.6, 1.4) for _ in sellers]
    by_owner = _owned_customers()
    names = dict(Customer.objects.filter(owner__in=sellers).values_list("pk", "name"))
    reasons = list(picklists.items("sales.lost_reason"))
    sources = list(picklists.items("customers.source"))
    now = timezone.now()
    opportunities, changes = [], []
    for target in wanted:
        seller = rng.choices(sellers, weights)[0]
        customer_id, _level = rng.choice(by_owner[seller.pk])
        created = now - datetime.timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1440))
        stage = rng.choices(open_stages, OPEN_WEIGHTS)[0] if target is None else target
        path = open_stages[:open_stages.index(stage) + 1] if target is None else \
            open_stages[:rng.randint(1, len(open_stages))] + [target]
        step = datetime.timedelta(days=rng.randint(1, 20))
        changed = min(created + step * (len(path) - 1), now)
        opportunity = Opportunity(
            name=f"{names[customer_id][:8]}{rng.choice(PROJECTS)}", customer_id=customer_id, pipeline=pipeline,
            stage=stage, amount=Decimal(rng.randrange(5, 900)) * 1000, owner_id=seller.pk, branch_id=seller.branch_id,
            expected_close_on=(changed + datetime.timedelta(days=rng.randint(-30, 120))).date(),
            source=rng.choice(sources), stage_changed_at=changed, closed_at=changed if target else None,
            lost_reason=rng.choice(reasons) if target == lost else None, created_at=created, updated_at=changed)
        opportunities.append(opportunity)
        changes.append([(None if i == 0 else path[i - 1], s, min(created + step * i, now)) for i, s in enumerate(path)])
    with transaction.atomic():
        for start in range(0, len(opportunities), 5000):
            insert_objects(Opportunity, opportunities[start:start + 5000])
        history = [StageChange(opportunity_id=o.pk, from_stage=f, to_stage=t, actor_id=o.owner_id, amount=o.amount,
                               created_at=when) for o, steps in zip(opportunities, changes, strict=True)
                   for f, t, when in steps]
        for start in range(0, len(history), 10_000):
            insert_objects(StageChange, history[start:start + 10_000])
    print(f"  opportunities: +{len(opportunities)}, stage changes +{len(history)}", flush=True)


def build_orders(rng, line_total):
    from django.db import transaction
    from django.utils import timezone

    from guanxi.core.fastinsert import insert_objects
    from guanxi.core.models import DocumentSequence
    from guanxi.core.money import document_totals, line_totals
    from guanxi.sales.models import (
        Opportunity,
        Order,
        OrderLine,
        OrderStatus,
        PriceListItem,
        Product,
    )

    have = OrderLine.objects.count()
    if have >= line_total:
        return
    sellers = {seller.pk: seller for seller in _sellers()}
    by_owner = _owned_customers()
    products = list(Product.objects.filter(is_active=True).values_list("pk", "name", "unit", "list_price",
                                                                       "tax_rate"))
    special = {(level, product): price for level, product, price in PriceListItem.objects.values_list(
        "price_list__level_id", "product_id", "price")}
    won = list(Opportunity.objects.filter(stage__kind="won").values_list("pk", "owner_id", "customer_id"))
    statuses = [OrderStatus.COMPLETED, OrderStatus.SHIPPED, OrderStatus.PARTLY_SHIPPED, OrderStatus.CONFIRMED,
                OrderStatus.DRAFT, OrderStatus.CANCELLED]
    sequences = {}
    for period, last in DocumentSequence.objects.filter(doc_type="sales.order").values_list("period", "last"):
        sequences[period] = last
    now = timezone.now()
    started = time.perf_counter()
    while have < line_total:
        orders, lines = [], []
        while len(lines) < 50_000 and have + len(lines) < line_total:
            if won and rng.random() < 0.05:
                opportunity_id, owner_id, customer_id = won.pop()
                level_id = None
            else:
                opportunity_id, owner_id = None, rng.choice(list(sellers))
                customer_id, level_id = rng.choice(by_owner[owner_id])
            seller = sellers[owner_id]
            day = now - datetime.timedelta(days=rng.randint(0, 730), minutes=rng.randint(0, 600))
            status = rng.choices(statuses, [55, 20, 8, 10, 4, 3])[0]
            period = f"{timezone.localtime(day):%Y}"
            sequences[period] = sequences.get(period, 0) + 1
            order = Order(number=f"SO-{period}-{sequences[period]:06d}", customer_id=customer_id, owner_id=owner_id,
                          branch_id=seller.branch_id, opportunity_id=opportunity_id, status=status,
                          order_date=day.date(), delivery_date=(day + datetime.timedelta(days=rng.randint(5, 40))).date(),
                          created_at=day, updated_at=day,
                          confirmed_at=day if status not in (OrderStatus.DRAFT, OrderStatus.CANCELLED) else None)
            built = []
            for position in range(1, rng.choice((1, 2, 3, 3, 4, 5, 5, 6, 8, 12)) + 1):
                product_id, name, unit, price, tax_rate = rng.choice(products)
                quantity = Decimal(rng.choice((1, 1, 2, 3, 5, 10, 20, 50)))
                discount = Decimal(rng.choice((0, 0, 0, 3, 5, 8)))
                price = special.get((level_id, product_id), price)
                line = OrderLine(order=order, position=position, product_id=product_id, description=name, unit=unit,
                                 quantity=quantity, unit_price=price, discount_percent=discount, tax_rate=tax_rate,
                                 shipped_quantity=quantity if status in (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
                                 else (quantity // 2 if status == OrderStatus.PARTLY_SHIPPED else Decimal(0)),
                                 **line_totals(quantity, price, discount, tax_rate))
                built.append(line)
            for key, value in document_totals(built).items():
                setattr(order, key, value)
            orders.append(order)
            lines.extend(built)
        with transaction.atomic():
            insert_objects(Order, orders)
            for line in lines:
                line.order_id = line.order.pk
            insert_objects(OrderLine, lines)
        have += len(lines)
        print(f"  order lines: {have} ({time.perf_counter() - started:.0f} s)", flush=True)
    for period, last in sequences.items():
        DocumentSequence.objects.update_or_create(doc_type="sales.order", period=period, defaults={"last": last})


def _analyze():
    from django.db import connection

    from guanxi.system.services import database_optimize

    database_optimize()  # what the nightly job does on SQLite
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # autovacuum would, some time after a bulk load


def sizes():
    from django.db import connection

    from guanxi.customers.models import Customer
    from guanxi.sales.models import Opportunity, Order, OrderLine, Product, StageKind

    return (f"{connection.vendor}: {Customer.objects.count():,} customers, {Product.objects.count():,} products, "
            f"{Opportunity.objects.filter(stage__kind=StageKind.OPEN).count():,} open opportunities + "
            f"{Opportunity.objects.exclude(stage__kind=StageKind.OPEN).count():,} won/lost, "
            f"{Order.objects.count():,} orders, {OrderLine.objects.count():,} order lines")


def build(args):
    setup_django()
    from django.db import connection

    users = _prepare()
    rng = random.Random(args.seed)
    started = time.perf_counter()
    build_customers(rng, args.customers, users)
    build_products(rng, args.products)
    build_opportunities(rng, args.open, args.closed)
    build_orders(rng, args.order_lines)
    _analyze()
    print(f"{connection.vendor}; {machine()}")
    print(f"built in {time.perf_counter() - started:.0f} s; {sizes()}")


# --- measurements -----------------------------------------------------------------------
def _board_sql(user, pipeline):
    """The board's data in one hand-written query: every stage's count and sum, and per
    stage its newest cards (200 for an open stage, 20 for won and lost) with the
    customer's name."""
    from guanxi.org.models import DataScope
    from guanxi.org.scopes import colleague_ids, widest_scope

    scope = widest_scope(user)
    where, scope_params = "", []
    if scope == DataScope.BRANCH:
        where, scope_params = "AND (o.owner_id = %s OR o.branch_id = %s)", [user.pk, user.branch_id]
    elif scope == DataScope.DEPARTMENT_TREE:
        ids = sorted(colleague_ids(user, tree=True))
        where, scope_params = f"AND o.owner_id IN ({', '.join(['%s'] * len(ids))})", ids
    elif scope == DataScope.OWN:
        where, scope_params = "AND o.owner_id = %s", [user.pk]
    visible = f"FROM sales_opportunity o WHERE o.pipeline_id = %s AND o.deleted_at IS NULL {where}"
    parts = [f"SELECT o.stage_id, NULL, NULL, NULL, NULL, NULL, count(*), sum(o.amount) {visible} GROUP BY o.stage_id"]
    params = [pipeline.pk, *scope_params]
    newest = (f"SELECT o.stage_id, o.id, o.name, o.amount, o.expected_close_on, o.customer_id {visible} "
              "AND o.stage_id = %s ORDER BY o.stage_changed_at DESC, o.id DESC LIMIT %s")
    for stage in pipeline.stages.order_by("position"):
        parts.append("SELECT t.stage_id, t.id, t.name, t.amount, t.expected_close_on, c.name, NULL, NULL FROM "  # noqa: S608
                     f"({newest}) t JOIN customers_customer c ON c.id = t.customer_id")
        params += [pipeline.pk, *scope_params, stage.pk, 200 if stage.kind == "open" else 20]
    return " UNION ALL ".join(parts), params


def _check_board(html, user, pipeline):
    """Per-stage counts and sums on the page are those of every visible opportunity, and
    a column with more cards than it shows links to the full list."""
    from django.db.models import Count, Sum

    from guanxi.sales.selectors import opportunities_visible_to

    totals = {row["stage"]: row for row in opportunities_visible_to(user).filter(pipeline=pipeline).order_by()
              .values("stage").annotate(n=Count("pk"), amount=Sum("amount"))}
    shown = {}
    for stage in pipeline.stages.all():
        match = re.search(rf'data-stage="{stage.pk}".*?class="column-count">([\d,]+)<', html, re.S)
        assert match, stage
        count = int(match.group(1).replace(",", ""))
        assert count == totals.get(stage.pk, {"n": 0})["n"], (stage, count)
        column = html.split(f'data-stage="{stage.pk}"', 1)[1].split("</section>", 1)[0]
        cards = column.count('class="card"')
        shown[stage.name_en] = (cards, count)
        if cards < count:
            assert f"stage={stage.pk}" in column, f"no link to the rest of {stage.name_en}"
    return shown


def _five_lines(products, customer_id):
    data = {"customer": customer_id, "delivery_date": ""}
    for index, product in enumerate(products[:5], start=1):
        data.update({f"product_{index}": product.sku, f"quantity_{index}": str(index * 2),
                     f"discount_{index}": "5" if index == 3 else ""})
    return data


def run(args):
    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from guanxi.customers.models import Customer
    from guanxi.org.scopes import widest_scope
    from guanxi.sales.models import Order, Product, StageKind
    from guanxi.sales.selectors import opportunities_visible_to
    from guanxi.sales.services import default_pipeline

    users = _prepare()
    pipeline = default_pipeline()
    print(f"{machine()}; load average {os.getloadavg()[0]:.2f}")
    print(sizes())
    results = {}

    def measure(label, func, repeat=args.repeat):
        response = func()
        assert response.status_code in (200, 302), (label, response.status_code, response.content[:500])
        with CaptureQueriesContext(connection) as queries:
            func()
        results[label] = summary(f"{label} [{len(queries)} q]", timed(func, repeat))
        return response

    print("\n-- pipeline board, GET /sales/opportunities/")
    baselines = {}
    for username, scope in SCOPE_USERS:
        user = users[username]
        assert widest_scope(user) == {"everything": "all", "department tree": "department_tree"}.get(scope, scope)
        visible = opportunities_visible_to(user).filter(stage__kind=StageKind.OPEN).count()
        client = Client()
        client.force_login(user)
        response = measure(f"board, {scope} ({username}, {visible:,} open)",
                           lambda c=client: c.get("/sales/opportunities/"))
        shown = _check_board(response.content.decode(), user, pipeline)
        print("    cards shown / counted per stage: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in shown.items()))
        sql, params = _board_sql(user, pipeline)
        with connection.cursor() as cursor:
            def raw(cursor=cursor, sql=sql, params=params):
                cursor.execute(sql, params)
                return cursor.fetchall()
            rows = raw()
            baselines[username] = summary(f"raw SQL, board data, {scope} ({len(rows)} rows)", timed(raw, args.repeat))
    print("\n-- order entry")
    seller = users["liuyang"]
    customer = Customer.objects.filter(owner=seller, level__code="vip").order_by("pk").first()
    products = random.Random(2).sample(list(Product.objects.filter(is_active=True).order_by("pk")), 5)
    for username, scope in SCOPE_USERS:
        client = Client()
        client.force_login(users[username])
        measure(f"GET /sales/orders/new/, {scope} ({username})", lambda c=client: c.get("/sales/orders/new/"))
    client = Client()
    client.force_login(seller)
    data = _five_lines(products, customer.pk)
    measure("POST /sales/lines/preview/, 5 lines", lambda: client.post("/sales/lines/preview/", data))
    rng = random.Random(3)
    words = ["GX-SV", "GX-DS2", "伺服", "传感器", "显示器 27", "PLC-10-01", "防水", "继电器", "软件", "x-nothing"]
    queries = [rng.choice(words) for _ in range(args.repeat * 3)]
    results["product search"] = summary("GET /sales/products/search/?q=… (10 terms)", [
        _time(lambda q=q: client.get("/sales/products/search/", {"q": q})) for q in queries])
    # The customer autocomplete: keywords of 2-4 characters cut from the seller's customers'
    # names (normalized: legal suffixes off, as in bench/customers_bench.py).
    names = list(Customer.objects.filter(owner=seller).order_by("-pk").values_list("name_norm", flat=True)[:3000])
    terms = []
    while len(terms) < args.repeat * 3:
        name, length = rng.choice(names), rng.choice((2, 3, 4))
        if len(name) > length:
            start = rng.randrange(len(name) - length)
            terms.append(name[start:start + length])
    last = Customer.objects.filter(owner=seller).order_by("-name").first()  # never among a first 500 by name
    assert f'value="{last.pk}"' in client.get("/sales/customers/options/", {"q": last.name}).content.decode()
    for username, scope in (SCOPE_USERS[3], SCOPE_USERS[0]):
        searcher = Client()
        searcher.force_login(users[username])
        results[f"customer search {scope}"] = summary(f"GET /sales/customers/options/?q=…, {scope}", [
            _time(lambda q=q, c=searcher: c.get("/sales/customers/options/", {"q": q})) for q in terms])
    before = Order.objects.count()
    response = measure("POST /sales/orders/new/, 5 lines (saves)", lambda: client.post("/sales/orders/new/", data))
    assert response.status_code == 302 and Order.objects.count() > before, response.content[:2000]
    print(f"\n-- page / raw SQL (p50); load average {os.getloadavg()[0]:.2f}")
    for username, scope in SCOPE_USERS:
        page = next(v for k, v in results.items() if k.startswith(f"board, {scope} "))
        print(f"board, {scope:<16} {page[0]:8.2f} ms / {baselines[username][0]:6.2f} ms = "
              f"{page[0] / baselines[username][0]:6.1f} ×")


def _time(func):
    started = time.perf_counter()
    func()
    return (time.perf_counter() - started) * 1000


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build")
    p.add_argument("--customers", type=int, default=100_000)
    p.add_argument("--products", type=int, default=2_000)
    p.add_argument("--open", type=int, default=10_000)
    p.add_argument("--closed", type=int, default=20_000)
    p.add_argument("--order-lines", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("run")
    p.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    {"build": build, "run": run}[args.command](args)


if __name__ == "__main__":
    main()
