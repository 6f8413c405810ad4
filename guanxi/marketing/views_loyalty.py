"""Pages of loyalty (MKT-6, MKT-3, SAL-10): members and their points, tiers and points
rules, coupons and promotions, price lists; the order panel and the customer-page section."""

import uuid

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from guanxi.core.errors import ValidationFailed
from guanxi.core.forms import act, form_page, run_service
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.customers import summary
from guanxi.customers.selectors import customer_get, customers_visible_to
from guanxi.org.models import Branch
from guanxi.sales.models import OrderStatus, QuoteStatus
from guanxi.sales.selectors import order_get, quote_get
from guanxi.sales.services import price_list_save

from .forms_loyalty import (
    ConfirmForm,
    CouponCodeForm,
    CouponForm,
    OrderPointsForm,
    PointsForm,
    PointsRulesForm,
    PriceListForm,
    PromotionForm,
    TierForm,
)
from .lists_loyalty import MemberList, PriceListList
from .models.loyalty import LoyaltySettings, MemberTier
from .selectors import loyalty as selectors
from .services import loyalty as services

member_list = ListPageView.as_view(spec=MemberList)
price_list_list = ListPageView.as_view(spec=PriceListList)


@require("marketing.view")
def member_detail(request, pk):
    member = selectors.member_get(request.user, pk)
    user = request.user
    return render(request, "marketing/loyalty_member.html", {
        "member": member, "movements": list(selectors.movements_of(user, member)[:50]),
        "rules": LoyaltySettings.for_branch(member.customer.branch_id),
        "can_redeem": user.has_module_perm("marketing.edit"), "can_adjust": user.has_module_perm("marketing.manage"),
        "gift_form": PointsForm(), "key": uuid.uuid4().hex,
    })


@require("marketing.create")
def member_enroll(request, customer_pk):
    customer = customer_get(request.user, customer_pk)
    if request.method == "POST":
        member = run_service(ConfirmForm({}), lambda data: services.member_enroll(
            actor=request.user, customer=customer))
        if member is not None:
            messages.success(request, _("%(customer)s is a member now: card %(number)s.")
                             % {"customer": customer.name, "number": member.number})
            return redirect(member)
        messages.error(request, _("This customer is a member already."))
        return redirect(customer)
    return render(request, "marketing/loyalty_enroll.html", {"customer": customer})


