"""Lists of the loyalty part of marketing (the list kit: search, filters, keyset pages, export)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from guanxi.core.listing import Column, Filter, ListSpec
from guanxi.customers.lists import customer_filter

from .models.loyalty import MemberTier
from .selectors import loyalty as selectors


def _tier_choices(request):
    return [(str(pk), name) for pk, name in MemberTier.objects.values_list("pk", "name")]


class MemberList(ListSpec):
    key = "marketing.members"
    title = _("Members")
    permission = "marketing.view"
    export_permission = "marketing.export"
    export_name = "members"
    default_sort = "-created_at"
    columns = [
        Column("number", _("Card number"), sortable=True, link=True),
        Column("customer", _("Customer"), value=lambda m: m.customer.name),
        Column("tier", _("Tier"), value=lambda m: m.tier.name if m.tier_id else ""),
        Column("balance", _("Points balance"), sortable=True, css="num"),
        Column("joined_on", _("Member since"), sortable=True),
    ]
    filters = [
        Filter("tier", _("Tier"), lookup="tier_id", choices=_tier_choices),
        customer_filter(),
    ]
    search_fields = ["number", "customer__name"]
    empty_text = _("No members yet. Open a customer and make it a member.")

    def queryset(self, request):
        return selectors.members_visible_to(request.user)


class PriceListList(ListSpec):
    key = "marketing.price_lists"
    title = _("Price lists")
    permission = "sales.view"
    export_permission = "sales.export"
    create_url_name = "marketing:price_list_create"
    create_permission = "sales.manage"
    export_name = "price-lists"
    default_sort = "name"
    columns = [
        Column("name", _("Name"), sortable=True, link=True),
        Column("level", _("Customer level"), value=lambda p: str(p.level or "")),
        Column("customer", _("Customer"), value=lambda p: p.customer.name if p.customer_id else ""),
        Column("valid_from", _("Valid from"), sortable=True),
        Column("valid_until", _("Valid until"), sortable=True),
        Column("is_active", _("Active"), value=lambda p: _("Yes") if p.is_active else _("No")),
    ]
    search_fields = ["name"]
    empty_text = _("No price lists yet: the list price applies to everyone.")

    def queryset(self, request):
        return selectors.price_lists_visible_to(request.user)

    def detail_url(self, obj):
        return reverse("marketing:price_list_edit", args=[obj.pk])
