from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec, period_filters
from guanxi.customers.lists import customer_filter
from guanxi.org.selectors import branch_choices

from . import selectors
from .models import DirectiveKind, IntelType, NewsItem, NewsKind, NoteCategory, PlanStatus
from .richtext import plain_text


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
        *period_filters("created_at", _("Created from"), _("Created to")),
    ]
    search_fields = ["title", "body"]
    empty_text = _("No notes yet. Write down what you learned at your last meeting.")

    visible_to = selectors.notes_visible_to


def _status_badge(item):
    return item.get_status_display()


class PlanList(ListSpec):
    key = "workplace.plans"
    title = _("Work plans")
    permission = "workplace.view"
    export_permission = "workplace.export"
    export_name = "work-plans"
    default_sort = "-day"
    columns = [
        Column("title", _("What"), link=True, sortable=True),
        Column("day", _("Day"), sortable=True),
        Column("owner", _("Employee"), value=lambda i: i.owner.display_name),
        Column("customer", _("Customer"), value=lambda i: i.customer.name if i.customer_id else ""),
        Column("status", _("Status"), value=_status_badge),
        Column("progress", _("Progress (%)"), sortable=True),
        Column("assigned_by", _("Assigned by"), value=lambda i: i.assigned_by.display_name if i.assigned_by_id else ""),
        Column("result", _("Result")),
    ]
    filters = [
        Filter("status", _("Status"), choices=PlanStatus.choices),
        *period_filters("day", _("From"), _("To")),
        Filter("assigned", _("Assigned by a manager"), lookup="assigned_by__isnull", kind="custom",
               choices=[("1", _("Yes")), ("0", _("No"))],
               apply_func=lambda qs, raw, request: qs.filter(assigned_by__isnull=raw != "1")),
        customer_filter(),
    ]
    search_fields = ["title", "notes", "result"]
    empty_text = _("No plan items yet. Plan your day on My day.")

    visible_to = selectors.plan_items_visible_to


def _my_status(directive):
    if not directive.my_receipt:
        return ""
    if directive.my_acknowledged_at:
        return _("Acknowledged")
    return _("Read") if directive.my_read_at else _("Unread")


class DirectiveList(ListSpec):
    key = "workplace.directives"
    title = _("Directives and documents")
    permission = "workplace.view"
    export_permission = "workplace.export"
    export_name = "directives"
    create_url_name = "workplace:directive_create"
    create_permission = "workplace.directive"
    default_sort = "-issued_at"
    columns = [
        Column("title", _("Title"), link=True, sortable=True),
        Column("kind", _("Kind")),
        Column("priority", _("Priority")),
        Column("issuer", _("Issued by"), value=lambda d: d.issuer.display_name),
        Column("issued_at", _("Issued"), sortable=True),
        Column("mine", _("Me"), value=_my_status),
        Column("acknowledged", _("Acknowledged"),
               value=lambda d: f"{d.acknowledged_total}/{d.recipient_total}" if d.requires_ack else "—"),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=DirectiveKind.choices),
        Filter("pending", _("Waiting for my acknowledgement"), kind="custom", choices=[("1", _("Yes"))],
               apply_func=lambda qs, raw, request: qs.filter(requires_ack=True, my_receipt__isnull=False,
                                                             my_acknowledged_at__isnull=True)),
        Filter("issued", _("Issued by me"), kind="custom", choices=[("1", _("Yes"))],
               apply_func=lambda qs, raw, request: qs.filter(issuer=request.user)),
        *period_filters("issued_at", _("Issued from"), _("Issued to")),
    ]
    search_fields = ["title", "body"]
    empty_text = _("No directives yet.")

    visible_to = selectors.directives_visible_to


def _tag_filter(queryset, raw, request):
    tagged = NewsItem.tags.through.objects.filter(newstag__name=raw).values("newsitem_id")
    return queryset.filter(pk__in=tagged)


class NewsList(ListSpec):
    key = "workplace.news"
    title = _("Industry news and competitors")
    permission = "workplace.view"
    export_permission = "workplace.export"
    export_name = "news"
    create_url_name = "workplace:news_create"
    create_permission = "workplace.create"
    default_sort = "-published_at"
    columns = [
        Column("title", _("Title"), link=True, sortable=True),
        Column("excerpt", _("Summary"), value=lambda n: plain_text(n.body, 80)),
        Column("kind", _("Kind")),
        Column("tags", _("Tags"), value=lambda n: ", ".join(t.name for t in n.tags.all())),
        Column("competitor", _("Competitor"), value=lambda n: n.competitor.name if n.competitor_id else ""),
        Column("owner", _("Posted by"), value=lambda n: n.owner.display_name),
        Column("published_at", _("Published"), sortable=True),
    ]
    filters = [
        Filter("kind", _("Kind"), choices=NewsKind.choices),
        Filter("tag", _("Tag"), kind="custom", apply_func=_tag_filter,
               choices=lambda request: [(t.name, t.name) for t in selectors.news_tags_in_use()]),
        Filter("intel_type", _("Intelligence type"), choices=IntelType.choices),
        *period_filters("published_at", _("Published from"), _("Published to")),
    ]
    empty_text = _("No news yet. Share what you heard about the market or a competitor.")

    visible_to = selectors.news_visible_to

    def search(self, queryset, q):
        return selectors.news_search(queryset, q)


class CompetitorList(ListSpec):
    key = "workplace.competitors"
    title = _("Competitors")
    permission = "workplace.view"
    default_sort = "name"
    columns = [
        Column("name", _("Name"), link=True, sortable=True),
        Column("city", _("Region"), value=lambda c: c.region_name),
        Column("intel_count", _("Intelligence")),
        Column("won_count", _("Won against them")),
        Column("lost_count", _("Lost to them")),
    ]
    search_fields = ["name"]
    empty_text = _("No competitors yet: record a customer of category “competitor”.")

    visible_to = selectors.competitors_with_figures
