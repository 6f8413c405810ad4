"""Service screens: tickets, the flow editor, service levels, the knowledge base,
surveys (public answer page and results) and quality issues."""

import json

from django import forms
from django.contrib import messages
from django.db.models import Avg, Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core import picklists
from guanxi.core.charts import bar_chart
from guanxi.core.errors import DomainError
from guanxi.core.forms import act_on, form_page, report_error
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import PUBLIC, require
from guanxi.customers.selectors import customer_get
from guanxi.org.models import Department, Role, User

from . import flow_services, knowledge, selectors, services
from .forms import ArticleForm, TicketForm
from .lists import TicketList
from .models import (
    Flow,
    FlowRun,
    MailTemplate,
    ServiceLevel,
    ServiceSettings,
    TicketStatus,
    TicketTask,
)

ticket_list = ListPageView.as_view(spec=TicketList)


@require("service.create")
def ticket_create(request):
    raw = request.GET.get("customer", "")
    customer = customer_get(request.user, int(raw)) if raw.isdigit() else None
    initial = {"contact_name": "", "contact_email": customer.email if customer else "",
               "contact_phone": (customer.mobile or customer.phone) if customer else "",
               "severity": picklists.items("service.severity").filter(code="normal").first()}
    form = TicketForm(request.POST or None, initial=initial)
    return form_page(request, form, lambda data: services.ticket_create(actor=request.user, customer=customer,
                                                                        **data),
                     title=_("New ticket") + (f" · {customer.name}" if customer else ""),
                     saved_message=_("Ticket saved."), success_url=lambda t: t, cancel_url="service:ticket_list")


@require("service.view")
def ticket_detail(request, pk):
    ticket = selectors.ticket_get(request.user, pk)
    runs = FlowRun.objects.filter(ticket=ticket).select_related("version__flow").prefetch_related("log")
    return render(request, "service/ticket_detail.html", {
        "ticket": ticket, "entries": ticket.entries.select_related("author").prefetch_related("attachments"),
        "tasks": ticket.tasks.select_related("assignee"), "runs": runs, "history": history_for(ticket),
        "statuses": [(value, label) for value, label in TicketStatus.choices
                     if value in services.TRANSITIONS[ticket.status]],
        "survey": getattr(ticket, "survey", None) if hasattr(ticket, "survey") else None,
        "can_edit": request.user.has_module_perm("service.edit"),
    })


@require("service.view")
def ticket_knowledge(request, pk):
    """The ticket page's knowledge-base panel (linked articles, suggestions), loaded once the
    page shows (the suggestions search the articles); a page of its own without JavaScript."""
    ticket = selectors.ticket_get(request.user, pk)
    return render(request, "service/_ticket_knowledge.html" if request.htmx else "service/ticket_knowledge.html", {
        "ticket": ticket, "suggestions": knowledge.suggest(ticket), "linked": ticket.articles.all(),
        "can_edit": request.user.has_module_perm("service.edit")})


@require("service.edit")
@require_POST
def ticket_action(request, pk, action):
    ticket = selectors.ticket_get(request.user, pk)
    post, user = request.POST, request.user
    return act_on(request, action, {
        "status": (lambda: services.ticket_set_status(actor=user, ticket=ticket, status=post.get("status", ""),
                                                      note=post.get("note", "")), _("Status changed.")),
        "note": (lambda: services.ticket_note(actor=user, ticket=ticket, body=post.get("body", "")), None),
        "reply": (lambda: services.ticket_reply(actor=user, ticket=ticket, body=post.get("body", "")),
                  _("The reply was sent.")),
        "take": (lambda: services.ticket_assign(actor=user, ticket=ticket, assignee=user), _("The ticket is yours.")),
        "task": (lambda: services.ticket_task_add(actor=user, ticket=ticket, title=post.get("title", ""),
                                                  assignee=user), None),
        "task-done": (lambda: services.ticket_task_done(
            actor=user, task=get_object_or_404(TicketTask, pk=post.get("task"), ticket=ticket)), None),
        "quality": (lambda: services.ticket_mark_quality(actor=user, ticket=ticket,
                                                         is_quality_issue=post.get("on") == "1"), None),
        "link": (lambda: get_object_or_404(selectors.articles(), pk=post.get("article")).tickets.add(ticket),
                 _("Linked to the ticket.")),
    }, back=ticket)


