"""Demo campaigns over the demo year (MKT-2): a trade show, a new-product e-mail, a
dealer conference, the 双十一 promotion and a year-end event still planned. Each reaches
customers a little before their orders (so the orders and the money received are
credited), brings a few leads through its form with UTM parameters, and has approved
expenses as its cost. Made through the services, then dated back."""

import datetime
import random
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone

from guanxi.approvals.models import ApprovalRequest, ApprovalStatus
from guanxi.approvals.services import approval_decide, may_decide
from guanxi.finance import expenses
from guanxi.finance.models import Expense, ExpenseCategory, Receipt, ReceiptKind
from guanxi.org.models import User
from guanxi.sales.models import Lead, Order
from guanxi.sales.targets import COUNTED_ORDERS

from .models import Campaign, CampaignStatus, CampaignTouch, TouchSource
from .services import campaigns as services

# code, name, channels, owner, starts (days ago), length (days), budget, status, leads, touched customers, costs
CAMPAIGNS = [
    ("expo-gz-2026", "2026 广州国际工业博览会", ["exhibition"], "linhui", 300, 4, "300000", CampaignStatus.FINISHED,
     6, 8, ["展位费", "展台搭建", "宣传资料印刷"]),
    ("new-product-mail", "新品发布邮件推广", ["email"], "linhui", 170, 20, "40000", CampaignStatus.FINISHED, 4, 4,
     ["邮件群发服务", "新品样册设计"]),
    ("dealer-conf-sh", "华东经销商大会", ["dealer", "event"], "songtao", 110, 2, "200000", CampaignStatus.FINISHED,
     3, 6, ["会场租赁", "餐饮住宿"]),
    ("double-11-2026", "双十一线上促销", ["promotion", "online_ads"], "linhui", 40, 11, "60000",
     CampaignStatus.FINISHED, 5, 8, ["网络广告投放"]),
    ("thanks-2026", "年终客户答谢会", ["event"], "majun", -10, 1, "20000", CampaignStatus.PLANNED, 0, 0, []),
]
COMPANIES = ["南海精工机械", "番禺联合塑料", "昆山华盛电子", "无锡恒力电机", "宁波甬达五金", "东莞长盈科技",
             "佛山新宇陶瓷", "苏州博远自动化", "温州正泰配件", "厦门海联贸易"]
UTM_SOURCES = [("baidu", "cpc"), ("wechat", "social"), ("newsletter", "email"), ("expo", "offline")]


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _approve(expense, deciders):
    """Submit the expense and let whoever may decide each step approve it."""
    expenses.expense_submit(actor=expense.owner, expense=expense)
    for _step in range(4):
        request = ApprovalRequest.objects.filter(doc_type="finance.expense", object_id=expense.pk,
                                                 status=ApprovalStatus.PENDING).first()
        if request is None:
            return
        approver = next((u for u in deciders if u.pk != expense.owner_id and may_decide(u, request)), None)
        if approver is None:
            return
        approval_decide(actor=approver, request=request, approve=True)


def _touch_customers(campaign, starts, ends, count, rng):
    """Customers with a counted order soon after the campaign (and money received for it)
    were reached by it shortly before."""
    paid = Receipt.objects.filter(customer=OuterRef("customer_id"), kind=ReceiptKind.RECEIPT, reversed_by__isnull=True,
                                  received_on__gte=OuterRef("order_date"))
    orders = Order.objects.filter(Exists(paid), status__in=COUNTED_ORDERS, order_date__gte=starts,
                                  order_date__lte=ends + datetime.timedelta(days=60)).select_related("customer")
    if campaign.branch.is_headquarters is False:
        orders = orders.filter(branch_id=campaign.branch_id)
    seen = set()
    for order in orders.order_by("order_date", "pk"):
        if len(seen) >= count or order.customer_id in seen:
            continue
        seen.add(order.customer_id)
        day = max(starts, min(ends, order.order_date - datetime.timedelta(days=rng.randint(1, 20))))
        services.touch_record(campaign=campaign, source=rng.choice([TouchSource.EXPLICIT, TouchSource.EMAIL]),
                              customer=order.customer, touched_at=_at(day, rng.randint(9, 17)),
                              key=f"demo:{campaign.code}:{order.customer_id}")
    return len(seen)


def build(stdout=None, seed=20261204):
    if Campaign.all_objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    people = {u.username: u for u in User.objects.filter(username__in={c[3] for c in CAMPAIGNS})}
    marketing = ExpenseCategory.objects.filter(code="marketing").first()
    deciders = list(User.objects.filter(is_active=True).prefetch_related("roles").order_by("pk"))
    counts = {"campaigns": 0, "touches": 0, "leads": 0, "expenses": 0}
    for code, name, channels, owner, ago, length, budget, status, leads, touched, costs in CAMPAIGNS:
        if owner not in people:
            continue
        starts = today - datetime.timedelta(days=ago)
        ends = starts + datetime.timedelta(days=length)
        campaign = services.campaign_create(actor=people[owner], code=code, name=name, channels=channels,
                                            starts_on=starts, ends_on=ends, budget=Decimal(budget),
                                            description=f"{name}：目标客户邀约、现场洽谈与后续跟进。")
        # The status of a campaign of the past is what it came to; its moves are not replayed.
        Campaign.objects.filter(pk=campaign.pk).update(status=status, created_at=_at(starts - datetime.timedelta(
            days=14)))
        counts["campaigns"] += 1
        counts["touches"] += _touch_customers(campaign, starts, ends, touched, rng)
        for i in range(leads):
            source, medium = rng.choice(UTM_SOURCES)
            lead = services.lead_from_form(campaign=campaign, data={
                "company": f"{rng.choice(COMPANIES)}{'有限公司' if i % 2 else '股份有限公司'}",
                "name": rng.choice(["王先生", "李女士", "陈经理", "张工"]), "phone": f"139{rng.randint(10**7, 10**8 - 1)}"},
                utm={"utm_source": source, "utm_medium": medium, "utm_campaign": code})
            when = _at(starts + datetime.timedelta(days=rng.randint(0, length)), rng.randint(9, 20))
            Lead.objects.filter(pk=lead.pk).update(created_at=when)
            CampaignTouch.objects.filter(lead=lead).update(touched_at=when, touched_on=when.date())
            counts["leads"] += 1
        if marketing is not None:
            share = Decimal(budget) * Decimal("0.9") / max(len(costs), 1)
            for what in costs:
                expense = expenses.expense_create(actor=people[owner], category=marketing, description=f"{name}·{what}",
                                                  amount=(share * Decimal(rng.randint(80, 110)) / 100).quantize(
                                                      Decimal("1")), spent_on=min(starts, today))
                Expense.objects.filter(pk=expense.pk).update(created_at=_at(min(starts, today)))
                _approve(expense, deciders)
                services.campaign_expense_link(actor=people[owner], campaign=campaign, expense=expense)
                counts["expenses"] += 1
    if stdout is not None:
        stdout.write(f"Demo campaigns: {counts['campaigns']} with {counts['touches']} customers reached, "
                     f"{counts['leads']} leads and {counts['expenses']} expenses.")
