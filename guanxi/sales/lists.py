from django.utils.translation import gettext_lazy as _

from guanxi.core import memo, picklists
from guanxi.core.listing import Column, Filter, ListSpec, period_filters
from guanxi.customers.lists import customer_filter
from guanxi.org.scopes import people_in_scope

from . import selectors
from .models import LeadStatus, OrderStatus, QuoteStatus, Stage, StageKind
from .targets import COUNTED_ORDERS


def _customer(obj):
    return obj.customer.name


class ProductList(ListSpec):
    key = "sales.products"
    title = _("Products")
    permission = "sales.view"
    export_permission = "sales.export"
    create_url_name = "sales:product_create"
    create_permission = "sales.manage"
    export_name = "products"
    default_sort = "name"
    columns = [
        Column("sku", _("SKU"), sortable=True, link=True), Column("name", _("Name"), sortable=True),
        Column("model_number", _("Model")), Column("category", _("Category"), value=lambda p: p.category or ""),
        Column("unit", _("Unit")), Column("list_price", _("List price")), Column("tax_rate", _("Tax rate")),
        Column("is_active", _("Active")),
    ]
    filters = [Filter("category", _("Category"), lookup="category_id",
                      choices=lambda r: picklists.choices("sales.product_category")),
               Filter("active", _("Active"), lookup="is_active", kind="boolean",
                      choices=[("1", _("Yes")), ("0", _("No"))])]
    search_fields = ["sku", "name", "model_number"]

    def queryset(self, request):
        return selectors.products(active_only=False)