# --- handling flows (SRV-3) -------------------------------------------------------------------
@require("service.manage")
def flow_list(request):
    flows = Flow.objects.select_related("ticket_type", "severity", "live_version").order_by("name")
    return render(request, "service/flow_list.html", {"flows": flows})


@require("service.manage")
def flow_edit(request, pk=None):
    """The editor: drag steps from the palette into the flow, set them, publish."""

    flow = get_object_or_404(Flow, pk=pk) if pk else None
    errors = []
    if request.method == "POST":
        try:
            steps = json.loads(request.POST.get("steps") or "[]")
        except ValueError:
            steps = None
        try:
            flow = flow_services.flow_publish(
                actor=request.user, flow=flow, name=request.POST.get("name", ""), steps=steps,
                ticket_type=picklists.items("service.ticket_type").filter(pk=request.POST.get("ticket_type") or 0)
                .first(),
                severity=picklists.items("service.severity").filter(pk=request.POST.get("severity") or 0).first())
            messages.success(request, _("Version %(n)d is live: new tickets follow it from now on.") % {
                "n": flow.live_version.number})
            return redirect(flow)
        except DomainError as exc:
            errors = [f"{e['field'] or ''} {e['message']}".strip() for e in exc.errors] or [exc.message]
    steps = flow.live_version.steps if flow and flow.live_version else []
    return render(request, "service/flow_edit.html", {
        "flow": flow, "steps_json": json.dumps(steps, ensure_ascii=False), "errors": errors,
        "types": picklists.items("service.ticket_type"), "severities": picklists.items("service.severity"),
        "templates": MailTemplate.objects.order_by("name"),
        "departments": Department.objects.select_related("branch").order_by("branch__name", "path"),
        "roles": Role.objects.order_by("code"), "people": User.objects.filter(is_active=True).order_by("display_name"),
        "versions": flow.versions.select_related("created_by")[:20] if flow else [],
    })


@require("service.manage")
def service_levels(request):
    if request.method == "POST":
        try:
            flow_services.levels_save(actor=request.user, rows=[
                (request.POST.get(f"type_{i}") or None, request.POST.get(f"severity_{i}"),
                 request.POST.get(f"response_{i}"), request.POST.get(f"resolution_{i}"))
                for i in range(1, 41) if request.POST.get(f"severity_{i}")])
            messages.success(request, _("Saved."))
            return redirect("service:levels")
        except DomainError as exc:
            report_error(request, exc)
    levels = list(ServiceLevel.objects.select_related("ticket_type", "severity"))
    rows = [(i, levels[i - 1] if i <= len(levels) else None) for i in range(1, len(levels) + 4)]
    return render(request, "service/levels.html", {
        "rows": rows, "types": picklists.items("service.ticket_type"),
        "severities": picklists.items("service.severity"), "hours_form": _hours_form(request),
        "can_edit_calendar": request.user.has_module_perm("system.configure")})


class HoursForm(forms.Form):
    work_days = forms.MultipleChoiceField(label=gettext_lazy("Working days"), widget=forms.CheckboxSelectMultiple,
                                          choices=[(str(i), label) for i, label in enumerate(
                                              [gettext_lazy("Mon"), gettext_lazy("Tue"), gettext_lazy("Wed"),
                                               gettext_lazy("Thu"), gettext_lazy("Fri"), gettext_lazy("Sat"),
                                               gettext_lazy("Sun")], start=1)])
    day_starts = forms.TimeField(label=gettext_lazy("Day starts"), widget=forms.TimeInput(attrs={"type": "time"},
                                                                                       format="%H:%M"))
    day_ends = forms.TimeField(label=gettext_lazy("Day ends"), widget=forms.TimeInput(attrs={"type": "time"},
                                                                                   format="%H:%M"))
    survey_after_close = forms.BooleanField(label=gettext_lazy("Send a survey when a ticket is closed"),
                                            required=False)
    care_follow_up_days = forms.IntegerField(label=gettext_lazy("After-sales follow-up (days after delivery)"),
                                             min_value=0, max_value=365)


def _hours_form(request, bound=False):
    current = ServiceSettings.current()
    return HoursForm(request.POST if bound else None, initial={
        "work_days": current.work_days.split(","), "day_starts": current.day_starts, "day_ends": current.day_ends,
        "survey_after_close": current.survey_after_close,
        "care_follow_up_days": current.care_follow_up_days})


