"""Demo daily work: a month of plans (with assignments, progress and carry-over),
directives with partial acknowledgement, industry news and competitor intelligence,
and opportunities that name the competitor they were won against or lost to. Built
through the services (after customers and sales), then dated back."""

import datetime
import random

from django.utils import timezone

from guanxi.customers.models import Customer
from guanxi.org.models import Branch, Department, Role, User
from guanxi.sales.models import Opportunity, StageKind
from guanxi.sales.services import opportunity_update

from . import directives, news, plans
from .models import NewsKind, PlanStatus, WorkPlanItem

DAYS = 30
TASKS = ["电话回访{customer}", "拜访{customer}，了解年度采购计划", "给{customer}发送报价单", "跟进{customer}的合同条款",
         "整理{customer}的需求清单", "准备{customer}的产品演示"]
GENERAL = ["整理本周客户跟进记录", "参加部门周例会", "更新商机阶段和预计成交日期", "学习新品技术资料", "填写费用报销"]
ASSIGNED = ["本周内完成{customer}的回款确认", "协助准备季度经营分析会材料", "走访{customer}，处理售后反馈"]
NEWS = [
    ("国家发布制造业数字化转型行动方案", ["政策", "制造业"], "工信部网站"),
    ("华南地区工业显示器需求同比增长 18%", ["市场", "华南"], "行业协会"),
    ("原材料价格上涨，多家厂商上调报价", ["价格", "供应链"], "第一财经"),
    ("智慧工厂展将于下月在广州举办", ["展会", "广州"], "展会官网"),
    ("跨境电商带动仓储物流设备采购", ["物流", "市场"], "经济日报"),
    ("新能源汽车产业链扩产，带来配套设备商机", ["新能源", "商机"], "21世纪经济报道"),
    ("长三角企业加快设备更新改造", ["华东", "设备更新"], "新华社"),
    ("行业标准《工业触控一体机通用规范》征求意见", ["标准", "产品"], "标准化研究院"),
]
INTEL = [
    ("product", "推出 {name} 新款 21.5 寸工业平板", "X21 工业平板", "2680"),
    ("price", "{name} 在华南区域大幅降价", "DS100 同类显示器", "2399"),
    ("activity", "{name} 在上海新设办事处，招聘销售 20 人", "", None),
    ("deal_lost", "{name} 以低价拿下某物流园项目", "", None),
    ("deal_won", "我司在某汽配厂项目中击败 {name}", "", None),
]
DIRECTIVES = [
    ("关于开展第四季度客户回访专项行动的通知", "notice", {"to_everyone": True},
     "<p>各分公司、各部门：</p><p>为提升客户满意度，第四季度开展<strong>客户回访专项行动</strong>：</p>"
     "<ol><li>A 类客户每月至少拜访一次；</li><li>B 类客户每月电话回访两次；</li><li>回访结果当日录入系统。</li></ol>"),
    ("销售部门年底冲刺目标分解", "directive", {"kind_of_department": "sales"},
     "<p>请各销售部门在本周五前完成年底目标分解，落实到人，并在日计划中体现。</p>"),
    ("严格执行报价审批制度", "directive", {"roles": ["salesperson", "sales_assistant"]},
     "<p>折扣超过 10% 的报价必须经部门经理审批后方可发给客户。</p>"),
    ("北京分公司客户资料整理安排", "document", {"branch": "bj"},
     "<p>请北京分公司于月底前完成客户资料核对，重复客户提交合并。</p>"),
]


def _backdate(model, pk, day):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8, 30)))
    model.objects.filter(pk=pk).update(day=day, created_at=moment)


def _working_days(today, days):
    found = [today - datetime.timedelta(days=n) for n in range(days, 0, -1)]
    return [d for d in found if d.weekday() < 5]


def _build_plans(rng, people, today):
    customers = {p.pk: list(Customer.objects.filter(owner=p).exclude(category="competitor")
                            .order_by("pk").values_list("pk", "name")[:30]) for p in people}
    count = 0
    for day in [*_working_days(today, DAYS), today]:
        plans.plans_carry_over(today=day)
        if day < today:
            # What was carried over is mostly finished on its second day.
            for item in WorkPlanItem.objects.filter(day=day, carried_from__isnull=False).select_related("owner"):
                if rng.random() < 0.8:
                    plans.plan_item_progress(actor=item.owner, item=item, status=PlanStatus.DONE, result="已完成")
        for person in people:
            for _n in range(rng.randint(2, 3)):
                own = customers.get(person.pk)
                if own and rng.random() < 0.7:
                    customer_id, name = rng.choice(own)
                    title = rng.choice(TASKS).format(customer=name[:12])
                else:
                    customer_id, title = None, rng.choice(GENERAL)
                item = plans.plan_item_create(actor=person, title=title,
                                              customer=Customer.objects.get(pk=customer_id) if customer_id else None)
                count += 1
                if day < today:
                    _progress(rng, person, item)
                    _backdate(WorkPlanItem, item.pk, day)
            manager = person.manager
            if manager and manager.has_module_perm("workplace.assign") and rng.random() < 0.3:
                own = customers.get(person.pk) or [(None, "重点客户")]
                item = plans.plan_item_create(actor=manager, owner=person,
                                              title=rng.choice(ASSIGNED).format(customer=rng.choice(own)[1][:12]))
                count += 1
                if day < today:
                    _progress(rng, person, item)
                    _backdate(WorkPlanItem, item.pk, day)
    return count


