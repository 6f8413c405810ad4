"""Pages of the capture part of marketing (MKT-5, MKT-7): event and survey forms (design,
responses, check-in, export), the public form, referral codes and referrals, and the
marketing department's forms."""

import json
import logging

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guanxi.core.errors import DomainError
from guanxi.core.exports import export_response
from guanxi.core.forms import act, form_page
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import PUBLIC, require
from guanxi.customers.selectors import customer_get
from guanxi.service import webforms

from .forms_capture import MarketingFormForm, ReportForm, public_form_class, report_content_form
from .lists_capture import MarketingFormList, ReportList, ResponseList
from .models import ResponseStatus
from .selectors import capture as selectors
from .services import capture as services

logger = logging.getLogger("guanxi.marketing.forms")
MAX_POST_BYTES = 32 * 1024  # a public entry is a few fields of text

form_list = ListPageView.as_view(spec=MarketingFormList)
response_list = ListPageView.as_view(spec=ResponseList)
report_list = ListPageView.as_view(spec=ReportList)


# --- designing forms ---------------------------------------------------------------------------
@require("marketing.create")
def form_create(request):
    form = MarketingFormForm(request.POST or None, campaigns=selectors.campaigns_to_link(request.user),
                             initial={"kind": "event", "is_active": True, "schema": DEFAULT_FIELDS})
    return form_page(request, form, lambda data: services.marketing_form_create(actor=request.user,
                                                                                **form.service_data()),
                     title=_("New form"), saved_message=_("Saved."), success_url=lambda f: f,
                     cancel_url="marketing:capture_form_list")


@require("marketing.edit")
def form_edit(request, pk):
    marketing_form = selectors.form_get(request.user, pk)
    names = ("kind", "name", "slug", "intro", "campaign", "event_starts_at", "event_place", "capacity", "thank_you",
             "is_active")
    initial = {name: getattr(marketing_form, name) for name in names}
    initial["schema"] = _json(marketing_form.fields)
    form = MarketingFormForm(request.POST or None, campaigns=selectors.campaigns_to_link(request.user),
                             initial=initial)
    return form_page(request, form, lambda data: services.marketing_form_update(
        actor=request.user, form=marketing_form, **form.service_data()), title=marketing_form.name, saved_message=_("Saved."),
        success_url=marketing_form, cancel_url=marketing_form)


def _json(value):
    return json.dumps(value, ensure_ascii=False, indent=1)


DEFAULT_FIELDS = (
    '[{"name": "name", "label": "姓名 Name", "type": "text", "required": true},\n'
    ' {"name": "company", "label": "公司 Company", "type": "text"},\n'
    ' {"name": "mobile", "label": "手机 Mobile", "type": "phone", "required": true},\n'
    ' {"name": "email", "label": "邮箱 E-mail", "type": "email"},\n'
    ' {"name": "consent", "label": "我同意接收活动信息 I agree to receive event news", "type": "consent", '
    '"required": true}]'
)


@require("marketing.view")
def form_detail(request, pk):
    marketing_form = selectors.form_get(request.user, pk)
    responses = selectors.responses_of_form(request.user, marketing_form)
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and request.user.has_module_perm("marketing.export"):
        headers, rows = selectors.response_rows(responses.order_by("submitted_at", "pk"), marketing_form)
        return export_response(fmt, headers, rows, f"form-{marketing_form.slug}", str(_("Responses")))
    if request.htmx and request.GET.get("tab") == "history":
        return render(request, "core/_history.html", {"entries": history_for(marketing_form)})
    q = request.GET.get("q", "")
    shown = selectors.response_search(responses, q) if q.strip() else responses
    return render(request, "marketing/capture_form_detail.html", {
        "item": marketing_form, "responses": list(shown.order_by("-submitted_at", "-pk")[:50]), "q": q,
        "counts": selectors.form_counts(marketing_form),
        "public_url": request.build_absolute_uri(_public_path(marketing_form)),
        "can_edit": request.user.has_module_perm("marketing.edit"),
        "can_delete": request.user.has_module_perm("marketing.delete"),
        "can_export": request.user.has_module_perm("marketing.export"),
    })


def _public_path(marketing_form):
    return reverse("marketing:capture_public", args=[marketing_form.slug])


@require("marketing.delete")
@require_POST
def form_delete(request, pk):
    marketing_form = selectors.form_get(request.user, pk)
    return act(request, lambda: services.marketing_form_delete(actor=request.user, form=marketing_form),
               done=_("Moved to the recycle bin."), back=marketing_form, then="marketing:capture_form_list")


@require("marketing.edit")
@require_POST
def response_check_in(request, pk):
    response = selectors.response_get(request.user, pk)
    return act(request, lambda: services.response_check_in(actor=request.user, response=response),
               done=_("%(name)s is checked in.") % {"name": response.name or response.mobile}, back=response.form)


@require("marketing.edit")
@require_POST
def response_withdraw(request, pk):
    response = selectors.response_get(request.user, pk)
    return act(request, lambda: services.response_withdraw(actor=request.user, response=response),
               done=lambda moved: _("Registration removed.") + (
                   " " + _("%(name)s moved up from the waiting list.") % {"name": moved.name or moved.mobile}
                   if moved else ""),
               back=response.form)


# --- the public form ---------------------------------------------------------------------------
def _public_page(request, marketing_form, form, *, done=None, error="", status=200, retry=0):
    response = render(request, "marketing/capture_public.html", {
        "item": marketing_form, "form": form, "done": done, "error": error,
        "token": webforms.fill_token(marketing_form), "honeypot": webforms.HONEYPOT,
        "waiting": done is not None and done.status == ResponseStatus.WAITING,
        "lang": translation.get_language()}, status=status)
    if retry:
        response["Retry-After"] = str(retry)
    return response


