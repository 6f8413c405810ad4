"""Pages of e-mail campaigns and journeys (thin: forms, one service or selector each).

The three public endpoints (unsubscribe, open pixel, click redirect) need no login: a
signed token names the recipient. The pixel and the click write on GET by nature (a mail
client only GETs); they record a time stamp once and change nothing else."""

import base64
import functools

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from guanxi.core.forms import act, act_on, form_page, run_service
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import PUBLIC, require

from . import mailing
from .forms_email import (
    EmailSendForm,
    EmailTemplateForm,
    JourneyForm,
    JourneyStepForm,
    PreviewForm,
    ResubscribeForm,
    SuppressionAddForm,
)
from .lists_email import EmailSendList, EmailTemplateList, JourneyList, SuppressionList
from .models import JourneyStep, Recipient, Suppression
from .selectors import email as selectors
from .services import email as services

template_list = ListPageView.as_view(spec=EmailTemplateList)
send_list = ListPageView.as_view(spec=EmailSendList)
suppression_list = ListPageView.as_view(spec=SuppressionList)
journey_list = ListPageView.as_view(spec=JourneyList)

PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@require("marketing.create")
def template_create(request):
    return form_page(request, EmailTemplateForm(request.POST or None),
                     lambda data: services.email_template_create(actor=request.user, **data),
                     title=_("New e-mail template"), saved_message=_("Template saved."),
                     success_url=lambda t: t, cancel_url="marketing:email_template_list")


@require("marketing.edit")
def template_edit(request, pk):
    template = selectors.template_get(request.user, pk)
    return form_page(request, EmailTemplateForm(request.POST or None, instance=template),
                     lambda data: services.email_template_update(actor=request.user, template=template, **data),
                     title=_("Edit e-mail template"), saved_message=_("Template saved."),
                     success_url=lambda t: t, cancel_url="marketing:email_template_list")


@require("marketing.view")
def template_preview(request, pk):
    """The template rendered for a sample customer (the first the user may see, or the chosen one)."""
    template = selectors.template_get(request.user, pk)
    form = PreviewForm(request.GET or None, user=request.user)
    customer = form.cleaned_data.get("customer") if form.is_valid() else None
    customer = customer or selectors.preview_customers(request.user).first()
    values = mailing.values_for(customer=customer, contact=selectors.first_contact(customer) if customer else None,
                                owner=request.user, unsubscribe_url="#unsubscribe")
    return render(request, "marketing/email_preview.html", {
        "template": template, "form": form, "customer": customer, "rendered": mailing.render(template, values)})


@require("marketing.create")
def send_create(request):
    form = EmailSendForm(request.POST or None, user=request.user)
    return form_page(request, form, lambda data: services.email_send_create(actor=request.user, **data),
                     title=_("New e-mail campaign"), saved_message=_("E-mail campaign saved."),
                     success_url=lambda s: s, cancel_url="marketing:email_send_list")


@require("marketing.view")
def send_detail(request, pk):
    send = selectors.send_get(request.user, pk)
    context = {"send": send, "stats": selectors.send_stats(send),
               "can_send": request.user.has_module_perm("marketing.send")}
    if request.htmx:
        return render(request, "marketing/email_send_progress.html", context)
    return render(request, "marketing/email_send_detail.html", context)


_ACTIONS = {"schedule": services.email_send_schedule, "pause": services.email_send_pause,
            "resume": services.email_send_resume, "cancel": services.email_send_cancel}
_DONE = {"schedule": _("The campaign will be sent."), "pause": _("Sending paused."),
         "resume": _("Sending resumed."), "cancel": _("The campaign is cancelled.")}


@require_POST
@require("marketing.send")
def send_action(request, pk, action):
    send = selectors.send_get(request.user, pk)
    return act_on(request, action, {name: (functools.partial(run, actor=request.user, send=send), _DONE[name])
                                    for name, run in _ACTIONS.items()}, back=send)


