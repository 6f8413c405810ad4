"""Rendering of marketing messages (MKT-4): a whitelist of placeholders, never a template
engine. ``{{ customer.name }}`` and its kin are substituted (HTML-escaped in the HTML
body); anything else in ``{{ }}`` or any ``{% %}`` is refused when the template is saved.
User-written HTML is cleaned with nh3 (scripts, ``on*`` handlers and ``javascript:`` links
are dropped), and links are rewritten to signed click redirects per recipient."""

import contextlib
import html
import re
import smtplib
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.core import outbound

PLACEHOLDERS = ("customer.name", "contact.name", "owner.name", "owner.email", "unsubscribe_url")
_PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
_TAG = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_HREF = re.compile(r'href="([^"]+)"')

TAGS = {"p", "div", "span", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "blockquote", "h1", "h2",
        "h3", "h4", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "hr", "center", "font"}
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"},
              "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align"},
              "*": {"style", "align"}}
URL_SCHEMES = {"http", "https", "mailto"}
OPEN_SALT, CLICK_SALT, UNSUBSCRIBE_SALT = "marketing.open", "marketing.click", "marketing.unsubscribe"


class TemplateError(ValueError):
    """A template uses something the renderer does not allow (the message says what)."""


def sanitize_html(value):
    """Return ``value`` with only harmless HTML left (placeholders survive: they are text)."""
    return nh3.clean(value or "", tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style"}, link_rel=None,
                     filter_style_properties={"color", "background-color", "font-size", "font-weight",
                                              "text-align", "padding", "margin", "width", "border"})


def check_placeholders(*texts):
    """Raise TemplateError for a template tag or a placeholder outside the whitelist."""
    for text in texts:
        if _TAG.search(text or ""):
            raise TemplateError(_("Template tags are not allowed; use placeholders such as "
                                  "{{ customer.name }}."))
        for name in _PLACEHOLDER.findall(text or ""):
            if name not in PLACEHOLDERS:
                raise TemplateError(_("Unknown placeholder {{ %(name)s }}. Use one of: %(known)s.") % {
                    "name": name, "known": ", ".join(PLACEHOLDERS)})


def links_of(html_body):
    """The distinct http(s) links of sanitized HTML, in order (the click redirect's allow-list)."""
    found = []
    for url in _HREF.findall(html_body or ""):
        url = html.unescape(url)
        if url.startswith(("http://", "https://")) and url not in found and "{{" not in url:
            found.append(url)
    return found


@dataclass
class Rendered:
    subject: str
    html: str
    text: str


def _substitute(text, values, escape):
    def one(match):
        value = values.get(match.group(1), "")
        return html.escape(value) if escape else value
    return _PLACEHOLDER.sub(one, text or "")


def recipient_token(recipient_id, salt):
    return signing.dumps(recipient_id, salt=salt, compress=False)


def read_token(token, salt):
    """The recipient id a token carries, or None when it is forged or damaged."""
    try:
        return int(signing.loads(token, salt=salt))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def absolute(path):
    return settings.GUANXI_SITE_URL.rstrip("/") + path


def values_for(*, customer=None, contact=None, owner=None, unsubscribe_url=""):
    return {
        "customer.name": getattr(customer, "name", "") or "",
        "contact.name": getattr(contact, "name", "") or getattr(customer, "name", "") or "",
        "owner.name": (getattr(owner, "display_name", "") or getattr(owner, "username", "")) if owner else "",
        "owner.email": getattr(owner, "email", "") if owner else "",
        "unsubscribe_url": unsubscribe_url,
    }


def render(template, values, *, links=None, recipient_id=None):
    """Render ``template`` for one recipient. With ``recipient_id``, links in ``links`` go
    through the click redirect and an open pixel is added."""
    body = sanitize_html(template.html_body)
    if recipient_id is not None and links:
        def tracked(match):
            url = html.unescape(match.group(1))
            if url not in links:
                return match.group(0)
            token = signing.dumps([recipient_id, links.index(url)], salt=CLICK_SALT, compress=False)
            return 'href="{}"'.format(html.escape(absolute(reverse("marketing:email_click", args=[token]))))
        body = _HREF.sub(tracked, body)
    body = _substitute(body, values, escape=True)
    if recipient_id is not None and body:
        pixel = absolute(reverse("marketing:email_open", args=[recipient_token(recipient_id, OPEN_SALT)]))
        body += f'<img src="{html.escape(pixel)}" width="1" height="1" alt="">'
    subject = _substitute(template.subject, values, escape=False).replace("\n", " ").replace("\r", " ")
    return Rendered(subject=subject, html=body, text=_substitute(template.text_body, values, escape=False))


# --- Transports: how one rendered message leaves (e-mail over SMTP, SMS/WeChat webhooks) ---

class Refused(Exception):  # noqa: N818 - a refusal, not a failure of ours
    """The receiving side refused the address (a bounce at send time)."""

    def __init__(self, message, *, hard):
        super().__init__(message)
        self.hard = hard


class TransportFailed(Exception):  # noqa: N818
    """The message could not be handed over (network, server down); nothing bounced."""


class EmailTransport:
    """Django's mail connection, opened once per batch."""

    def __init__(self):
        self.connection = None

    def __enter__(self):
        self.connection = get_connection(fail_silently=False)
        self.connection.open()
        return self

    def __exit__(self, *exc):
        with contextlib.suppress(Exception):
            self.connection.close()

    def send(self, *, address, rendered, headers):
        message = EmailMultiAlternatives(rendered.subject, rendered.text, to=[address], headers=headers,
                                         connection=self.connection)
        if rendered.html:
            message.attach_alternative(rendered.html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()), (550, b""))
            raise Refused(f"{code} {_reply_text(reply)}", hard=int(code) >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransportFailed(str(exc)[:300]) from exc


def _reply_text(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


class WebhookTransport:
    """SMS or WeChat: the text body posted as JSON to the gateway's webhook, through the
    SSRF-safe client (only public addresses unless GUANXI_OUTBOUND_ALLOW lists them)."""

    def __init__(self, channel):
        self.channel = channel
        self.url = (settings.MARKETING_SMS_WEBHOOK_URL if channel == "sms"
                    else settings.MARKETING_WECHAT_WEBHOOK_URL)

    def __enter__(self):
        if not self.url:
            raise TransportFailed(_("No webhook is configured for this channel."))
        return self

    def __exit__(self, *exc):
        return None

    def send(self, *, address, rendered, headers):
        try:
            status, body = outbound.post_json(self.url, {"channel": self.channel, "to": address,
                                                         "text": rendered.text, "id": headers.get(RECIPIENT_HEADER)})
        except outbound.OutboundRefused as exc:
            raise TransportFailed(str(exc)) from exc
        except OSError as exc:
            raise TransportFailed(str(exc)[:300]) from exc
        if status >= 400:
            if 400 <= status < 500 and status not in (408, 429):
                raise Refused(f"{status} {body[:200].decode('utf-8', 'replace')}", hard=True)
            raise TransportFailed(f"HTTP {status}")


RECIPIENT_HEADER = "X-Guanxi-Recipient"


def transport_for(channel):
    return EmailTransport() if channel == "email" else WebhookTransport(channel)