@require("service.manage")
@require_POST
def service_hours(request):
    form = _hours_form(request, bound=True)
    if form.is_valid():
        try:
            flow_services.service_settings_save(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Saved."))
        except DomainError as exc:
            report_error(request, exc)
    else:
        messages.error(request, next(iter(form.errors.values()))[0])
    return redirect("service:levels")


# --- knowledge base (SRV-5) ---------------------------------------------------------------------
@require("service.view")
def article_list(request):
    q = request.GET.get("q", "").strip()[:200]
    if q:
        results = [article for article, _score in knowledge.search(selectors.articles(), q, limit=50)]
    else:
        results = list(selectors.articles().order_by("-updated_at")[:50])
    return render(request, "service/article_list.html", {"articles": results, "q": q})


@require("service.view")
def article_detail(request, pk):
    article = get_object_or_404(selectors.articles(published_only=not request.user.has_module_perm("service.edit")),
                                pk=pk)
    linked = [t for t in article.tickets.all() if selectors.tickets_visible_to(request.user).filter(pk=t.pk).exists()]
    return render(request, "service/article_detail.html", {"article": article, "tickets": linked[:20]})


@require("service.edit")
def article_edit(request, pk=None):
    article = get_object_or_404(selectors.articles(published_only=False), pk=pk) if pk else None
    initial = {"title": article.title, "body": article.body, "category": article.category,
               "is_published": article.is_published} if article else {"is_published": True}
    form = ArticleForm(request.POST or None, initial=initial)
    return form_page(request, form, lambda data: services.article_save(actor=request.user, article=article, **data),
                     title=article.title if article else _("New article"), saved_message=_("Saved."),
                     success_url=lambda a: a, cancel_url="service:article_list")


# --- surveys (SRV-6) -------------------------------------------------------------------------
@require(PUBLIC)
def survey(request, token):
    """The public survey page: no login, one answer per token."""
    found = services.survey_for_token(token)
    if found is None:
        raise Http404
    error, done = "", found.answered_at is not None
    if request.method == "POST" and not done:
        try:
            services.survey_answer(token=token, rating=request.POST.get("rating"),
                                   comment=request.POST.get("comment", ""))
            done = True
        except DomainError as exc:
            error = exc.errors[0]["message"] if exc.errors else exc.message
            done = found.answered_at is not None
    return render(request, "service/survey.html", {"survey": found, "done": done, "error": error,
                                                   "stars": range(1, 6)})


@require("service.view")
def survey_report(request):
    group = request.GET.get("group") if request.GET.get("group") in ("agent", "department", "branch") else "agent"
    key, label = {"agent": ("agent_id", "agent__display_name"), "department": ("department_id", "department__name"),
                  "branch": ("branch_id", "branch__name")}[group]
    visible = selectors.surveys_visible_to(request.user)
    rows = list(visible.order_by().values(key, label).annotate(
        sent=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False)),
        average=Avg("rating"), unhappy=Count("pk", filter=Q(rating__lte=2))).order_by("-answered"))
    chart = bar_chart([r[label] or "—" for r in rows[:15]], [(_("Average rating"), [
        round(r["average"] or 0, 2) for r in rows[:15]])], title=_("Average rating (1–5)"))
    comments = visible.filter(answered_at__isnull=False).exclude(comment="").order_by("-answered_at")[:20]
    return render(request, "service/survey_report.html", {"rows": rows, "label": label, "chart": chart,
                                                          "group": group, "comments": comments})


@require("service.view")
def quality_report(request):
    """SRV-8: quality issues per product."""
    rows = list(selectors.tickets_visible_to(request.user).filter(is_quality_issue=True, product__isnull=False)
                .order_by().values("product__sku", "product__name").annotate(
                    n=Count("pk"), open=Count("pk", filter=Q(status__in=["new", "open", "waiting"])))
                .order_by("-n"))
    chart = bar_chart([f"{r['product__sku']}" for r in rows[:15]], [(_("Quality issues"), [r["n"] for r in rows[:15]])],
                      title=_("Quality issues per product"))
    return render(request, "service/quality_report.html", {"rows": rows, "chart": chart})