class _Thanked:
    """What a bot that filled the honeypot is shown: thanks, and nothing stored."""

    status = ResponseStatus.RECEIVED


@require_http_methods(["GET", "POST"])
@require(PUBLIC)
def public_form(request, slug):
    """A published form anyone may fill in (no login; CSRF, honeypot, fill time, rate limit
    and size limits protect it). ``?ref=CODE`` and UTM parameters in the address are kept."""
    marketing_form = selectors.public_form(slug)
    if marketing_form is None:
        raise Http404
    form_class = public_form_class(marketing_form)
    if request.method != "POST":
        return _public_page(request, marketing_form, form_class())
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_POST_BYTES:
        return HttpResponse(_("The entry is too large."), status=413, content_type="text/plain; charset=utf-8")
    wait = webforms.retry_after(request)
    if wait:
        return _public_page(request, marketing_form, form_class(), status=429, retry=wait,
                            error=_("Too many entries from your address. Please try again later."))
    if request.POST.get(webforms.HONEYPOT):
        return _public_page(request, marketing_form, form_class(), done=_Thanked())
    form = form_class(request.POST)
    if not webforms.fill_time_ok(marketing_form, request.POST.get("t")):
        return _public_page(request, marketing_form, form, status=400,
                            error=_("Please check your entries and send the form again."))
    if not form.is_valid():
        return _public_page(request, marketing_form, form, status=422)
    try:
        entry = services.form_submit(form=marketing_form, answers=form.cleaned_data,
                                     utm=services.clean_utm(request.GET), ref=request.GET.get("ref", ""))
    except DomainError:
        logger.exception("marketing form %s refused an entry", marketing_form.slug)
        return _public_page(request, marketing_form, form, status=503, error=_(
            "This form cannot take entries right now. Please contact us another way."))
    return _public_page(request, marketing_form, form_class(), done=entry)


# --- referrals ---------------------------------------------------------------------------------
@require("marketing.view")
def referrals(request, customer_pk):
    """The customer's referral code and link, the leads it brought and their conversions."""
    customer = customer_get(request.user, customer_pk)
    code = selectors.referral_code_of(request.user, customer)
    rows = list(selectors.referrals_of_customer(request.user, customer)[:200])
    forms = list(selectors.forms_visible_to(request.user).filter(is_active=True).order_by("-created_at")[:5])
    return render(request, "marketing/capture_referrals.html", {
        "customer": customer, "code": code, "referrals": rows,
        "converted": sum(1 for r in rows if r.converted_at),
        "links": [(f, request.build_absolute_uri(_public_path(f)) + f"?ref={code.code}") for f in forms]
        if code else [],
        "can_issue": request.user.has_module_perm("marketing.create"),
    })


@require("marketing.create")
@require_POST
def referral_code_issue(request, customer_pk):
    customer = customer_get(request.user, customer_pk)
    return act(request, lambda: services.referral_code_issue(actor=request.user, customer=customer), done=None,
               back=request.path.rsplit("issue/", 1)[0])


# --- department forms (MKT-7) ------------------------------------------------------------------
@require("marketing.create")
def report_create(request):
    form = ReportForm(request.POST or None)
    return form_page(request, form, lambda data: services.report_create(actor=request.user, **data),
                     title=_("New department form"), saved_message=_("Saved. Now fill in its content."),
                     success_url=lambda r: f"{r.get_absolute_url()}edit/", cancel_url="marketing:report_list")


@require("marketing.view")
def report_detail(request, pk):
    report = selectors.report_get(request.user, pk)
    content = report_content_form(report.kind)
    return render(request, "marketing/capture_report_detail.html", {
        "item": report, "content": [(field.label, report.data.get(name, "")) for name, field in
                                    content.fields.items()],
        "is_author": report.owner_id == request.user.pk,
        "can_edit": request.user.has_module_perm("marketing.edit") and report.owner_id == request.user.pk,
        "can_review": request.user.has_module_perm("marketing.manage") and report.owner_id != request.user.pk,
        "can_delete": request.user.has_module_perm("marketing.delete"),
        "history": history_for(report),
    })


@require("marketing.edit")
def report_edit(request, pk):
    report = selectors.report_get(request.user, pk)
    form = report_content_form(report.kind, request.POST or None, initial=report.data)
    return form_page(request, form, lambda data: services.report_update(actor=request.user, report=report,
                                                                        content=data),
                     title=report.title, saved_message=_("Saved."), success_url=report, cancel_url=report)


@require("marketing.edit")
@require_POST
def report_submit(request, pk):
    report = selectors.report_get(request.user, pk)
    return act(request, lambda: services.report_submit(actor=request.user, report=report),
               done=_("Submitted for approval."), back=report)


@require("marketing.manage")
@require_POST
def report_review(request, pk):
    report = selectors.report_get(request.user, pk)
    return act(request, lambda: services.report_review(
        actor=request.user, report=report, approve=request.POST.get("decision") == "approve",
        note=request.POST.get("note", "")), done=_("Saved."), back=report)


@require("marketing.delete")
@require_POST
def report_delete(request, pk):
    report = selectors.report_get(request.user, pk)
    return act(request, lambda: services.report_delete(actor=request.user, report=report),
               done=_("Moved to the recycle bin."), back=report, then="marketing:report_list")

