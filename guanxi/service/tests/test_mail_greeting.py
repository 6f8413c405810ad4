"""SRV-3: a template e-mail never greets nobody ("尊敬的：")."""

from guanxi.core import picklists
from guanxi.customers.services import customer_create
from guanxi.service import flows, services
from guanxi.service.models import MailTemplate


def _ticket(actor, **fields):
    return services.ticket_create(actor=actor, subject="送货延误", ticket_type=picklists.items(
        "service.ticket_type").first(), severity=picklists.items("service.severity").first(), **fields)


def _apology():
    return MailTemplate.objects.get(code="apology")


def test_without_a_contact_name_the_mail_greets_the_customer(demo_org):
    """SRV-3: no contact person: the customer's name takes the place of the greeting's name."""
    agent = demo_org["xuting"]
    customer = customer_create(actor=agent, name="广州问候测试有限公司", email="a@wenhou.example")
    _subject, body = flows.render_template(_apology(), _ticket(agent, customer=customer, contact_email="a@wenhou.example"))
    assert body.startswith("尊敬的广州问候测试有限公司：") and "Dear 广州问候测试有限公司," in body


def test_without_any_name_the_mail_greets_neutrally(demo_org):
    """SRV-3: no name at all: "尊敬的客户：" / "Dear customer,", never "尊敬的：" or "Dear ,"."""
    agent = demo_org["xuting"]
    _subject, body = flows.render_template(_apology(), _ticket(agent, contact_email="b@wenhou.example"))
    assert body.startswith("尊敬的客户：") and "Dear customer," in body
    assert "尊敬的：" not in body and "Dear ," not in body


def test_an_admin_template_with_an_empty_placeholder_still_greets(demo_org):
    """SRV-3: any greeting left empty by a placeholder is filled, in an administrator's own template too."""
    agent = demo_org["xuting"]
    template = MailTemplate(code="x", name="x", subject="{{ ticket.number }}",
                            body="尊敬的 {{ customer.name }}：您好。\nDear {{ customer.name }}:")
    _subject, body = flows.render_template(template, _ticket(agent, contact_email="c@wenhou.example"))
    assert body.startswith("尊敬的客户：") and "Dear customer:" in body
