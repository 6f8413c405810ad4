from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.forms import form_page
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require

from . import selectors, services
from .forms import NoteForm
from .lists import NoteList

note_list = ListPageView.as_view(spec=NoteList)


@require("workplace.view")
def note_detail(request, pk):
    note = selectors.note_get(request.user, pk)
    if request.htmx and request.GET.get("tab") == "history":
        return render(request, "core/_history.html", {"entries": history_for(note)})
    return render(request, "workplace/note_detail.html", {
        "note": note,
        "can_edit": request.user.has_module_perm("workplace.edit"),
        "can_delete": request.user.has_module_perm("workplace.delete"),
        "tab": request.GET.get("tab", "details"),
        "entries": history_for(note) if request.GET.get("tab") == "history" else None,
    })


@require("workplace.create")
def note_create(request):
    return form_page(
        request, NoteForm(request.POST or None),
        lambda data: services.note_create(actor=request.user, **data),
        title=_("New note"), saved_message=_("Note saved."),
        success_url=lambda note: note, cancel_url="workplace:note_list",
    )


@require("workplace.edit")
def note_edit(request, pk):
    note = selectors.note_get(request.user, pk)
    return form_page(
        request, NoteForm(request.POST or None, instance=note),
        lambda data: services.note_update(actor=request.user, note=note, **data),
        title=_("Edit note"), saved_message=_("Note saved."), success_url=note, cancel_url=note,
    )


@require("workplace.delete")
@require_POST
def note_delete(request, pk):
    note = selectors.note_get(request.user, pk)
    services.note_delete(actor=request.user, note=note)
    messages.success(request, _("Note moved to the recycle bin."))
    return redirect("workplace:note_list")
