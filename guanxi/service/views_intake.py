"""Intake screens (SRV-7, CUS-4): the public web forms, their configuration with the embed
snippet, the caller page of a phone call and ticket attachments."""

import logging

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from guanxi.core.errors import DomainError
from guanxi.core.forms import form_page
from guanxi.core.permissions import PUBLIC, require

from . import caller, intake, selectors, webforms
from .forms_intake import WebFormForm, public_form_class
from .models import EntryAttachment, MailboxState, WebForm

logger = logging.getLogger("guanxi.service.webforms")


# --- the public form ----------------------------------------------------------------------------
def _language(request):
    wanted = request.GET.get("lang", "")
    return wanted if wanted in dict(settings.LANGUAGES) else translation.get_language()


def _public_page(request, web_form, form, *, done=False, error="", status=200, retry=0):
    response = render(request, "service/public_form.html", {
        "web_form": web_form, "form": form, "done": done, "error": error, "token": webforms.fill_token(web_form),
        "honeypot": webforms.HONEYPOT, "lang": translation.get_language()}, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    # This page alone may be framed by other sites (django-csp reads this per response).
    response._csp_replace = {"frame-ancestors": webforms.frame_ancestors()}
    return response


@csrf_exempt  # framed on other sites: no cookies reach it; the signed fill-time stamp stands in
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
@require(PUBLIC)
def public_form(request, slug):
    """A public web-to-ticket or web-to-lead form, embeddable in an <iframe>."""
    web_form = WebForm.objects.filter(slug=slug, is_active=True).select_related(
        "owner", "branch", "ticket_type", "severity").first()
    if web_form is None:
        raise Http404
    with translation.override(_language(request)):
        form_class = public_form_class(web_form)
        if request.method != "POST":
            return _public_page(request, web_form, form_class())
        wait = webforms.retry_after(request)
        if wait:
            return _public_page(request, web_form, form_class(), status=429, retry=wait,
                                error=_("Too many entries from your address. Please try again later."))
        form = form_class(request.POST)
        if request.POST.get(webforms.HONEYPOT):
            return _public_page(request, web_form, form_class(), done=True)  # a bot: thanked, nothing stored
        if not webforms.fill_time_ok(web_form, request.POST.get("t")):
            return _public_page(request, web_form, form, status=400, error=_(
                "Please check your entries and send the form again."))
        if not form.is_valid():
            return _public_page(request, web_form, form, status=422)
        try:
            intake.webform_submit(form=web_form, data=form.cleaned_data)
        except DomainError:
            logger.exception("web form %s refused an entry", web_form.slug)
            return _public_page(request, web_form, form, status=503, error=_(
                "This form cannot take entries right now. Please contact us another way."))
        return _public_page(request, web_form, form_class(), done=True)


# --- configuration (service.manage) ------------------------------------------------------------
@require("service.manage")
def webform_list(request):
    forms = WebForm.objects.select_related("owner", "branch", "ticket_type", "severity").order_by("name")
    site = (intake.setting("GUANXI_SITE_URL", "") or request.build_absolute_uri("/")).rstrip("/")
    rows = [(form, webforms.embed_snippet(form, site)) for form in forms]
    return render(request, "service/webform_list.html", {
        "rows": rows, "mailboxes": MailboxState.objects.order_by("mailbox"),
        "imap_configured": bool(intake.setting("GUANXI_IMAP_URL"))})


@require("service.manage")
def webform_edit(request, pk=None):
    web_form = get_object_or_404(WebForm, pk=pk) if pk else None
    fields = ("name", "slug", "kind", "ticket_type", "severity", "branch", "owner", "thank_you", "is_active")
    initial = {name: getattr(web_form, name) for name in fields} if web_form else {
        "kind": WebForm.Kind.TICKET, "is_active": True}
    form = WebFormForm(request.POST or None, initial=initial)
    return form_page(request, form, lambda data: webforms.webform_save(actor=request.user, form=web_form, **data),
                     title=web_form.name if web_form else _("New web form"), saved_message=_("Saved."),
                     success_url="service:webform_list", cancel_url="service:webform_list")


# --- calls and attachments ----------------------------------------------------------------------
@require("service.view")
def call_detail(request, pk):
    """The caller page a telephony notice links to (404 outside the viewer's scope)."""
    return render(request, "service/caller.html", {"page": caller.caller_page(request.user, pk)})


@require("service.view")
def attachment_download(request, pk, attachment_pk):
    ticket = selectors.ticket_get(request.user, pk)  # 404 outside the scope
    attachment = get_object_or_404(EntryAttachment, pk=attachment_pk, entry__ticket=ticket)
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
