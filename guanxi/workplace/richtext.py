"""Rich text of directives and news: an allow-list of tags and attributes, cleaned on
input (SECURITY: stored XSS) with nh3 (the Ammonia sanitizer), so templates may show it
as is. Text without block tags keeps its line breaks as paragraphs."""

import re

import nh3
from django.utils.html import escape, linebreaks, strip_tags

TAGS = {"p", "div", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "blockquote", "h2", "h3", "h4",
        "a", "table", "thead", "tbody", "tr", "th", "td", "hr", "code", "pre"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")
_BLOCK = re.compile(r"<(p|div|br|ul|ol|table|h[2-4]|blockquote|pre)\b", re.IGNORECASE)


def sanitize(value, max_length=None):
    """Return safe HTML for ``value`` (HTML or plain text)."""
    value = (value or "").strip()
    if not value:
        return ""
    if not _BLOCK.search(value):
        # Typed text: its line breaks are paragraphs; without any tag it is not HTML at all.
        value = linebreaks(value if _TAG.search(value) else escape(value))
    cleaned = nh3.clean(value, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                        clean_content_tags={"script", "style"}, link_rel="noopener noreferrer nofollow")
    return cleaned[:max_length] if max_length else cleaned


def plain_text(html, length=None):
    """The words of sanitized HTML, for excerpts, e-mails and exports."""
    text = re.sub(r"\s+", " ", strip_tags(html or "")).strip()
    if length and len(text) > length:
        return text[: length - 1] + "…"
    return text
