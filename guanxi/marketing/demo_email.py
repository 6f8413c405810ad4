"""Demo e-mail marketing (MKT-4): templates, one finished send to a demo segment with
opens, clicks, a bounce and an unsubscribe, a welcome journey, and the addresses marketing
must not write to; built through the services as the marketing specialist. A demo never
mails anyone: the send goes through a transport that only accepts (one address refuses)."""

import random

from django.utils import timezone

from guanxi.org.models import User

from . import mailing
from .models import Campaign, EmailTemplate, RecipientState, Segment, StepKind
from .models.email import JourneyCondition
from .services import email as services

MARKETER = "linhui"
TEMPLATES = [
    ("新品发布邀请", "{{ customer.name }}，诚邀您了解我们的新品",
     "<p>{{ contact.name }} 您好：</p><p>我们新推出的 QC 系列打印设备已上市，"
     "<a href=\"https://www.example.cn/new\">点击查看详情</a>。</p><p>{{ owner.name }}</p>",
     "{{ contact.name }} 您好：我们新推出的 QC 系列打印设备已上市。退订：{{ unsubscribe_url }}"),
    ("季度回访", "{{ customer.name }}，本季度的使用情况如何？",
     "<p>{{ contact.name }} 您好：</p><p>感谢您一直以来的支持，欢迎回复告诉我们您的意见。</p>",
     "{{ contact.name }} 您好：感谢您一直以来的支持，欢迎回复告诉我们您的意见。"),
    ("欢迎加入", "欢迎 {{ customer.name }} 成为我们的客户",
     "<p>{{ contact.name }} 您好：</p><p>欢迎合作！您的客户经理是 {{ owner.name }}（{{ owner.email }}）。</p>",
     "欢迎合作！您的客户经理是 {{ owner.name }}。"),
]


class _DemoTransport:
    """Accepts every message without sending it; one address refuses (a hard bounce)."""

    def __init__(self, refused):
        self.refused = refused

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def send(self, *, address, rendered, headers):
        if address == self.refused:
            raise mailing.Refused("550 5.1.1 mailbox unavailable", hard=True)


def build(stdout=None, seed=20261204):
    if EmailTemplate.all_objects.exists():
        return
    marketer = User.objects.filter(username=MARKETER).first()
    segment = Segment.objects.filter(owner=marketer).order_by("pk").first()
    if marketer is None or segment is None or not marketer.has_module_perm("marketing.create"):
        return
    rng = random.Random(seed)
    templates = [services.email_template_create(actor=marketer, name=name, subject=subject, html_body=html,
                                                text_body=text) for name, subject, html, text in TEMPLATES]
    send = services.email_send_create(actor=marketer, name="新品发布邮件", template=templates[0], segment=segment,
                                      campaign=Campaign.objects.filter(code="new-product-mail").first())
    services.email_send_schedule(actor=marketer, send=send, at=timezone.now())
    services.send_start(send.pk)
    addresses = list(send.recipients.order_by("pk").values_list("address", flat=True))
    refused = addresses[-1] if len(addresses) > 2 else ""
    while services.send_deliver_batch(send.pk, transport=_DemoTransport(refused)).remaining:
        pass
    sent = list(send.recipients.filter(state=RecipientState.SENT).order_by("pk").values_list("pk", flat=True))
    for pk in sent:
        if rng.random() < 0.5:
            services.open_record(pk)
            if rng.random() < 0.4:
                services.click_record(pk, 0)
    if sent:
        services.unsubscribe(sent[0])
    services.suppression_add(actor=marketer, address="no-marketing@example.cn")
    journey = services.journey_create(actor=marketer, name="新客户欢迎旅程", segment=segment)
    services.journey_step_add(actor=marketer, journey=journey, kind=StepKind.SEND, template=templates[2])
    services.journey_step_add(actor=marketer, journey=journey, kind=StepKind.WAIT, wait_days=7)
    services.journey_step_add(actor=marketer, journey=journey, kind=StepKind.BRANCH,
                              condition=JourneyCondition.OPENED)
    services.journey_step_add(actor=marketer, journey=journey, kind=StepKind.SEND, template=templates[1])
    if stdout is not None:
        stdout.write(f"Demo e-mail: {len(templates)} templates, {len(addresses)} recipients, 1 journey.")
