"""Issue 11.9/11.10, SAL-3: administrators' print templates run in a sandboxed template
engine (SECURITY: server-side template injection, an administrator's template reaching
files, settings or records it should not — the upload-to-code-execution class)."""

import pytest
from django.conf import settings
from django.test import Client

from guanxi.core import printing
from guanxi.core.config_services import print_template_save
from guanxi.core.errors import ValidationFailed
from guanxi.core.models import PrintTemplate
from guanxi.sales.printing import quote_data

from .test_quote_documents import _pdf_text, quote  # noqa: F401 - the quote fixture

BYPASSES = [
    "{%load static%}",
    "{% load i18n %}{% translate 'x' %}",
    '{%include "/etc/passwd"%}',
    '{% include "/etc/passwd" %}',
    "{% include 'missing-layout.html' %}",
    "{%  debug  %}",
    '{% extends "base.html" %}',
    '{% ssi "/etc/passwd" %}',
    "{% autoescape off %}{{ customer.name }}{% endautoescape %}",
    "{{ customer.name|safe }}",
    "{% url 'core:home' %}",
    "{% csrf_token %}",
    "{{ customer.__class__ }}",
]


@pytest.mark.parametrize("html", BYPASSES)
def test_tags_that_reach_outside_the_template_are_refused_when_saved(demo_org, html):
    """SECURITY (template injection / file read): ``load``, ``include``, ``extends``, ``ssi``,
    ``debug``, turning escaping off and other tags outside the allow-list are a clear
    validation error when the template is saved; nothing is saved."""
    with pytest.raises(ValidationFailed) as caught:
        print_template_save(actor=demo_org["zhaolei"], doc_type="sales.quote", name="坏模板",
                            html=f"<html><body>{html}</body></html>")
    assert caught.value.errors[0]["field"] == "html"
    assert not PrintTemplate.objects.exists()


@pytest.mark.parametrize("html", ["{{ settings.SECRET_KEY }}", "{{ order.customer.owner.password }}",
                                  "{{ quote.customer.owner.password }}", "{{ request.user.password }}",
                                  "{{ lines.0.product.cost_price }}", "{% for k, v in customer.items %}{{ k }}"
                                  "{% endfor %}"])
def test_a_template_sees_only_the_documents_plain_data(quote, demo_org, html):  # noqa: F811
    """SECURITY (information disclosure through templates): the context holds plain dicts of
    the printed fields only: no settings, no request, no model objects to walk."""

    rendered = printing.render_html("sales.quote", quote_data(quote), template_html=html)
    assert settings.SECRET_KEY not in rendered and "md5$" not in rendered and "pbkdf2" not in rendered
    assert "<" not in rendered


def test_data_is_escaped(demo_org):
    """SECURITY (stored XSS into PDFs): values are escaped; autoescape cannot be turned off."""
    rendered = printing.render_html("sales.quote", {"customer": {"name": "华达<script>x</script>"}},
                                    template_html="<p>{{ customer.name }}</p>")
    assert "<script>" not in rendered and "&lt;script&gt;" in rendered


def test_the_allowed_tags_and_filters_still_work(demo_org):
    html = ("{% for line in lines %}{% if line.total %}{{ forloop.counter }}:{{ line.description|upper }}"
            "{% endif %}{% endfor %}{{ quote.total|default:'—' }}{% with n=customer.name %}{{ n|length }}{% endwith %}")
    rendered = printing.render_html("sales.quote", {"lines": [{"description": "ab", "total": "1.00"}],
                                                    "quote": {}, "customer": {"name": "abc"}}, template_html=html)
    assert rendered == "1:AB—3"


def test_a_stored_template_from_before_the_sandbox_fails_safely(quote, client_for, demo_org):  # noqa: F811
    """Issue 11.9: a print template that names a missing file (saved before the checks) gives
    a clear error when printing, never a 500."""
    PrintTemplate.objects.create(doc_type="sales.quote", name="旧模板",
                                 html='<html><body>{%include "missing-layout.html"%}</body></html>')
    client = Client(raise_request_exception=False)
    client.force_login(demo_org["liuyang"])
    response = client.get(f"/sales/quotes/{quote.pk}/file.pdf", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert "may not use" in response.content.decode() and "include" in response.content.decode()


def test_a_document_type_whose_default_layout_file_is_missing_is_a_clear_error(demo_org, monkeypatch):
    """Issue 11.9: a registered document type without its layout file: a clear error when
    printing and when opening its template editor, never a 500."""
    monkeypatch.setattr(printing, "_doc_types", {**printing.doc_types(),
                                                 "sales.ghost": ("Ghost", lambda: {"customer": {"name": "x"}})})
    with pytest.raises(ValidationFailed):
        printing.render_html("sales.ghost", {"customer": {"name": "x"}})
    client = Client(raise_request_exception=False)
    client.force_login(demo_org["zhaolei"])
    response = client.get("/system/configuration/printing/sales.ghost/new/")
    assert response.status_code in (200, 422)