def _points_post(request, pk, action):
    member = selectors.member_get(request.user, pk)
    form = PointsForm(request.POST)
    done = run_service(form, lambda data: action(member, data))
    if done is not None:
        messages.success(request, _("Points saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(member)


@require("marketing.edit")
@require_POST
def member_gift(request, pk):
    return _points_post(request, pk, lambda member, data: services.points_redeem_gift(
        actor=request.user, member=member, points=data["points"], reason=data["reason"],
        idempotency_key=request.POST.get("key") or None))


@require("marketing.manage")
@require_POST
def member_adjust(request, pk):
    return _points_post(request, pk, lambda member, data: services.points_adjust(
        actor=request.user, member=member, points=data["points"], reason=data["reason"]))


# --- the order and quote pages: points, coupons, promotions -------------------------------
def order_panel(request, order):
    """The order page's loyalty panel: the amounts taken off, and (draft) the forms."""
    user = request.user
    if not (user.has_module_perm("marketing.view") or user.has_module_perm("sales.edit")):
        return None
    draft = order.status == OrderStatus.DRAFT
    if not (draft or order.adjustment_total):
        return None  # nothing to show or to do: no queries on the page of a confirmed order
    member = selectors.member_of_customer(user, order.customer) if draft and user.has_module_perm(
        "marketing.view") else None
    return _panel(_("Coupons, promotions and points"), order, draft, user, member=member,
                  can_redeem=draft and member is not None and user.has_module_perm("marketing.edit"),
                  coupon_url="marketing:order_coupon", promotions_url="marketing:order_promotions")


def quote_panel(request, quote):
    """The quote page's coupons and promotions (points are redeemed on the order)."""
    user = request.user
    changeable = quote.status in (QuoteStatus.DRAFT, QuoteStatus.APPROVED)
    if not (changeable or quote.adjustment_total):
        return None
    return _panel(_("Coupons and promotions"), quote, changeable, user, member=None, can_redeem=False,
                  coupon_url="marketing:quote_coupon", promotions_url="marketing:quote_promotions")


def _panel(title, document, changeable, user, **context):
    return {"title": title, "template": "marketing/loyalty_order_panel.html",
            "context": {"document": document, "key": uuid.uuid4().hex,
                        "adjustments": list(document.adjustments.all()) if document.adjustment_total else [],
                        "can_discount": changeable and user.has_module_perm("sales.edit"), **context}}


def _document_post(request, document, form, action, saved):
    if run_service(form, lambda data: action(document, data)) is not None:
        messages.success(request, saved)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(document)


@require("marketing.edit")
@require_POST
def order_points(request, pk):
    def redeem(order, data):
        member = selectors.member_of_customer(request.user, order.customer)
        if member is None:
            raise ValidationFailed(_("The customer is not a member."), field="points")
        return services.points_redeem_for_order(actor=request.user, member=member, order=order,
                                                points=data["points"], idempotency_key=data["key"] or None)
    return _document_post(request, order_get(request.user, pk), OrderPointsForm(request.POST), redeem,
                          _("Points redeemed on the order."))


_DOCUMENTS = {"order": order_get, "quote": quote_get}  # scope-checked lookups


@require("sales.edit")
@require_POST
def document_coupon(request, pk, kind):
    """A coupon code on a draft order or quote."""
    return _document_post(request, _DOCUMENTS[kind](request.user, pk), CouponCodeForm(request.POST),
                          lambda doc, data: services.coupon_apply(actor=request.user, document=doc, code=data["code"]),
                          _("Coupon applied."))


@require("sales.edit")
@require_POST
def document_promotions(request, pk, kind):
    """The running promotions on a draft order or quote."""
    return _document_post(request, _DOCUMENTS[kind](request.user, pk), ConfirmForm({}),
                          lambda doc, data: services.promotions_apply(actor=request.user, document=doc),
                          _("Promotions applied."))


# --- configuration -------------------------------------------------------------------------
@require("marketing.manage")
def loyalty_settings(request):
    rules = LoyaltySettings.objects.filter(branch__isnull=True).first() or LoyaltySettings()
    form = PointsRulesForm(request.POST or None, instance=rules)
    if request.method == "POST" and run_service(form, lambda data: services.loyalty_config_save(
            actor=request.user, record=form.instance)) is not None:
        messages.success(request, _("Points rules saved."))
        return redirect("marketing:loyalty_settings")
    branch_rows, _default = LoyaltySettings.rows_for(list(Branch.objects.order_by("-is_headquarters", "name")))
    return render(request, "marketing/loyalty_settings.html", {
        "form": form, "tiers": MemberTier.objects.select_related("price_list"), "branch_rules": branch_rows,
        "default": rules})


@require("marketing.manage")
def branch_rules_edit(request, branch_pk):
    """A branch's own points rules (its members earn and redeem by them), starting from the
    company default."""
    branch = get_object_or_404(Branch, pk=branch_pk)
    rules = LoyaltySettings.objects.filter(branch=branch).first()
    if rules is None:
        default = LoyaltySettings.for_branch(None)
        rules = LoyaltySettings(branch=branch, yuan_per_point=default.yuan_per_point,
                                point_value=default.point_value, expiry_months=default.expiry_months)
    form = PointsRulesForm(request.POST or None, instance=rules)
    return form_page(request, form, lambda data: services.loyalty_config_save(actor=request.user, record=form.instance),
                     title=_("Points rules: %(branch)s") % {"branch": branch.name}, saved_message=_("Points rules saved."),
                     success_url="marketing:loyalty_settings", cancel_url="marketing:loyalty_settings")


@require("marketing.manage")
@require_POST
def branch_rules_reset(request, branch_pk):
    branch = get_object_or_404(Branch, pk=branch_pk)
    return act(request, lambda: services.loyalty_branch_rules_reset(actor=request.user, branch=branch),
               done=_("%(branch)s uses the company's points rules again.") % {"branch": branch.name},
               back="marketing:loyalty_settings")


@require("marketing.manage")
def tier_edit(request, pk=None):
    tier = get_object_or_404(MemberTier, pk=pk) if pk else None
    form = TierForm(request.POST or None, instance=tier)
    return form_page(request, form, lambda data: services.loyalty_config_save(actor=request.user, record=form.instance),
                     title=_("Member tier"), saved_message=_("Tier saved."),
                     success_url="marketing:loyalty_settings", cancel_url="marketing:loyalty_settings")


@require("marketing.view")
def coupon_list(request):
    return render(request, "marketing/loyalty_coupons.html", {
        "coupons": selectors.coupons_list()[:200], "promotions": selectors.promotions_list()[:200],
        "can_manage": request.user.has_module_perm("marketing.manage")})


@require("marketing.manage")
def coupon_create(request):
    form = CouponForm(request.POST or None)
    return form_page(request, form, lambda data: services.loyalty_config_save(actor=request.user, record=form.instance),
                     title=_("New coupon"), saved_message=_("Coupon saved."), success_url="marketing:coupon_list",
                     cancel_url="marketing:coupon_list")


@require("marketing.manage")
def promotion_create(request):
    form = PromotionForm(request.POST or None)
    return form_page(request, form, lambda data: services.loyalty_config_save(actor=request.user, record=form.instance),
                     title=_("New promotion"), saved_message=_("Promotion saved."),
                     success_url="marketing:coupon_list", cancel_url="marketing:coupon_list")


def _price_list_page(request, price_list):
    form = PriceListForm(request.POST or None, instance=price_list,
                         customers=customers_visible_to(request.user).prefetch_related(None).select_related(None)
                         .only("pk", "name").order_by("name"))

    def save(data):
        fields = {k: v for k, v in data.items() if k != "items"}
        return price_list_save(actor=request.user, price_list=price_list, items=data["items"], **fields)

    return form_page(request, form, save, title=_("Price list"), saved_message=_("Price list saved."),
                     success_url=lambda saved: reverse("marketing:price_list_edit", args=[saved.pk]),
                     cancel_url="marketing:price_list_list")


@require("sales.manage")
def price_list_create(request):
    return _price_list_page(request, None)


@require("sales.manage")
def price_list_edit(request, pk):
    return _price_list_page(request, get_object_or_404(selectors.price_lists_visible_to(request.user), pk=pk))


# --- the customer page (CUS-6) --------------------------------------------------------------
class MemberSection(summary.Section):
    """The customer's member card: tier, points balance and the last movements."""
    lazy = True  # loaded after the customer page shows (its own request)

    key = "loyalty"
    title = gettext_lazy("Member card")
    order = 75
    permission = "marketing.view"
    empty_text = gettext_lazy("Not a member.")
    create_url_name = "marketing:member_enroll"
    create_label = gettext_lazy("Make a member")
    create_permission = "marketing.create"
    create_path = True

    def _member(self, viewer):
        if not hasattr(viewer, "_loyalty_member"):
            viewer._loyalty_member = selectors.member_of_customer(viewer.user, viewer.customer)
        return viewer._loyalty_member

    def records(self, viewer):
        member = self._member(viewer)
        return selectors.movements_of(viewer.user, member) if member else selectors.PointsMovement.objects.none()

    def totals(self, viewer, records):
        member = self._member(viewer)
        if member is None:
            return 0, []
        return records.count(), [summary.Figure("card", _("Card"), member.number),
                                 summary.Figure("tier", _("Tier"), member.tier.name if member.tier else "—"),
                                 summary.Figure("points", _("Points balance"), member.balance)]

    def rows(self, viewer, records, limit):
        return [summary.Row(label=f"{m.get_kind_display()} {m.points:+d}", url=self._member(viewer).get_absolute_url(),
                            facts=tuple(f for f in (summary.day(m.created_at), m.reason) if f))
                for m in records[:limit]]

    def list_url(self, viewer):
        member = self._member(viewer)
        return member.get_absolute_url() if member else ""

    def may_create(self, viewer):
        return self._member(viewer) is None
