"""Pages of directives and documents (WRK-2)."""

from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.errors import DomainError
from guanxi.core.forms import act, report_message, run_service
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require

from . import directives, selectors
from .forms import DirectiveForm
from .lists import DirectiveList
from .models import DirectiveAttachment

directive_list = ListPageView.as_view(spec=DirectiveList)
RECEIPTS_SHOWN = 1000  # a company-wide directive: the counts are exact, the table the first thousand


@require("workplace.directive")
def directive_create(request):
    form = DirectiveForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        directive = run_service(form, lambda data: directives.directive_issue(
            actor=request.user, **form.service_data()))
        if directive is not None:
            messages.success(request, _("Issued to %(n)d people.") % {"n": directive.receipts.count()})
            return redirect(directive)
    return render(request, "workplace/directive_form.html", {"form": form, "title": _("Issue a directive")})


@require("workplace.view")
def directive_detail(request, pk):
    directive, receipt, counts = selectors.directive_for_page(request.user, pk)
    tracking = directives.can_track(request.user, directive)
    show = request.GET.get("show", "pending")
    receipts = list(selectors.directive_receipts(
        directive, pending={"pending": True, "done": False}.get(show))[:RECEIPTS_SHOWN]) if tracking else []
    return render(request, "workplace/directive_detail.html", {
        "directive": directive, "receipt": receipt, "counts": counts if tracking else None,
        "attachments": list(directive.attachments.all()), "tracking": tracking, "receipts": receipts,
        "show": show,
        "audience": {"branches": list(directive.branches.all()),
                     "departments": list(directive.departments.select_related("branch")),
                     "roles": list(directive.roles.all())},
    })


@require("workplace.view")
@require_POST
def directive_read(request, pk):
    """Posted by the page when a recipient opens it (no GET changes state)."""
    directives.directive_mark_read(actor=request.user, directive=selectors.directive_get(request.user, pk))
    return HttpResponse(status=204)


@require("workplace.view")
@require_POST
def directive_acknowledge(request, pk):
    directive = selectors.directive_get(request.user, pk)
    return act(request, lambda: directives.directive_acknowledge(actor=request.user, directive=directive),
               done=_("Acknowledged. Thank you."), back=directive, report=report_message)


@require("workplace.directive")
@require_POST
def directive_remind(request, pk):
    directive = selectors.directive_get(request.user, pk)
    try:
        count = directives.directive_remind(actor=request.user, directive=directive)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if count:
            messages.success(request, _("Reminded %(n)d people.") % {"n": count})
        else:
            messages.info(request, _("Nobody to remind: everyone acknowledged or was reminded today."))
    return redirect(directive)


@require("workplace.view")
def attachment_download(request, pk, attachment_pk):
    directive = selectors.directive_get(request.user, pk)  # 404 outside the scope
    attachment = get_object_or_404(DirectiveAttachment, pk=attachment_pk, directive=directive)
    inline = attachment.content_type in ("application/pdf", "image/png", "image/jpeg")
    response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                            as_attachment=not inline, filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response