class LeadList(ListSpec):
    key = "sales.leads"
    title = _("Leads")
    permission = "sales.view"
    export_permission = "sales.export"
    create_url_name = "sales:lead_create"
    create_permission = "sales.create"
    export_name = "leads"
    columns = [
        Column("company", _("Company"), sortable=True, link=True), Column("name", _("Contact person")),
        Column("mobile", _("Mobile")), Column("source", _("Source"), value=lambda lead: lead.source or ""),
        Column("status", _("Status")), Column("owner", _("Owner"), value=lambda lead: lead.owner.display_name),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [Filter("status", _("Status"), choices=LeadStatus.choices),
               Filter("source", _("Source"), lookup="source_id", choices=lambda r: picklists.choices("customers.source"))]
    search_fields = ["company", "name", "mobile"]
    empty_text = _("No leads yet.")
    import_entity = "sales.lead"

    visible_to = selectors.leads_visible_to


def _stage_choices():
    stages = memo.remember("sales:stages", lambda: list(
        Stage.objects.select_related("pipeline").order_by("pipeline__position", "pipeline_id", "position")))
    several = len({stage.pipeline_id for stage in stages}) > 1
    return [(stage.pk, f"{stage.pipeline.name} · {stage.name}" if several else stage.name) for stage in stages]


def _people(request):
    """The people whose records the user's scope covers (once per request): the choices
    of the filters by owner, department and branch, which so never widen the scope."""
    if not hasattr(request, "_people_in_scope"):
        request._people_in_scope = people_in_scope(request.user, active_only=False)
    return request._people_in_scope


def _owner_choices(request):
    return [(person.pk, person.display_name) for person in _people(request) if person.is_active]


def _departments(request):
    found = {person.department_id: person.department for person in _people(request) if person.department_id}
    return sorted(found.values(), key=lambda department: (department.branch_id, department.path))


def _department_choices(request):
    return [(department.pk, department.name) for department in _departments(request)]


def _by_department(queryset, raw, request):
    """Owners in the department or below it (the people in scope: an IN list the owner
    index answers, no join)."""
    chosen = next((d for d in _departments(request) if str(d.pk) == raw), None)
    if chosen is None:
        return None
    return queryset.filter(owner_id__in=[person.pk for person in _people(request)
                                         if person.department_id and person.department.path.startswith(chosen.path)])


def _branch_choices(request):
    return list({person.branch_id: person.branch.name for person in _people(request)}.items())


BY_PERSON_PLACE_AND_AMOUNT = [
    Filter("owner", _("Owner"), lookup="owner_id", choices=_owner_choices),
    Filter("department", _("Department"), kind="custom", choices=_department_choices, apply_func=_by_department),
    Filter("branch", _("Branch"), lookup="branch_id", choices=_branch_choices),
    Filter("amount_min", _("Amount from"), lookup="amount", kind="number_min"),
    Filter("amount_max", _("Amount up to"), lookup="amount", kind="number_max"),
]
# Owner, department (and below) and branch: the lists behind the dashboard's figures.
BY_PERSON_AND_PLACE = BY_PERSON_PLACE_AND_AMOUNT[:3]


class OpportunityList(ListSpec):
    key = "sales.opportunities"
    title = _("Opportunities")
    permission = "sales.view"
    export_permission = "sales.export"
    create_url_name = "sales:opportunity_create"
    create_permission = "sales.create"
    export_name = "opportunities"
    columns = [
        Column("name", _("Name"), sortable=True, link=True), Column("customer", _("Customer"), value=_customer),
        Column("stage", _("Stage"), value=lambda o: o.stage.name), Column("amount", _("Amount"), sortable=True),
        Column("expected_close_on", _("Expected close")),
        Column("owner", _("Owner"), value=lambda o: o.owner.display_name),
        Column("created_at", _("Created"), sortable=True),
    ]
    # The board applies the same filters (all but the stage) and links here for the cards
    # a column does not show: ?stage=… and its filters.
    filters = [Filter("stage", _("Stage"), lookup="stage_id", choices=lambda r: _stage_choices()),
               Filter("mine", _("Only mine"), kind="custom", choices=[("1", _("Yes"))],
                      apply_func=lambda queryset, raw, request: queryset.filter(owner=request.user)),
               Filter("open", _("Open"), kind="custom", choices=[("1", _("Yes"))],
                      apply_func=lambda queryset, raw, request: queryset.filter(stage__kind=StageKind.OPEN)),
               *period_filters("expected_close_on", _("Expected close from"), _("Expected close up to"),
                               prefix="close_"),
               *BY_PERSON_PLACE_AND_AMOUNT, customer_filter()]
    search_fields = ["name"]

    visible_to = selectors.opportunities_visible_to


class QuoteList(ListSpec):
    key = "sales.quotes"
    title = _("Quotes")
    permission = "sales.view"
    export_permission = "sales.export"
    create_url_name = "sales:quote_create"
    create_permission = "sales.create"
    export_name = "quotes"
    columns = [
        Column("number", _("Number"), sortable=True, link=True), Column("version", _("Version")),
        Column("customer", _("Customer"), value=_customer), Column("status", _("Status")),
        Column("total", _("Total"), sortable=True), Column("owner", _("Owner"), value=lambda q: q.owner.display_name),
        Column("created_at", _("Created"), sortable=True),
    ]
    filters = [Filter("status", _("Status"), choices=QuoteStatus.choices), customer_filter()]
    search_fields = ["number", "customer__name"]

    visible_to = selectors.quotes_visible_to


class OrderList(ListSpec):
    key = "sales.orders"
    title = _("Orders")
    permission = "sales.view"
    export_permission = "sales.export"
    create_url_name = "sales:order_create"
    create_permission = "sales.create"
    export_name = "orders"
    columns = [
        Column("number", _("Number"), sortable=True, link=True), Column("customer", _("Customer"), value=_customer),
        Column("status", _("Status")), Column("order_date", _("Order date"), sortable=True),
        Column("delivery_date", _("Delivery date")), Column("total", _("Total"), sortable=True),
        Column("owner", _("Owner"), value=lambda o: o.owner.display_name),
    ]
    filters = [Filter("status", _("Status"), choices=OrderStatus.choices),
               Filter("booked", _("Booked (confirmed, shipped, completed)"), kind="custom", choices=[("1", _("Yes"))],
                      apply_func=lambda queryset, raw, request: queryset.filter(status__in=COUNTED_ORDERS)),
               *period_filters("order_date", _("Ordered from"), _("Ordered to")),
               *period_filters("delivery_date", _("Delivery from"), _("Delivery to"), prefix="due_"),
               *BY_PERSON_AND_PLACE, customer_filter()]
    search_fields = ["number", "customer__name"]

    visible_to = selectors.orders_visible_to


class ShipmentList(ListSpec):
    key = "sales.shipments"
    title = _("Shipping notes")
    permission = "sales.view"
    export_permission = "sales.export"
    export_name = "shipments"
    columns = [
        Column("number", _("Number"), sortable=True, link=True),
        Column("order", _("Order"), value=lambda s: s.order.number),
        Column("customer", _("Customer"), value=lambda s: s.order.customer.name),
        Column("warehouse", _("Warehouse"), value=lambda s: s.warehouse or ""),
        Column("ship_date", _("Ship date"), sortable=True),
    ]
    filters = [customer_filter("order__customer_id")]
    search_fields = ["number", "order__number"]

    visible_to = selectors.shipments_visible_to
