"""Demo service: a year of tickets of every type and severity on the demo customers,
handled, escalated or still open; surveys answered; knowledge-base articles; a complaint
flow with the apology letter. Made through the services."""

import datetime
import random

from django.utils import timezone

from guanxi.core import picklists
from guanxi.customers.models import Customer
from guanxi.org.models import User

from . import services
from .flow_services import flow_publish
from .models import Article, Survey, Ticket, TicketEntry, TicketStatus

ARTICLES = [
    ("installation", "工业显示器安装调试步骤", "1. 检查电源电压 220V；2. 固定支架；3. 连接信号线后再上电；4. 按说明书校准触摸。"),
    ("fault", "伺服电机过热报警的处理", "检查负载是否过大、散热风扇是否正常；必要时降低加速度和速度参数。"),
    ("fault", "可编程控制器通讯中断", "检查网线和交换机指示灯；确认 IP 地址无冲突；重启通讯模块。"),
    ("fault", "光电传感器误触发", "清洁镜头，调整灵敏度旋钮，避免强光直射，检查接线屏蔽。"),
    ("usage", "设备监控软件如何导出报表", "在“报表”菜单选择日期范围，点击“导出 Excel”，文件保存在下载目录。"),
    ("policy", "保修期与上门服务政策", "设备整机保修一年，关键部件三年；市区 24 小时内上门，郊区 48 小时内。"),
    ("policy", "退换货流程", "收货 7 天内质量问题可退换，需保留包装和发票，由客服部登记后安排取件。"),
    ("usage", "开关电源接线注意事项", "区分 L/N 线，输出端不得短路，安装时保持通风距离 5 厘米以上。"),
]
SUBJECTS = {
    "consultation": ["咨询设备价格", "询问交货周期", "想了解监控软件功能"],
    "complaint": ["送货延误投诉", "安装人员态度差", "设备到货外包装破损"],
    "sales_quality": ["销售承诺与实际不符", "报价与合同不一致"],
    "marketing_analysis": ["展会客户反馈汇总", "促销活动效果分析"],
    "customer_analysis": ["大客户流失原因分析", "客户满意度下降"],
    "service_analysis": ["本月服务响应超时分析", "维修返修率分析"],
    "after_sales": ["保修期查询", "配件购买咨询"],
    "maintenance": ["年度维保上门预约", "设备定期保养"],
    "repair": ["伺服电机过热报警", "显示器花屏", "控制器通讯中断", "传感器误触发"],
}


def build(stdout=None, seed=20261203):
    if Ticket.objects.exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    chairman = User.objects.get(username="chenzhiqiang")
    agents = [u for u in User.objects.filter(is_active=True, branch__isnull=False).prefetch_related("roles")
              .order_by("pk") if u.has_module_perm("service.edit") and not u.has_module_perm("sales.create")]
    types = {item.code: item for item in picklists.items("service.ticket_type")}
    severities = list(picklists.items("service.severity"))
    for category, title, body in ARTICLES:
        services.article_save(actor=chairman, title=title, body=body,
                              category=picklists.items("service.kb_category").filter(code=category).first())

    flow_publish(actor=chairman, name="投诉处理流程", ticket_type=types.get("complaint"), steps=[
        {"type": "notify", "target": "assignee", "message": "新投诉，请在一小时内联系客户"},
        {"type": "email", "template": "apology"},
        {"type": "task", "title": "回访客户并记录处理结果", "assignee": "assignee", "due_hours": "4"},
        {"type": "wait", "until": "resolved", "hours": "8"},
        {"type": "escalate"},
    ])
    made = closed = 0
    for agent in agents:
        customers = list(Customer.objects.filter(branch_id=agent.branch_id, owner__isnull=False)
                         .exclude(email="")[:60])
        for _ in range(60):
            if not customers:
                break
            customer = rng.choice(customers)
            code = rng.choice(list(SUBJECTS))
            severity = rng.choices(severities, weights=[35, 40, 18, 7][:len(severities)])[0]
            created = now - datetime.timedelta(days=rng.randint(0, 360), hours=rng.randint(0, 8))
            ticket = services.ticket_create(actor=agent, subject=rng.choice(SUBJECTS[code]), ticket_type=types[code],
                                            severity=severity, customer=customer,
                                            description=f"客户反映：{rng.choice(SUBJECTS[code])}，请跟进处理。")
            made += 1
            Ticket.objects.filter(pk=ticket.pk).update(created_at=created)
            ticket.refresh_from_db()
            services._set_deadlines(ticket, start=created)
            Ticket.objects.filter(pk=ticket.pk).update(respond_by=ticket.respond_by, resolve_by=ticket.resolve_by)
            TicketEntry.objects.filter(ticket=ticket).update(created_at=created)
            if rng.random() < (0.6 if created > now - datetime.timedelta(days=10) else 0.04):
                continue  # still open (some of them long past their target)
            hours = rng.randint(1, 60)
            services.ticket_note(actor=agent, ticket=ticket, body="已电话联系客户，正在处理。")
            services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.RESOLVED)
            services.ticket_set_status(actor=agent, ticket=ticket, status=TicketStatus.CLOSED)
            done = created + datetime.timedelta(hours=hours)
            Ticket.objects.filter(pk=ticket.pk).update(responded_at=created + datetime.timedelta(hours=1),
                                                       resolved_at=done, closed_at=done)
            TicketEntry.objects.filter(ticket=ticket, created_at__gt=created).update(created_at=done)
            closed += 1
            survey = Survey.objects.filter(ticket=ticket).first()
            if survey is not None and rng.random() < 0.55:
                rating = rng.choices([5, 4, 3, 2, 1], weights=[45, 30, 12, 8, 5])[0]
                Survey.objects.filter(pk=survey.pk).update(
                    rating=rating, answered_at=done + datetime.timedelta(hours=rng.randint(1, 48)), sent_at=done,
                    comment=rng.choice(["", "处理很及时，谢谢", "希望下次更快一些", "工程师很专业"]) if rating > 2
                    else "等了太久才有人回复")
    services.escalate_overdue(now=now)
    if stdout is not None:
        answered = Survey.objects.filter(answered_at__isnull=False).count()
        stdout.write(f"Demo service: {made} tickets ({closed} closed), {answered} surveys answered, "
                     f"{Article.objects.count()} knowledge-base articles.")
