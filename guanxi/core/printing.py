"""Printed documents (quotes, orders, shipping notes, purchase orders…) as PDF.

A document type has a default bilingual HTML template in ``templates/print/``;
administrators can replace it with their own HTML with placeholders (``{{ customer.name
}}``, ``{% for line in lines %}``), kept in ``PrintTemplate``.

Administrators' templates run in a sandbox: a template engine of its own with no loaders
(no files), autoescaping that cannot be turned off, and only an allow-list of tags
(``if``, ``for``, ``with`` …; never ``load``, ``include``, ``extends``, ``ssi``, ``debug``,
``url``, ``csrf_token``) and filters (never ``safe``). They see plain data only: dicts,
lists, strings, numbers and dates of the printed fields (``plain_data`` refuses anything
else), never model objects, settings or the request, so there is nothing to walk from
``{{ order.customer.owner.password }}`` or ``{{ settings.SECRET_KEY }}``. PDFs are made by xhtml2pdf (ReportLab) with a
Chinese TrueType font found on the machine (``GUANXI_PDF_FONT`` names one explicitly).
"""

import datetime
import functools
import io
import os
import re
from decimal import Decimal
from pathlib import Path

from django.http import Http404, HttpResponse
from django.template import (
    Context,
    Engine,
    Library,
    TemplateDoesNotExist,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .errors import ValidationFailed
from .models import PrintTemplate

FONT_NAME = "GuanxiCJK"
# TrueType (not CFF/OTF) fonts with Chinese glyphs: ReportLab embeds TrueType only.
FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/arphic/ukai.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
]


@functools.cache
def chinese_font():
    """Register and return the font family name used for Chinese text in PDFs."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont
    from xhtml2pdf import default

    paths = [os.environ.get("GUANXI_PDF_FONT", "")] + FONT_CANDIDATES
    for path in paths:
        if path and Path(path).exists():
            try:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=0))
                break
            except Exception:  # noqa: BLE001, S112 - not a TrueType font: try the next one
                continue
    else:
        # No TrueType Chinese font on this machine: ReportLab's built-in CID font, which
        # PDF readers draw with their own Chinese fonts.
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        default.DEFAULT_FONT[FONT_NAME.lower()] = "STSong-Light"
        return FONT_NAME.lower()
    default.DEFAULT_FONT[FONT_NAME.lower()] = FONT_NAME
    return FONT_NAME.lower()


# --- the sandbox -------------------------------------------------------------------------
SAFE_TAGS = ("if", "for", "with", "comment", "cycle", "resetcycle", "firstof", "now", "spaceless", "verbatim",
             "widthratio", "templatetag", "ifchanged", "filter", "regroup")
SAFE_FILTERS = ("add", "capfirst", "center", "cut", "date", "default", "default_if_none", "divisibleby", "escape",
                "filesizeformat", "first", "floatformat", "force_escape", "join", "last", "length", "linebreaks",
                "linebreaksbr", "ljust", "lower", "make_list", "pluralize", "rjust", "slice", "stringformat",
                "striptags", "time", "title", "truncatechars", "truncatewords", "upper", "urlencode", "wordcount",
                "wordwrap", "yesno")
_INNER_TAGS = {"else", "elif", "empty"} | {f"end{tag}" for tag in SAFE_TAGS}
_TAG_NAME = re.compile(r"{%\s*([^\s%]+)")
PLAIN_TYPES = (str, int, float, Decimal, bool, type(None), datetime.date)


@functools.cache
def sandbox_engine():
    """The template engine of administrators' templates: allow-listed tags and filters,
    no loaders, autoescape on."""
    library = Library()
    library.tags.update({name: defaulttags.register.tags[name] for name in SAFE_TAGS})
    library.filters.update({name: defaultfilters.register.filters[name] for name in SAFE_FILTERS})
    engine = Engine(dirs=[], app_dirs=False, loaders=[], libraries={}, autoescape=True, debug=False,
                    string_if_invalid="")
    engine.template_builtins = [library]  # instead of Django's defaults, which include load/include/extends
    engine.template_libraries = {}
    return engine


def plain_data(value):
    """Return ``value`` if it holds only dicts, lists and plain values (lazy text made a
    string); a model object or anything else is a programming error."""
    if isinstance(value, dict):
        return {str(key): plain_data(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_data(item) for item in value]
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, PLAIN_TYPES):
        return value
    raise TypeError(f"print data holds plain values only, not {type(value).__name__}")


def _template_error(exc):
    return ValidationFailed(_("The print template has an error: %(error)s") % {"error": exc}, field="html")


def compile_sandboxed(html):
    """Compile an administrator's template in the sandbox, or raise ValidationFailed."""
    for name in _TAG_NAME.findall(html):
        if name not in SAFE_TAGS and name not in _INNER_TAGS:
            raise ValidationFailed(_("Templates may not use the “%(tag)s” tag. Allowed tags: %(allowed)s.") % {
                "tag": name[:30], "allowed": ", ".join(SAFE_TAGS)}, field="html")
    try:
        return sandbox_engine().from_string(html)
    except TemplateSyntaxError as exc:
        raise _template_error(exc) from exc


