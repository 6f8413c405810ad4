"""Demo sales: a product catalogue and a year of leads, opportunities, quotes, orders and
shipping notes on the demo customers, made through the services."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from guanxi.core import picklists
from guanxi.core.money import default_tax_rate
from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.org.scopes import can_see

from . import services
from .models import Lead, Opportunity, Order, Product, Quote, Shipment, StageChange, StageKind

PRODUCTS = [
    ("GX-DS100", "工业显示器 21.5 寸", "DS100", "equipment", "台", "2999.00"),
    ("GX-DS200", "工业显示器 27 寸", "DS200", "equipment", "台", "4599.00"),
    ("GX-PLC10", "可编程控制器", "PLC-10", "equipment", "台", "8800.00"),
    ("GX-SV300", "伺服电机 300W", "SV-300", "equipment", "台", "1980.00"),
    ("GX-SV750", "伺服电机 750W", "SV-750", "equipment", "台", "2650.00"),
    ("GX-SN01", "光电传感器", "SN-01", "parts", "个", "168.00"),
    ("GX-SN05", "接近开关", "SN-05", "parts", "个", "86.50"),
    ("GX-CB10", "屏蔽电缆 10 米", "CB-10", "parts", "卷", "320.00"),
    ("GX-RL24", "中间继电器 24V", "RL-24", "parts", "个", "45.80"),
    ("GX-PW24", "开关电源 24V", "PW-24", "parts", "个", "268.00"),
    ("GX-FL01", "空气滤芯", "FL-01", "consumables", "个", "58.00"),
    ("GX-OIL5", "导轨润滑油 5L", "OIL-5", "consumables", "桶", "210.00"),
    ("GX-SVC1", "上门安装调试", "SVC-1", "service", "次", "1500.00"),
    ("GX-SVC2", "年度维保服务", "SVC-2", "service", "年", "12000.00"),
    ("GX-SW01", "设备监控软件", "SW-01", "software", "套", "19800.00"),
]


def build(stdout=None, seed=20261124):
    if Product.objects.exists():
        return
    rng = random.Random(seed)
    manager = User.objects.filter(username="chenzhiqiang").first()
    categories = {item.code: item for item in picklists.items("sales.product_category")}
    for sku, name, model, category, unit, price in PRODUCTS:
        Product.objects.create(sku=sku, name=name, model_number=model, category=categories.get(category), unit=unit,
                               list_price=Decimal(price), tax_rate=Decimal("0.06") if category in (
                                   "service", "software") else default_tax_rate())
    products = list(Product.objects.all())
    pipeline = services.default_pipeline()
    stages = list(pipeline.stages.order_by("position"))
    lost_reasons = list(picklists.items("sales.lost_reason"))
    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).prefetch_related("roles")
               if u.has_module_perm("sales.create") and u.has_module_perm("customers.create")]
    shippers = [u for u in User.objects.filter(is_active=True).prefetch_related("roles").order_by("pk")
                if u.has_module_perm("sales.ship")]
    now = timezone.now()
    counts = {"leads": 0, "opportunities": 0, "quotes": 0, "orders": 0, "shipments": 0}
    for seller in sellers:
        customers = list(Customer.objects.filter(owner=seller, kind="company")[:12])
        for i in range(6):
            lead = services.lead_create(actor=seller, company=f"{rng.choice(['华南', '华东', '华北', '西南'])}"
                                        f"{rng.choice(['精工', '智造', '联合', '远航'])}{seller.pk}{i}号有限公司",
                                        name=rng.choice(["王", "李", "张", "刘"]) + rng.choice(["经理", "总", "工"]),
                                        mobile=f"137{seller.pk:02d}{i:06d}")
            _backdate(Lead, lead.pk, now - datetime.timedelta(days=rng.randint(0, 360)))
            counts["leads"] += 1
        for customer in customers:
            days_ago = rng.randint(5, 360)
            opportunity = services.opportunity_create(
                actor=seller, customer=customer, name=f"{customer.name[:8]}{rng.choice(['设备采购', '产线改造', '年度备件', '监控系统'])}",
                amount=Decimal(rng.randrange(20, 900)) * 1000,
                expected_close_on=(now + datetime.timedelta(days=rng.randint(-60, 120))).date())
            counts["opportunities"] += 1
            target = rng.choices(stages, weights=[14, 14, 16, 12, 28, 16])[0]
            for stage in stages[1:]:
                if stage.position > target.position or stage.kind == StageKind.LOST and target.kind != StageKind.LOST:
                    break
                if stage.kind == StageKind.WON and target.kind == StageKind.LOST:
                    continue
                services.opportunity_move(actor=seller, opportunity=opportunity, stage=stage,
                                          lost_reason=rng.choice(lost_reasons) if stage.kind == StageKind.LOST else None)
            start = now - datetime.timedelta(days=days_ago)
            _backdate(Opportunity, opportunity.pk, start)
            changes = list(StageChange.objects.filter(opportunity=opportunity).order_by("pk"))
            when = start
            for step, change in enumerate(changes):
                when = min(start + datetime.timedelta(days=step * rng.randint(3, 12)), now)
                StageChange.objects.filter(pk=change.pk).update(created_at=when)
            # The history, close date and expected close agree with each other.
            if target.kind != StageKind.OPEN:
                Opportunity.objects.filter(pk=opportunity.pk).update(
                    closed_at=when, stage_changed_at=when,
                    expected_close_on=(when + datetime.timedelta(days=rng.randint(-10, 10))).date())
            else:
                Opportunity.objects.filter(pk=opportunity.pk).update(
                    stage_changed_at=when, expected_close_on=(now + datetime.timedelta(days=rng.randint(-20, 150))).date())
            if target.position >= 2 and target.kind != StageKind.LOST:
                lines = [{"product": product, "quantity": rng.randint(1, 20),
                          "discount_percent": Decimal(rng.choice([0, 0, 3, 5, 8]))}
                         for product in rng.sample(products, rng.randint(1, 4))]
                quote = services.quote_create(actor=seller, customer=customer, opportunity=opportunity, lines=lines)
                services.quote_submit(actor=seller, quote=quote)
                counts["quotes"] += 1
                _backdate(Quote, quote.pk, start + datetime.timedelta(days=2))
                if target.kind == StageKind.WON:
                    order = services.quote_accept(actor=seller, quote=quote)
                    order.delivery_date = (start + datetime.timedelta(days=rng.randint(10, 40))).date()
                    order.save(update_fields=["delivery_date"])
                    order = services.order_confirm(actor=seller, order=order)
                    _backdate(Order, order.pk, start + datetime.timedelta(days=5))
                    Order.objects.filter(pk=order.pk).update(order_date=(start + datetime.timedelta(days=5)).date())
                    counts["orders"] += 1
                    shipper = next((u for u in shippers if can_see(u, order)), manager)
                    if order.status == "confirmed" and rng.random() < 0.85:
                        lines = list(order.lines.all())
                        partial = rng.random() < 0.3
                        quantities = {line.pk: (line.quantity // 2 or line.quantity) if partial else line.quantity
                                      for line in lines}
                        shipment = services.shipment_create(actor=shipper, order=order, quantities=quantities,
                                                            warehouse=None, ship_date=order.delivery_date)
                        _backdate(Shipment, shipment.pk, start + datetime.timedelta(days=12))
                        counts["shipments"] += 1
    if stdout is not None:
        stdout.write("Demo sales: {products} products, {leads} leads, {opportunities} opportunities, {quotes} quotes, "
                     "{orders} orders, {shipments} shipping notes.".format(products=len(products), **counts))


def _backdate(model, pk, when):
    model.objects.filter(pk=pk).update(created_at=min(when, timezone.now()))

