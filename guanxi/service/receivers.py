"""After-sales care follows deliveries; defaults are seeded after migrate."""
from decimal import Decimal

from guanxi.core import picklists

from .models import MailTemplate, ServiceLevel
from .services import care_follow_up


def shipment_created(sender, shipment, actor, **kwargs):
    care_follow_up(shipment, actor)


DEFAULT_LEVELS = [  # severity, response hours, resolution hours (business hours)
    ("critical", "1", "8"), ("high", "4", "16"), ("normal", "8", "40"), ("low", "16", "80"),
]


def after_migrate(sender, **kwargs):
    """Default service levels and the apology letter, only where none exist yet."""

    if not ServiceLevel.objects.exists():
        for code, response, resolution in DEFAULT_LEVELS:
            severity = picklists.items("service.severity").filter(code=code).first()
            if severity is not None:
                ServiceLevel.objects.create(severity=severity, response_hours=Decimal(response),
                                            resolution_hours=Decimal(resolution))
    MailTemplate.objects.get_or_create(code="apology", defaults={
        "name": "致歉信 Apology letter",
        "subject": "关于您的反馈（{{ ticket.number }}）Your complaint",
        "body": ("尊敬的{{ contact.name }}：\n\n非常抱歉给您带来不便。我们已收到您关于“{{ ticket.subject }}”的反馈，"
                 "并已安排专人处理，会尽快与您联系。\n\n{{ company.name }} 客户服务部\n\n"
                 "Dear {{ contact.name }}, we are sorry for the trouble. We have received your complaint about "
                 "\"{{ ticket.subject }}\" and someone is looking after it now.\n{{ company.name }} Customer service"),
    })
