"""Demo data of the capture part of marketing (MKT-5, MKT-7): referral codes for the
signed demo customers, a product-launch event in Beijing with registrations (some through
referral links and a WeChat campaign link, the last ones on the waiting list, a few checked
in), and two department forms."""

import datetime
import random

from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.org.models import User
from guanxi.sales.models import Order
from guanxi.sales.targets import COUNTED_ORDERS

from .models import Campaign, MarketingForm, ReferralCode
from .services import capture as services

EVENT_FIELDS = [
    {"name": "name", "label": "姓名", "type": "text", "required": True},
    {"name": "company", "label": "公司", "type": "text", "required": True},
    {"name": "mobile", "label": "手机", "type": "phone", "required": True},
    {"name": "email", "label": "邮箱", "type": "email"},
    {"name": "interest", "label": "最关注", "type": "choice", "choices": ["新品功能", "价格政策", "售后服务"]},
    {"name": "consent", "label": "我同意接收活动通知", "type": "consent", "required": True},
]
PEOPLE = ["赵晓东", "钱文静", "孙志远", "李娜", "周建华", "吴敏", "郑凯", "王芳", "冯磊", "陈静", "褚明", "卫红"]
COMPANIES = ["北京恒信科技", "北京远大机电", "天津海通贸易", "北京创新自动化", "河北华北建材", "北京京华医疗",
             "北京博远教育", "天津滨海物流", "北京中科电子", "北京金桥食品", "北京云帆网络", "北京德泰能源"]


def build(stdout=None, seed=20261204):
    if MarketingForm.all_objects.exists():
        return
    rng = random.Random(seed)
    signed = Customer.objects.filter(pk__in=Order.objects.filter(status__in=COUNTED_ORDERS).values("customer_id"))
    for customer in signed.order_by("pk"):
        services.referral_code_ensure(customer)
    manager = User.objects.get(username="majun")
    event = services.marketing_form_create(
        actor=manager, kind="event", name="2027 新品发布会（北京）", slug="launch-2027-beijing",
        intro="诚邀您参加新品发布会，现场演示与优惠政策发布。", fields=EVENT_FIELDS,
        campaign=Campaign.objects.filter(branch_id=manager.branch_id).order_by("pk").first(),
        event_starts_at=timezone.now() + datetime.timedelta(days=14), event_place="北京国际会议中心 3 号厅",
        capacity=10, thank_you="", is_active=True)
    codes = list(ReferralCode.objects.filter(customer__branch_id=manager.branch_id).order_by("pk")[:3])
    registrations = []
    for index, (person, company) in enumerate(zip(PEOPLE, COMPANIES, strict=True)):
        ref = codes[index % len(codes)].code if codes and index % 4 == 0 else ""
        utm = {"utm_source": "wechat", "utm_medium": "social", "utm_campaign": "launch-2027"} if index % 3 == 0 else {}
        registrations.append(services.form_submit(
            form=event, answers={"name": person, "company": company, "mobile": f"1391000{index:04d}",
                                 "email": "", "interest": rng.choice(EVENT_FIELDS[4]["choices"]), "consent": True},
            utm=utm, ref=ref, now=timezone.now() - datetime.timedelta(hours=48 - index)))
    for registration in registrations[:4]:
        services.response_check_in(actor=manager, response=registration)
    plan = services.report_create(actor=manager, kind="monthly_plan", title="北京分公司下月营销计划",
                                  period=timezone.localdate(), content={
                                      "goals": "新增线索 150 条，新签客户 12 家", "budget": "80000",
                                      "activities": "新品发布会；行业展会；老客户转介绍奖励",
                                      "receivables": "重点客户回款 60 万元，月底前"})
    services.report_submit(actor=manager, report=plan)
    services.report_create(actor=manager, kind="competitor", title="竞争对手降价动态", period=timezone.localdate(),
                           content={"competitor": "同行某公司", "activity": "华北区主力型号降价 8%",
                                    "response": "突出服务与交付，重点客户给予升级服务包"})
    if stdout:
        stdout.write(f"Marketing capture: {len(registrations)} registrations, {signed.count()} referral codes\n")