@require("marketing.send")
def suppression_add(request):
    return form_page(request, SuppressionAddForm(request.POST or None),
                     lambda data: services.suppression_add(actor=request.user, **data),
                     title=_("Suppress an address"), saved_message=_("The address will not be written to."),
                     success_url="marketing:suppression_list", cancel_url="marketing:suppression_list")


@require("marketing.send")
def suppression_lift(request, pk):
    suppression = Suppression.objects.filter(lifted_at__isnull=True, pk=pk).first()
    if suppression is None:
        raise Http404
    return form_page(request, ResubscribeForm(request.POST or None),
                     lambda data: services.suppression_lift(actor=request.user, suppression=suppression, **data),
                     title=_("Re-subscribe %(address)s") % {"address": suppression.address},
                     saved_message=_("The address is subscribed again."),
                     success_url="marketing:suppression_list", cancel_url="marketing:suppression_list")


@require("marketing.create")
def journey_create(request):
    return form_page(request, JourneyForm(request.POST or None, user=request.user),
                     lambda data: services.journey_create(actor=request.user, **data),
                     title=_("New journey"), saved_message=_("Journey saved. Add its steps."),
                     success_url=lambda j: j, cancel_url="marketing:journey_list")


@require("marketing.view")
def journey_detail(request, pk):
    journey = selectors.journey_get(request.user, pk)
    form = JourneyStepForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not request.user.has_module_perm("marketing.edit"):
            raise Http404
        if run_service(form, lambda data: services.journey_step_add(actor=request.user, journey=journey, **data)):
            messages.success(request, _("Step added."))
            return redirect(journey)
    return render(request, "marketing/email_journey_detail.html", {
        "journey": journey, "steps": selectors.journey_steps(journey), "totals": selectors.journey_totals(journey),
        "form": form, "can_edit": request.user.has_module_perm("marketing.edit"),
        "can_send": request.user.has_module_perm("marketing.send")})


@require_POST
@require("marketing.edit")
def journey_step_remove(request, pk, step_pk):
    journey = selectors.journey_get(request.user, pk)
    step = JourneyStep.objects.filter(journey=journey, pk=step_pk).select_related("journey").first()
    if step is None:
        raise Http404
    return act(request, lambda: services.journey_step_remove(actor=request.user, step=step),
               done=_("Step removed."), back=journey)


@require_POST
@require("marketing.send")
def journey_activate(request, pk):
    journey = selectors.journey_get(request.user, pk)
    return act(request, lambda: services.journey_set_active(actor=request.user, journey=journey,
                                                            active=request.POST.get("active") == "1"),
               done=None, back=journey)


# --- public: what the recipient's mail client and browser call ------------------------------

@csrf_exempt
@require(PUBLIC)
def unsubscribe(request, token):
    """GET shows a confirmation button; POST unsubscribes (also RFC 8058 one-click POST)."""
    recipient_id = mailing.read_token(token, mailing.UNSUBSCRIBE_SALT)
    recipient = Recipient.objects.filter(pk=recipient_id).first() if recipient_id else None
    if recipient is None:
        raise Http404
    done = False
    if request.method == "POST":
        services.unsubscribe(recipient.pk)
        done = True
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse(status=200)
    return render(request, "marketing/email_unsubscribe.html", {"recipient": recipient, "done": done})


@require(PUBLIC)
def open_pixel(request, token):
    recipient_id = mailing.read_token(token, mailing.OPEN_SALT)
    if recipient_id:
        services.open_record(recipient_id)
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store"
    return response


@require(PUBLIC)
def click(request, token):
    try:
        recipient_id, index = mailing.signing.loads(token, salt=mailing.CLICK_SALT)
        url = services.click_record(int(recipient_id), int(index))
    except (mailing.signing.BadSignature, TypeError, ValueError):
        url = None
    if url is None:
        raise Http404
    return HttpResponseRedirect(url)
