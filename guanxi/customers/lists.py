from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from guanxi.core import custom_fields, picklists
from guanxi.core.listing import BulkAction, Column, Filter, ListSpec, period_filters
from guanxi.org.selectors import branch_choices

from . import regions, selectors
from .models import (
    Channel,
    Customer,
    CustomerCategory,
    CustomerKind,
    CustomerShare,
    FeedbackStatus,
    LifecycleStage,
)
from .normalize import email_or_none, phone_or_none


def _follow_up_overdue(record):
    return record.next_follow_up_on is not None and record.next_follow_up_on < timezone.localdate()

ENTITY = "customers.customer"


def customer_filter(lookup="customer_id"):
    """Narrow a list to one customer, ?customer=<id>: where the customer page's "see
    all" links lead. The list is scoped already, so the filter only narrows it; the
    customer's name is shown only to who may see the customer."""

    def chosen(request):
        if not hasattr(request, "_list_customer_choice"):
            raw = request.GET.get("customer", "")
            name = selectors.customers_visible_to(request.user).filter(pk=raw).values_list("name", flat=True) \
                .first() if raw.isdigit() else None
            request._list_customer_choice = [(raw, name or f"#{raw}")] if raw.isdigit() else []
        return request._list_customer_choice

    return Filter("customer", _("Customer"), kind="custom", choices=chosen,
                  apply_func=lambda queryset, raw, request: queryset.filter(**{lookup: int(raw)}))


def _owner_choices(request):
    return [("me", _("Mine")), ("pool", _("Public pool")), ("shared", _("Shared with me"))]


_extra_filters = []


def register_filter(filter_):
    """Let a higher module filter the customer list by what it knows (analytics: the RFM cell)."""
    if all(f.name != filter_.name for f in _extra_filters):
        _extra_filters.append(filter_)


def _owner_filter(queryset, raw, request):
    if raw == "me":
        return queryset.filter(owner=request.user)
    if raw == "pool":
        return queryset.filter(owner__isnull=True)
    return queryset.filter(pk__in=CustomerShare.objects.filter(user=request.user).values("customer_id"))


class CustomerList(ListSpec):
    key = "customers.customers"
    title = _("Customers")
    permission = "customers.view"
    export_permission: str | None = "customers.export"
    create_url_name: str | None = "customers:customer_create"
    create_permission = "customers.create"
    export_name = "customers"
    import_entity: str | None = "customers.customer"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("category", _("Category")),
        Column("owner", _("Owner"), value=lambda c: c.owner.display_name if c.owner else _("Public pool")),
        Column("branch", _("Branch"), value=lambda c: c.branch.name),
        Column("region", _("Region"), value=lambda c: c.region_name),
        Column("industry", _("Industry"), value=lambda c: c.industry.name if c.industry else ""),
        Column("level", _("Level"), value=lambda c: c.level.name if c.level else ""),
        Column("value_tier", _("Value tier")),
        Column("phone", _("Phone"), value=lambda c: c.phone_display),
        Column("last_contacted_at", _("Last contact")),
        Column("next_follow_up_on", _("Next follow-up"), overdue=_follow_up_overdue),
        Column("created_at", _("Created"), sortable=True),
    ]
    search_fields = []
    empty_text = _("No customers yet. Add your first one, or claim one from the public pool.")
    bulk_actions = [
        BulkAction("transfer", _("Transfer or release"), "customers.transfer", "customers:bulk_transfer"),
    ]

    @property
    def filters(self):
        filters = [
            Filter("owner", _("Owner"), choices=_owner_choices, kind="custom", apply_func=_owner_filter),
            Filter("category", _("Category"), choices=CustomerCategory.choices),
            Filter("kind", _("Type"), choices=CustomerKind.choices),
            Filter("branch", _("Branch"), lookup="branch_id", choices=lambda r: branch_choices()),
            Filter("province", _("Province"), choices=lambda r: regions.provinces()),
            Filter("industry", _("Industry"), lookup="industry_id",
                   choices=lambda r: picklists.choices("customers.industry")),
            Filter("level", _("Level"), lookup="level_id", choices=lambda r: picklists.choices("customers.level")),
            Filter("source", _("Source"), lookup="source_id",
                   choices=lambda r: picklists.choices("customers.source")),
            Filter("stage", _("Lifecycle stage"), lookup="lifecycle_stage", choices=LifecycleStage.choices),
            Filter("value_tier", _("Value tier"), choices=[(t, t) for t in "ABCD"]),
            Filter("tag", _("Tag"), lookup="tags__name", kind="text"),
            *period_filters("created_at", _("Created from"), _("Created to")),
            *_extra_filters,
        ]
        for definition in custom_fields.definitions(ENTITY):
            options = [(o, o) for o in definition.options] if definition.options else None
            filters.append(Filter(
                f"custom_{definition.key}", definition.label, kind="custom",
                choices=options, apply_func=_custom_filter(definition.key),
            ))
        return filters

    @property
    def export_columns(self):
        columns = list(self.columns) + [
            Column("mobile", _("Mobile")), Column("email", _("E-mail")), Column("address", _("Address")),
            Column("source", _("Source"), value=lambda c: c.source.name if c.source else ""),
        ]
        for definition in custom_fields.definitions(ENTITY):
            columns.append(Column(f"custom.{definition.key}", definition.label,
                                  value=_custom_value(definition.key)))
        return columns

    visible_to = selectors.customers_visible_to

    def search(self, queryset, q):
        return selectors.customer_search(queryset, q)


