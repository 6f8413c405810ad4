from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec
from guanxi.org.selectors import branch_choices

from . import selectors
from .models import NoteCategory


class NoteList(ListSpec):
    key = "workplace.notes"
    title = _("Notes")
    permission = "workplace.view"
    export_permission = "workplace.export"
    create_url_name = "workplace:note_create"
    create_permission = "workplace.create"
    export_name = "notes"
    columns = [
        Column("title", _("Title"), sortable=True, link=True),
        Column("category", _("Category")),
        Column("owner", _("Owner"), value=lambda n: n.owner.display_name),
        Column("branch", _("Branch"), value=lambda n: n.branch.name),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [
        Filter("category", _("Category"), choices=NoteCategory.choices),
        Filter("branch", _("Branch"), lookup="branch_id", choices=lambda request: branch_choices()),
        Filter("from", _("Created from"), lookup="created_at", kind="date_from"),
        Filter("to", _("Created to"), lookup="created_at", kind="date_to"),
    ]
    search_fields = ["title", "body"]
    empty_text = _("No notes yet. Write down what you learned at your last meeting.")

    def queryset(self, request):
        return selectors.notes_visible_to(request.user)
