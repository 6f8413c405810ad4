"""Printed documents (quotes, orders, shipping notes, purchase orders…) as PDF.

A document type has a default bilingual HTML template in ``templates/print/``;
administrators can replace it with their own HTML with placeholders (``{{ customer.name
}}``, ``{% for line in lines %}``), kept in ``PrintTemplate``. Templates only ever see
plain data (dicts, lists, strings), never model objects, so a template cannot reach
anything the document does not show. PDFs are made by xhtml2pdf (ReportLab) with a
Chinese TrueType font found on the machine (``GUANXI_PDF_FONT`` names one explicitly).
"""

import functools
import io
import os
from pathlib import Path

from django.template import Context, Template, TemplateSyntaxError
from django.template.loader import get_template
from django.utils.translation import gettext as _

from .errors import ValidationFailed

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


def render_html(doc_type, data, template_html=None):
    """Render a document's HTML from plain ``data`` (an admin template or the default)."""
    from .models import PrintTemplate

    context = {**data, "font_family": chinese_font()}
    if template_html is None:
        custom = PrintTemplate.objects.filter(doc_type=doc_type, is_active=True).order_by("-updated_at").first()
        template_html = custom.html if custom else None
    if template_html is not None:
        try:
            return Template(template_html).render(Context(context, autoescape=True))
        except TemplateSyntaxError as exc:
            raise ValidationFailed(_("The print template has an error: %(error)s") % {"error": exc},
                                   field="html") from exc
    return get_template(f"print/{doc_type.replace('.', '_')}.html").render(context)


def html_to_pdf(html):
    from xhtml2pdf import pisa

    chinese_font()
    output = io.BytesIO()
    result = pisa.CreatePDF(src=html, dest=output, encoding="utf-8")
    if result.err:
        raise ValidationFailed(_("The document could not be made into a PDF."))
    return output.getvalue()


def validate_template(html):
    """Check an administrator's template before saving it."""
    if len(html) > 100_000:
        raise ValidationFailed(_("A template has at most 100,000 characters."), field="html")
    lowered = html.lower()
    for forbidden in ("{% load", "{% include", "{% extends", "{% debug", "{% ssi"):
        if forbidden in lowered:
            raise ValidationFailed(_("Templates may not use %(tag)s.") % {"tag": forbidden + " %}"}, field="html")
    try:
        Template(html)
    except TemplateSyntaxError as exc:
        raise ValidationFailed(_("The print template has an error: %(error)s") % {"error": exc},
                               field="html") from exc


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
    from django.http import Http404, HttpResponse

    if fmt not in make or fmt not in CONTENT_TYPES:
        raise Http404
    response = HttpResponse(make[fmt](), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