def _progress(rng, person, item):
    roll = rng.random()
    if roll < 0.65:
        plans.plan_item_progress(actor=person, item=item, status=PlanStatus.DONE, result="已完成")
    elif roll < 0.85:
        plans.plan_item_progress(actor=person, item=item, progress=rng.choice([25, 50, 75]), result="进行中")
    elif roll < 0.9:
        plans.plan_item_progress(actor=person, item=item, status=PlanStatus.CANCELLED, result="客户改期")


def _audience(spec):
    if spec.get("to_everyone"):
        return {"to_everyone": True}
    if "kind_of_department" in spec:
        return {"departments": list(Department.objects.filter(kind=spec["kind_of_department"], parent__isnull=True))}
    if "roles" in spec:
        return {"roles": list(Role.objects.filter(code__in=spec["roles"]))}

    return {"branches": list(Branch.objects.filter(code=spec["branch"]))}


def _build_directives(rng, today):
    issuers = list(User.objects.filter(username__in=["chenzhiqiang", "linhui"]).order_by("username"))
    if not issuers:
        return 0
    built = 0
    for index, (title, kind, spec, body) in enumerate(DIRECTIVES):
        issuer = issuers[index % len(issuers)]
        directive = directives.directive_issue(actor=issuer, title=title, body=body, kind=kind,
                                               priority="urgent" if index == 1 else "normal",
                                               ack_due_on=today + datetime.timedelta(days=7), **_audience(spec))
        issued = timezone.now() - datetime.timedelta(days=(len(DIRECTIVES) - index) * 5)
        type(directive).objects.filter(pk=directive.pk).update(issued_at=issued, created_at=issued)
        for receipt in directive.receipts.select_related("user"):
            roll = rng.random()
            if roll < 0.6:
                directives.directive_acknowledge(actor=receipt.user, directive=directive)
            elif roll < 0.8:
                directives.directive_mark_read(actor=receipt.user, directive=directive)
        built += 1
    return built


def _build_news(rng, people):
    count = 0
    for title, tags, source in NEWS:
        author = rng.choice(people)
        item = news.news_create(actor=author, title=title, tags=tags, source=source,
                                body=f"<p>{title}。</p><p>对我司的影响：关注相关客户的采购计划，及时跟进。</p>")
        _date_news(item, rng)
        count += 1
    competitors = list(Customer.objects.filter(category="competitor").order_by("pk")[:8])
    for competitor in competitors:
        for intel_type, title, product, price in rng.sample(INTEL, 3):
            author = rng.choice(people)
            item = news.news_create(actor=author, kind=NewsKind.COMPETITOR, competitor=competitor,
                                    intel_type=intel_type, title=title.format(name=competitor.name[:10]),
                                    product=product, price=price, tags=["竞争对手", "情报"],
                                    body="<p>来自客户和渠道的反馈，请相关销售注意应对。</p>")
            _date_news(item, rng)
            count += 1
    return count, competitors


def _date_news(item, rng):
    moment = timezone.now() - datetime.timedelta(days=rng.randint(0, DAYS), hours=rng.randint(0, 9))
    type(item).objects.filter(pk=item.pk).update(published_at=moment, created_at=moment)


def _name_competitors(rng, competitors):
    """Say which competitor a share of the closed opportunities was won against or lost to."""

    if not competitors:
        return 0
    named = 0
    closed = Opportunity.objects.filter(stage__kind__in=[StageKind.WON, StageKind.LOST], competitor__isnull=True)
    for opportunity in closed.select_related("owner").order_by("pk"):
        if rng.random() < 0.45 and opportunity.owner.is_active:
            opportunity_update(actor=opportunity.owner, opportunity=opportunity, competitor=rng.choice(competitors))
            named += 1
    return named


def build(stdout=None, seed=20261201):
    if WorkPlanItem.objects.exists():
        return
    rng = random.Random(seed)
    today = timezone.localdate()
    people = [u for u in User.objects.filter(is_active=True, branch__isnull=False).select_related("manager")
              .prefetch_related("roles").order_by("pk") if u.has_module_perm("workplace.create")]
    for person in people:
        if person.manager_id:
            person.manager = next((p for p in people if p.pk == person.manager_id), person.manager)
    plan_count = _build_plans(rng, people, today)
    directive_count = _build_directives(rng, today)
    news_count, competitors = _build_news(rng, people)
    named = _name_competitors(rng, competitors)
    if stdout is not None:
        stdout.write(f"Demo daily work: {plan_count} plan items, {directive_count} directives, {news_count} news "
                     f"and intelligence items, {named} opportunities naming a competitor.")