def _custom_filter(key):
    def apply(queryset, raw, request):
        condition = custom_fields.filter_q(ENTITY, key, raw)
        return None if condition is None else queryset.filter(condition)

    return apply


def _custom_value(key):
    def value(customer):
        raw = (customer.custom or {}).get(key)
        return "、".join(raw) if isinstance(raw, list) else raw

    return value


class PoolList(CustomerList):
    key = "customers.pool"
    title = _("Public pool")
    permission = "customers.claim"
    export_permission = None
    create_url_name = None
    import_entity = None
    empty_text = _("The public pool is empty.")
    bulk_actions = [BulkAction("claim", _("Claim"), "customers.claim", "customers:bulk_claim")]
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("category", _("Category")),
        Column("branch", _("Branch"), value=lambda c: c.branch.name),
        Column("region", _("Region"), value=lambda c: c.region_name),
        Column("industry", _("Industry"), value=lambda c: c.industry.name if c.industry else ""),
        Column("last_contacted_at", _("Last contact")),
        Column("created_at", _("Created"), sortable=True),
    ]

    visible_to = selectors.pool_customers


class ContactList(ListSpec):
    key = "customers.contacts"
    title = _("Contacts")
    permission = "customers.view"
    export_permission = "customers.export"
    export_name = "contacts"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("customer", _("Customer"), value=lambda c: c.customer.name),
        Column("title", _("Job title")),
        Column("role", _("Role"), value=lambda c: c.role.name if c.role else ""),
        Column("mobile", _("Mobile")),
        Column("email", _("E-mail")),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [
        Filter("role", _("Role"), lookup="role_id", choices=lambda r: picklists.choices("customers.contact_role")),
        customer_filter(),
    ]
    search_fields = ["name", "mobile_norm", "email_norm"]
    empty_text = _("No contacts yet. Add them from a customer's page.")

    visible_to = selectors.contacts_visible_to

    def search(self, queryset, q):
        condition = Q(name__startswith=q.strip())
        phone = phone_or_none(q)
        if phone:
            condition |= Q(mobile_norm=phone) | Q(phone_norm=phone)
        email = email_or_none(q)
        if email:
            condition |= Q(email_norm=email)
        return queryset.filter(condition)


class InteractionList(ListSpec):
    key = "customers.interactions"
    title = _("Interactions")
    permission = "customers.view"
    export_permission = "customers.export"
    export_name = "interactions"
    default_sort = "-occurred_at"
    columns = [
        Column("occurred_at", _("When"), sortable=True, link=True),
        Column("customer", _("Customer"), value=lambda i: i.customer.name),
        Column("channel", _("Channel")),
        Column("contact", _("Contact"), value=lambda i: i.contact.name if i.contact else ""),
        Column("summary", _("Summary"), value=lambda i: i.summary[:80]),
        Column("next_follow_up_on", _("Next follow-up"), overdue=_follow_up_overdue),
        Column("author", _("By"), value=lambda i: i.author.display_name),
    ]
    empty_text = _("No interactions yet. Log calls, visits and messages from a customer's page.")

    @property
    def filters(self):
        return [
            Filter("channel", _("Channel"), choices=Channel.choices),
            Filter("mine", _("Logged by"), kind="custom", choices=[("1", _("me"))],
                   apply_func=lambda qs, raw, request: qs.filter(author=request.user)),
            *period_filters("occurred_at", _("From"), _("To")),
            customer_filter(),
        ]

    visible_to = selectors.interactions_visible_to

    def search(self, queryset, q):
        # The interactions are already scoped; the customer match only narrows them.
        matches = selectors.customer_search(Customer.objects.all(), q)
        return queryset.filter(customer__in=matches.values("pk"))


class FeedbackList(ListSpec):
    key = "customers.feedback"
    title = _("Customer feedback")
    permission = "customers.view"
    export_permission = "customers.export"
    export_name = "feedback"
    columns = [
        Column("created_at", _("Received at"), sortable=True, link=True),
        Column("customer", _("Customer"), value=lambda f: f.customer.name),
        Column("kind", _("Kind"), value=lambda f: f.kind.name if f.kind else ""),
        Column("content", _("Feedback"), value=lambda f: f.content[:80]),
        Column("department", _("Handled by department"), value=lambda f: f.department.name),
        Column("status", _("Status")),
    ]
    empty_text = _("No feedback recorded.")

    @property
    def filters(self):
        return [
            Filter("status", _("Status"), choices=FeedbackStatus.choices),
            Filter("kind", _("Kind"), lookup="kind_id", choices=lambda r: picklists.choices("customers.feedback_kind")),
            Filter("mine", _("Department"), kind="custom", choices=[("1", _("my department"))],
                   apply_func=lambda qs, raw, request: qs.filter(department_id=request.user.department_id)),
            customer_filter(),
        ]

    visible_to = selectors.feedback_visible_to

    def search(self, queryset, q):
        return queryset.filter(content__icontains=q[:50])
