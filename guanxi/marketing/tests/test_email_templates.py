"""E-mail templates (MKT-4): sandboxed placeholders, sanitized HTML, preview."""

import pytest
from django.urls import reverse
from django.utils import translation

from guanxi.core.errors import ValidationFailed
from guanxi.marketing import mailing
from guanxi.marketing.models import EmailTemplate
from guanxi.marketing.services import email as services

from . import email_support

pytestmark = pytest.mark.django_db

marketer = email_support.marketer

XSS = ('<p onclick="steal()">Hi</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>'
       '<img src="x" onerror="alert(3)"><a href="https://ok.example.cn/">ok</a>')


def test_script_handlers_and_javascript_links_are_made_inert(marketer):
    """MKT-4: user-written HTML is sanitized: no script, no on* handler, no javascript: URL."""
    template = services.email_template_create(actor=marketer, name="t", subject="s", text_body="t", html_body=XSS)
    body = template.html_body.lower()
    assert "<script" not in body and "alert(1)" not in body
    assert "onclick" not in body and "onerror" not in body and "javascript:" not in body
    assert 'href="https://ok.example.cn/"' in template.html_body


def test_placeholders_are_substituted_and_escaped():
    """MKT-4: values are HTML-escaped in the HTML body (a customer named <b> stays text)."""
    template = EmailTemplate(subject="致 {{ customer.name }}", html_body="<p>{{ contact.name }}</p>",
                             text_body="{{ owner.name }}")
    values = mailing.values_for(customer=type("C", (), {"name": "<b>华达</b>"})(), contact=None, owner=None)
    rendered = mailing.render(template, values)
    assert rendered.subject == "致 <b>华达</b>"
    assert rendered.html == "<p>&lt;b&gt;华达&lt;/b&gt;</p>"


@pytest.mark.parametrize(("field", "text", "message"), [
    ("subject", "Hi {{ customer.secret }}", "Unknown placeholder {{ customer.secret }}"),
    ("text_body", "{% load evil %}", "Template tags"),
    ("html_body", "<p>{{ settings.SECRET_KEY }}</p>", "Unknown placeholder {{ settings.SECRET_KEY }}"),
])
def test_unknown_placeholder_or_tag_is_a_clear_error_and_saves_nothing(marketer, field, text, message):
    """MKT-4: bad input answers a translated error naming the field; nothing is saved."""
    data = {"name": "t", "subject": "s", "text_body": "t", "html_body": ""} | {field: text}
    with translation.override("en"), pytest.raises(ValidationFailed) as caught:
        services.email_template_create(actor=marketer, **data)
    assert caught.value.errors[0]["field"] == field and message in caught.value.errors[0]["message"]
    with translation.override("zh-hans"), pytest.raises(ValidationFailed) as caught:
        services.email_template_create(actor=marketer, **data)
    assert message not in caught.value.errors[0]["message"]  # translated, not English
    assert not EmailTemplate.objects.exists()


def test_template_form_shows_the_error_and_preview_renders_for_a_sample_customer(marketer, seller, client_for):
    """MKT-4: the form refuses an unknown placeholder; the preview shows the message as a
    customer in the user's scope would get it."""
    from guanxi.customers.services import customer_create
    customer_create(actor=seller, name="广州预览客户有限公司")
    client = client_for(marketer)
    response = client.post(reverse("marketing:email_template_create"), {
        "name": "坏", "subject": "{{ nope }}", "text_body": "t", "html_body": ""})
    assert response.status_code == 200 and "Unknown placeholder" in response.content.decode() \
        or "未知的占位符" in response.content.decode()
    template = services.email_template_create(actor=marketer, name="好", subject="给 {{ customer.name }}",
                                              text_body="t", html_body="<p>{{ customer.name }}</p><script>x</script>")
    page = client.get(reverse("marketing:email_template_preview", args=[template.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "广州预览客户有限公司" in html and "<script>x" not in html