def render_sandboxed(html, data, *, autoescape=True):
    """Render an administrator's template with plain ``data``; any failure is a ValidationFailed."""
    template = compile_sandboxed(html)
    try:
        return template.render(Context(plain_data(data), autoescape=autoescape))
    except (TemplateSyntaxError, TemplateDoesNotExist, ValueError, TypeError, ArithmeticError, LookupError,
            AttributeError) as exc:
        raise _template_error(exc) from exc


def _layout_name(doc_type):
    return f"print/{doc_type.replace('.', '_')}.html"


def default_source(doc_type):
    """The default layout's HTML (the start of an administrator's own), or "" when missing."""
    try:
        return get_template(_layout_name(doc_type)).template.source
    except TemplateDoesNotExist:
        return ""


def render_html(doc_type, data, template_html=None):
    """Render a document's HTML from plain ``data`` (an admin template or the default)."""

    context = {**plain_data(data), "font_family": chinese_font()}
    if template_html is None:
        custom = PrintTemplate.objects.filter(doc_type=doc_type, is_active=True).order_by("-updated_at").first()
        template_html = custom.html if custom else None
    if template_html is not None:
        return render_sandboxed(template_html, context)
    try:
        return get_template(_layout_name(doc_type)).render(context)
    except TemplateDoesNotExist as exc:
        raise ValidationFailed(_("The print layout of this document (%(file)s) is missing. Ask an administrator "
                                 "to add a print template.") % {"file": _layout_name(doc_type)}) from exc


def html_to_pdf(html):
    from xhtml2pdf import pisa

    chinese_font()
    output = io.BytesIO()
    result = pisa.CreatePDF(src=html, dest=output, encoding="utf-8")
    if result.err:
        raise ValidationFailed(_("The document could not be made into a PDF."))
    return output.getvalue()


def validate_template(html):
    """Check an administrator's template before saving it (it compiles in the sandbox)."""
    if len(html) > 100_000:
        raise ValidationFailed(_("A template has at most 100,000 characters."), field="html")
    compile_sandboxed(html)


_doc_types = {}


def register(doc_type, label, sample):
    """A printable document type; ``sample()`` returns data to preview a template with."""
    _doc_types[doc_type] = (label, sample)


def doc_types():
    return dict(_doc_types)


CONTENT_TYPES = {"pdf": "application/pdf",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def file_response(fmt, make, filename):
    """A printed document as a download: ``make[fmt]()`` builds the bytes (404 for other formats)."""

    if fmt not in make or fmt not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(make[fmt](), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_bytes(sheet_title, rows):
    """A one-sheet workbook of ``rows`` (lists of cells) as bytes: a printed document's
    spreadsheet (quotes, purchase orders). The caller neutralises what users typed."""
    from openpyxl import Workbook  # heavy: loaded when a workbook is made, as in core.exports

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
