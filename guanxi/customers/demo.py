"""Demo customers: about 2,000 companies and people across provinces and industries,
owned by the demo salespeople (some in the public pool), with contacts."""

import datetime
import random

from django.db.models import Max
from django.utils import timezone

from guanxi.core import picklists
from guanxi.org.models import User

from .bulk import CustomerRow, customers_bulk_insert
from .models import Contact, Customer, Interaction
from .namegen import company_name, landline, mobile, person_name
from .normalize import normalize_name

TOTAL = 2000


def build(stdout=None, total=TOTAL, seed=20261123):
    if Customer.all_objects.exists():
        return
    rng = random.Random(seed)
    sellers = [u for u in User.objects.filter(is_active=True, branch__isnull=False).prefetch_related("roles")
               if u.has_module_perm("customers.create")]
    industries = {item.code: item for item in picklists.items("customers.industry")}
    sources = list(picklists.items("customers.source"))
    levels = list(picklists.items("customers.level"))
    seen, rows = set(), []
    now = timezone.now()
    while len(rows) < total:
        individual = rng.random() < 0.12
        if individual:
            name = person_name(rng)
            industry, province, city = "other", rng.choice(["44", "11", "31"]), ""
            name = f"{name}（个人）"
        else:
            name, industry, province, city = company_name(rng)
        norm = normalize_name(name)
        if norm in seen:
            continue
        seen.add(norm)
        owner = None if rng.random() < 0.12 else rng.choice(sellers)
        rows.append(CustomerRow(
            name=name, kind="individual" if individual else "company",
            category=rng.choices(["customer", "prospect", "partner", "competitor", "supplier"], [50, 35, 6, 4, 5])[0],
            industry=industries.get(industry), source=rng.choice(sources), level=rng.choice(levels),
            province=province, city=city, mobile=mobile(rng) if rng.random() < 0.8 else "",
            phone=landline(rng, province) if rng.random() < 0.5 else "",
            email=f"info{len(rows)}@example{rng.randint(1, 999)}.cn" if rng.random() < 0.4 else "",
            owner=owner, branch=owner.branch if owner else rng.choice(sellers).branch,
            created_at=now - datetime.timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440)),
            next_follow_up_on=(now + datetime.timedelta(days=rng.randint(-20, 30))).date() if owner and
            rng.random() < 0.5 else None,
        ))
    admin = User.objects.filter(is_superuser=True).first() or sellers[0]
    result = customers_bulk_insert(actor=admin, rows=rows, source="demo")
    contacts = []
    for customer in Customer.objects.filter(kind="company").only("pk", "province").iterator(chunk_size=1000):
        for i in range(rng.choice((1, 1, 2, 3))):
            contacts.append(Contact(customer_id=customer.pk, name=person_name(rng), title=rng.choice(
                ["总经理", "采购经理", "财务经理", "技术总监", "行政主管", "项目经理"]),
                mobile=mobile(rng), is_primary=i == 0))
    for contact in contacts:
        contact.mobile_norm = contact.mobile
    Contact.objects.bulk_create(contacts, batch_size=1000)
    interactions = _interactions(rng, now)
    if stdout is not None:
        stdout.write(f"Demo customers: {result.created} ({Customer.objects.filter(owner__isnull=True).count()} in "
                     f"the pool), {len(contacts)} contacts, {interactions} interactions.")


SUMMARIES = {
    "phone": ["电话沟通采购计划，对方预计下季度启动", "电话回访，客户对上批货质量满意", "确认报价细节，客户要求再降 3%"],
    "visit": ["上门拜访采购经理，参观生产线", "拜访客户总经理，介绍新品方案", "现场勘察，收集需求"],
    "email": ["发送产品目录和报价单", "邮件确认合同条款"],
    "im": ["微信沟通交货时间", "微信发送样品照片"],
    "website": ["客户通过官网留言咨询"],
    "live_chat": ["在线客服咨询售后政策"],
    "marketing": ["寄送新品宣传册"],
    "social": ["客户在公众号留言询价"],
}


def _interactions(rng, now):
    """About a year of interactions on owned customers, with next follow-ups."""
    rows = []
    owned = list(Customer.objects.filter(owner__isnull=False).values_list("pk", "owner_id", "owner__department_id"))
    channels = list(SUMMARIES)
    weights = [30, 25, 12, 15, 4, 4, 5, 5]
    for pk, owner_id, department_id in owned:
        for _ in range(rng.choice((0, 1, 2, 3, 4, 6))):
            channel = rng.choices(channels, weights)[0]
            when = now - datetime.timedelta(days=rng.randint(0, 365), hours=rng.randint(0, 10))
            rows.append(Interaction(
                customer_id=pk, author_id=owner_id, author_department_id=department_id, channel=channel,
                summary=rng.choice(SUMMARIES[channel]), occurred_at=when,
                next_follow_up_on=(when + datetime.timedelta(days=rng.randint(3, 30))).date()
                if rng.random() < 0.6 else None,
            ))
    Interaction.objects.bulk_create(rows, batch_size=2000)

    latest = Interaction.objects.values("customer_id").annotate(last=Max("occurred_at"))
    for item in latest.iterator(chunk_size=2000):
        Customer.objects.filter(pk=item["customer_id"]).update(last_contacted_at=item["last"])
    return len(rows)
