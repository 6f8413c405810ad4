"""Writes of the sales process. Keyword-only, take ``actor``; money in Decimal."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.approvals.services import approval_comment, approval_decider, approval_start
from guanxi.core.document_lines import write_lines
from guanxi.core.errors import Conflict, Forbidden, ValidationFailed
from guanxi.core.fulfilment import checked_quantities, count_fulfilled
from guanxi.core.notifications import notify
from guanxi.core.numbering import next_number
from guanxi.core.permissions import ensure
from guanxi.core.services import assign_fields, service, soft_delete, validated_save
from guanxi.core.transitions import InvalidTransition, transition
from guanxi.customers.models import Customer
from guanxi.customers.selectors import can_edit
from guanxi.customers.services import contact_create, customer_create
from guanxi.org.models import Branch, User
from guanxi.org.scopes import ensure_in_scope
from guanxi.org.services import purge_in_scope, restore_in_scope

from .models import (
    AdjustmentKind,
    Lead,
    LeadStatus,
    Opportunity,
    Order,
    OrderAdjustment,
    OrderLine,
    OrderStatus,
    Pipeline,
    PriceList,
    PriceListItem,
    Product,
    Quote,
    QuoteLine,
    QuoteStatus,
    SalesSettings,
    Shipment,
    ShipmentLine,
    Stage,
    StageChange,
    StageKind,
    WinOn,
)
from .printing import quote_pdf
from .signals import (
    lead_converted,
    order_cancelled,
    order_cancelling,
    order_confirmed,
    quote_accepted,
    quote_versioned,
    shipment_created,
)

if TYPE_CHECKING:
    from guanxi.approvals.models import ApprovalRequest

DEFAULT_STAGES = [
    ("初步接触", "Initial contact", 10, StageKind.OPEN), ("需求确认", "Needs confirmed", 25, StageKind.OPEN),
    ("方案报价", "Proposal / quote", 50, StageKind.OPEN), ("商务谈判", "Negotiation", 75, StageKind.OPEN),
    ("赢单", "Won", 100, StageKind.WON), ("输单", "Lost", 0, StageKind.LOST),
]


def default_pipeline() -> Pipeline:
    """The default pipeline, created with the usual stages on first use."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is None:
        with transaction.atomic():
            pipeline = Pipeline.objects.create(name=_("Sales pipeline"), is_default=True)
            Stage.objects.bulk_create([
                Stage(pipeline=pipeline, name_zh=zh, name_en=en, probability=p, kind=kind, position=i)
                for i, (zh, en, p, kind) in enumerate(DEFAULT_STAGES)
            ])
    return pipeline


# --- products ----------------------------------------------------------------------
PRODUCT_FIELDS = {"sku", "name", "model_number", "category", "unit", "list_price", "tax_rate", "is_active",
                  "description"}


@service
def product_save(*, actor: User, product: Product | None = None, **data: Any) -> Any:
    ensure(actor, "sales.manage")
    product = product or Product()
    assign_fields(product, PRODUCT_FIELDS, data)
    if Product.objects.filter(sku=product.sku).exclude(pk=product.pk).exists():
        raise Conflict(_("This SKU is used already."), field="sku")  # API.md: a duplicate is 409
    try:
        with transaction.atomic():
            return validated_save(product)
    except IntegrityError as exc:
        raise Conflict(_("This SKU is used already."), field="sku") from exc


# Higher modules that know more prices of a customer (marketing: the member tier's price
# list) register ``source(customer, product_ids, on) -> {product_id: Decimal}`` here (in
# their ready()): one query or two for every product of a document, not one per line.
PriceSource = Callable[[Customer, list[int], datetime.date], dict[int, Decimal]]
_price_sources: list[PriceSource] = []


def register_price_source(source: PriceSource) -> None:
    if source not in _price_sources:
        _price_sources.append(source)


def price_list_prices(product_ids: list[int], on: datetime.date, **owner: Any) -> dict[int, Decimal]:
    """The prices of ``product_ids`` in the list valid on ``on`` of one owner (``customer=``,
    ``level_id=``…), by product id (one query)."""
    return dict(PriceListItem.objects.filter(PriceList.valid_q(on, "price_list__"), product_id__in=product_ids,
                                             **{f"price_list__{k}": v for k, v in owner.items()})
                .values_list("product_id", "price"))


def prices_for(customer: Customer | None, products: Iterable[Product],
               on: datetime.date | None = None) -> dict[int, Decimal]:
    """The customer's price of each product (SAL-10, MKT-3), by product id, first found of:
    the customer's own price list, the member tier's (registered sources), the level's,
    the list price. Only active lists valid on ``on`` (today) count. A query or two per
    source for all the products together."""
    on = on or timezone.localdate()
    wanted = {product.pk: product for product in products if product is not None}
    prices: dict[int, Decimal] = {}
    if customer is not None and wanted:
        finders: list[Callable[[list[int]], dict[int, Decimal]]] = [
            lambda ids: price_list_prices(ids, on, customer=customer)]
        finders += [lambda ids, source=source: source(customer, ids, on) for source in _price_sources]  # type: ignore[misc]
        if customer.level_id:
            finders.append(lambda ids: price_list_prices(ids, on, level_id=customer.level_id))
        for finder in finders:
            todo = [pk for pk in wanted if pk not in prices]
            if not todo:
                break
            prices.update({pk: price for pk, price in finder(todo).items() if pk in wanted and price is not None
                           and pk not in prices})
    return {pk: prices.get(pk, product.list_price) for pk, product in wanted.items()}


def price_for(customer: Customer | None, product: Product, on: datetime.date | None = None) -> Any:
    """The customer's price of one product (see :func:`prices_for`)."""
    return prices_for(customer, [product], on)[product.pk]


PRICE_LIST_FIELDS = {"name", "level", "customer", "valid_from", "valid_until", "is_active"}


@service
def price_list_save(*, actor: User, price_list: PriceList | None = None, items: Any = None,
                    **data: Any) -> PriceList:
    """Create or change a price list (per level or per customer) and replace its prices
    with ``items`` [(product, price)] when given (SAL-10, MKT-3)."""
    ensure(actor, "sales.manage")
    price_list = PriceList.objects.select_for_update().get(pk=price_list.pk) if price_list else PriceList()
    for record in [price_list.customer if price_list.customer_id else None, data.get("customer")]:
        if record is not None:
            ensure_in_scope(actor, record)  # one-to-one prices only for customers one sees
    assign_fields(price_list, PRICE_LIST_FIELDS, data)
    if price_list.level_id and price_list.customer_id:
        raise ValidationFailed(_("A price list is for a level or for one customer, not both."), field="customer")
    if price_list.valid_from and price_list.valid_until and price_list.valid_until < price_list.valid_from:
        raise ValidationFailed(_("The end is before the start."), field="valid_until")
    try:
        with transaction.atomic():
            validated_save(price_list)
    except IntegrityError as exc:
        raise Conflict(_("This level or customer has a price list already.")) from exc
    if items is not None:
        price_list.items.all().delete()
        PriceListItem.objects.bulk_create([PriceListItem(price_list=price_list, product=product, price=price)
                                           for product, price in dict(items).items()])
    return price_list


# --- opportunities (SAL-2) ---------------------------------------------------------------
OPPORTUNITY_FIELDS = {"name", "contact", "amount", "expected_close_on", "competitor", "source", "notes",
                      "lost_reason"}


def _check_customer(actor: User, customer: Customer) -> None:
    ensure_in_scope(actor, customer)
    if not can_edit(actor, customer):
        raise Forbidden(_("You may see this customer but not sell to it; claim it or ask its owner."))


@service
def opportunity_create(*, actor: User, customer: Customer, name: str, stage: Stage | None = None, **data: Any) -> Opportunity:
    ensure(actor, "sales.create")
    _check_customer(actor, customer)
    pipeline = stage.pipeline if stage is not None else default_pipeline()
    stage = stage or pipeline.stages.order_by("position").first()
    opportunity = Opportunity(name=name, customer=customer, pipeline=pipeline, stage=stage, owner=actor,
                              branch_id=actor.branch_id or customer.branch_id)
    assign_fields(opportunity, OPPORTUNITY_FIELDS, data)
    validated_save(opportunity)
    StageChange.objects.create(opportunity=opportunity, from_stage=None, to_stage=stage, actor=actor,  # type: ignore[misc]
                               amount=opportunity.amount)
    _large_deal_alert(opportunity.branch_id, opportunity.amount, _("New opportunity: %(name)s") % {
        "name": opportunity.name}, opportunity.get_absolute_url(), actor, f"opportunity:{opportunity.pk}:created")
    return opportunity


@service
def opportunity_update(*, actor: User, opportunity: Opportunity, **data: Any) -> Any:
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, opportunity)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    assign_fields(opportunity, OPPORTUNITY_FIELDS, data)
    return validated_save(opportunity)


@service
def opportunity_move(*, actor: User, opportunity: Opportunity, stage: Stage, lost_reason: str | None = None) -> Opportunity:
    """Move an opportunity to another stage of its pipeline; history and alerts follow.
    Lost needs a reason every time (a pick-list item), kept on the opportunity and in the history."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, opportunity)
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    if stage.pipeline_id != opportunity.pipeline_id:
        raise ValidationFailed(_("That stage belongs to another pipeline."), field="stage")
    if stage.pk == opportunity.stage_id:
        return opportunity
    if stage.kind == StageKind.LOST and lost_reason is None:
        raise ValidationFailed(_("Say why the opportunity was lost."), field="lost_reason")
    return _opportunity_to_stage(opportunity, stage, actor, lost_reason=lost_reason)


def _opportunity_to_stage(opportunity: Opportunity, stage: Stage, actor: User, *, lost_reason: str | None = None, reason: str = "") -> Opportunity:
    """Move a locked opportunity to ``stage``: its history row, alerts and the customer's deal date."""
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.stage_changed_at = timezone.now()
    opportunity.closed_at = timezone.now() if stage.kind != StageKind.OPEN else None
    if lost_reason is not None:
        opportunity.lost_reason = lost_reason
        reason = reason or str(lost_reason)
    opportunity.save(update_fields=["stage", "stage_changed_at", "closed_at", "lost_reason", "updated_at"])
    StageChange.objects.create(opportunity=opportunity, from_stage=previous, to_stage=stage, actor=actor,
                               amount=opportunity.amount, reason=str(reason)[:200])
    _large_deal_alert(opportunity.branch_id, opportunity.amount,
                      _("%(name)s moved to %(stage)s") % {"name": opportunity.name, "stage": stage.name},
                      opportunity.get_absolute_url(), actor, f"opportunity:{opportunity.pk}:stage:{stage.pk}")
    if stage.kind == StageKind.WON:
        Customer.objects.filter(pk=opportunity.customer_id).update(last_deal_at=timezone.now(),
                                                                   category="customer")
    return opportunity


def _opportunity_win_on(event: str, opportunity_id: int, actor: User, reason: str) -> None:
    """Move the open opportunity to won when its branch wins opportunities on ``event``."""
    if opportunity_id is None:
        return
    opportunity = Opportunity.objects.select_for_update().select_related("stage").filter(pk=opportunity_id).first()
    if opportunity is None or opportunity.stage.kind != StageKind.OPEN:
        return
    if SalesSettings.for_branch(opportunity.branch_id).win_opportunity_on != event:
        return
    won = opportunity.pipeline.stages.filter(kind=StageKind.WON).order_by("position").first()
    if won is not None:
        _opportunity_to_stage(opportunity, won, actor, reason=reason)


def _large_deal_alert(branch_id: int, amount: Decimal, title: str, url: str, actor: User, key: str) -> None:
    """ACT-5: the branch's managers hear of deals above the branch's threshold."""

    threshold = SalesSettings.for_branch(branch_id).large_deal_threshold
    if amount is None or amount < threshold:
        return
    branch = Branch.objects.filter(pk=branch_id).first()
    managers = User.objects.filter(is_active=True, branch_id=branch_id, tier__in=["management", "decision"])
    recipients = set(managers)
    if branch is not None and branch.head_id:
        recipients |= set(User.objects.filter(pk=branch.head_id, is_active=True))
    for user in recipients:
        if user.pk != actor.pk:
            notify(user, kind="sales.large_deal", title=_("Large deal ¥%(amount)s: %(title)s") % {
                "amount": amount, "title": title}, url=url, email=True, dedupe_key=key)


# --- leads (SAL-1) -------------------------------------------------------------------
LEAD_FIELDS = {"company", "name", "title", "mobile", "email", "source", "notes", "status"}


@service
def lead_create(*, actor: User, company: str, owner: User | None = None, **data: Any) -> Any:
    ensure(actor, "sales.create")
    owner = owner or actor
    if owner.pk != actor.pk:
        ensure(actor, "customers.transfer")
    lead = Lead(company=company, owner=owner, branch_id=owner.branch_id or actor.branch_id)  # type: ignore[misc]
    assign_fields(lead, LEAD_FIELDS - {"status"}, data)
    return validated_save(lead)


@service
def lead_update(*, actor: User, lead: Lead, **data: Any) -> Any:
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == LeadStatus.CONVERTED:
        raise Conflict(_("A converted lead cannot change."))
    if data.get("status") == LeadStatus.CONVERTED:
        raise ValidationFailed(_("Convert a lead with the Convert button."), field="status")
    assign_fields(lead, LEAD_FIELDS, data)
    return validated_save(lead)


@service
def lead_convert(*, actor: User, lead: Lead, opportunity_name: str = "", amount: Decimal = Decimal("0"), existing_customer: Any = None,
                 override_duplicate: bool = False) -> Lead:
    """Turn a lead into a customer (through the duplicate check), a contact and an
    opportunity, in one step. Converting twice is refused."""

    ensure(actor, "sales.create")
    ensure_in_scope(actor, lead)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status == LeadStatus.CONVERTED:
        raise Conflict(_("This lead was converted already."))
    if existing_customer is not None:
        _check_customer(actor, existing_customer)
        customer = existing_customer
    else:
        customer = customer_create(actor=actor, name=lead.company, mobile=lead.mobile, email=lead.email,
                                   source=lead.source, override_duplicate=override_duplicate)
    if lead.name:
        contact_create(actor=actor, customer=customer, name=lead.name, title=lead.title, mobile=lead.mobile,
                       email=lead.email, is_primary=True)
    opportunity = opportunity_create(actor=actor, customer=customer,
                                     name=opportunity_name or f"{lead.company}", amount=amount, source=lead.source)
    lead.status = LeadStatus.CONVERTED
    lead.customer = customer
    lead.opportunity = opportunity
    lead.converted_at = timezone.now()
    lead.save(update_fields=["status", "customer", "opportunity", "converted_at", "updated_at"])
    lead_converted.send(sender=Lead, lead=lead, actor=actor)
    return lead


# --- lines shared by quotes and orders -----------------------------------------------------
def _write_lines(document: Any, line_model: Any, link: str, lines: Any) -> list[Any]:
    """Replace a quote's or an order's lines with ``lines`` (dicts) and recompute every
    total; a line without a price takes the customer's price of its product."""

    known = prices_for(document.customer, [line.get("product") for line in lines
                                           if line.get("unit_price") is None and line.get("product") is not None])

    def price(data: dict[str, Any], product: Any) -> Any:
        unit_price = data.get("unit_price")
        if unit_price is None and product is not None:
            unit_price = known[product.pk] if product.pk in known else price_for(document.customer, product)
        return unit_price

    def describe(data: dict[str, Any], product: Any) -> str:
        return (data.get("description") or (product.name if product else "")).strip()

    built = write_lines(document, line_model, link, lines, price=price, describe=describe)
    if document.adjustment_total:
        _totals_with_adjustments(document)
    return built


def _needs_discount_approval(document: Quote | Order, lines: Any, approved: Iterable[Decimal] = ()) -> bool:
    """Whether a line's discount is beyond the branch's limit (or beyond the ``approved``
    discounts, when those are higher); coupons and promotions count too, with the lines'
    discounts, as a percent of the subtotal (points redeemed are the customer's own and do not)."""
    limit = max([SalesSettings.for_branch(document.branch_id).discount_limit_percent, *approved])
    if any(line.discount_percent > limit for line in lines):
        return True
    return document.subtotal > 0 and _overall_discount_percent(document, lines) > limit


def _overall_discount_percent(document: Quote | Order, lines: Any) -> Decimal:
    granted = sum((a.amount for a in document.adjustments.exclude(kind=AdjustmentKind.POINTS)), Decimal("0"))
    line_discounts = sum((line.discount for line in lines), Decimal("0"))
    return (granted + line_discounts) * 100 / document.subtotal


# --- amounts taken off a quote or an order as a whole (coupons, promotions, points; MKT-3, MKT-6)
def _totals_with_adjustments(document: Quote | Order) -> None:
    """Total = the lines' total less the adjustments; never below zero (refused instead)."""
    lines_total = sum((line.total for line in document.lines.all()), Decimal("0"))
    adjusted = sum((a.amount for a in document.adjustments.all()), Decimal("0"))
    if adjusted > lines_total:
        raise ValidationFailed(_("The coupons, promotions and points on this document come to more than its "
                                 "total; remove some of them first."), field="lines")
    document.adjustment_total = adjusted
    document.total = lines_total - adjusted
    document.save(update_fields=["adjustment_total", "total", "updated_at"])


def adjustment_key(document: Quote | Order, source: str) -> str:
    """The idempotency key of ``source`` (e.g. ``coupon:7``) on a document; a quote's
    adjustments keep their source when copied to its next version or its order."""
    return f"{source}:quote:{document.pk}" if isinstance(document, Quote) else f"{source}:{document.pk}"


def _adjustment_source(adjustment: OrderAdjustment) -> str:
    return adjustment.key.rsplit(":quote:", 1)[0]


def _lock_adjustable(actor: User, document: Quote | Order) -> Quote | Order:
    """Lock a document for a new adjustment: a draft order, or a quote that may still change
    (a submitted one goes back to draft, to be submitted again)."""
    if isinstance(document, Quote):
        quote = _editable_quote(actor, document)
        if quote.status != QuoteStatus.DRAFT:
            quote = transition(quote, QuoteStatus.DRAFT, actor, _("Changed"))
        return quote
    order = Order.objects.select_for_update().get(pk=document.pk)
    if order.status != OrderStatus.DRAFT:
        raise Conflict(_("Only a draft order can change."))
    return order


def adjustment_add(*, actor: User, document: Quote | Order, kind: str, label: str, amount: Decimal,
                   source: str) -> OrderAdjustment:
    """Take ``amount`` off a draft quote or order once per ``source`` (a second call returns the
    first adjustment). Call inside the caller's transaction; the document is locked."""
    key = adjustment_key(document, source)
    existing = OrderAdjustment.objects.filter(key=key).first()
    if existing is not None:
        return existing
    document = _lock_adjustable(actor, document)
    link = {"quote": document} if isinstance(document, Quote) else {"order": document}
    adjustment = validated_save(OrderAdjustment(kind=kind, label=label[:200], amount=amount, key=key,
                                                created_by=actor, **link))
    _totals_with_adjustments(document)
    return adjustment


def _copy_adjustments(source: Quote, target: Quote | Order, actor: User) -> None:
    """The quote's coupons and promotions, copied to its next version or its order."""
    link = {"quote": target} if isinstance(target, Quote) else {"order": target}
    copies = [OrderAdjustment(kind=a.kind, label=a.label, amount=a.amount, created_by=actor,
                              key=adjustment_key(target, _adjustment_source(a)), **link)
              for a in source.adjustments.all()]
    if copies:
        OrderAdjustment.objects.bulk_create(copies)
        _totals_with_adjustments(target)


# --- the statuses of quotes and orders: the moves allowed (core.transitions) ---------------
QUOTE_TRANSITIONS = {
    QuoteStatus.DRAFT: {QuoteStatus.PENDING_APPROVAL, QuoteStatus.APPROVED, QuoteStatus.SUPERSEDED},
    QuoteStatus.PENDING_APPROVAL: {QuoteStatus.APPROVED, QuoteStatus.DRAFT, QuoteStatus.SUPERSEDED},
    QuoteStatus.APPROVED: {QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.SUPERSEDED},
    QuoteStatus.SENT: {QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.SUPERSEDED},
    QuoteStatus.REJECTED: {QuoteStatus.SUPERSEDED},
}
ORDER_TRANSITIONS = {
    OrderStatus.DRAFT: {OrderStatus.PENDING_APPROVAL, OrderStatus.CANCELLED},
    OrderStatus.PENDING_APPROVAL: {OrderStatus.CONFIRMED, OrderStatus.DRAFT, OrderStatus.CANCELLED},
    OrderStatus.CONFIRMED: {OrderStatus.PARTLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.CANCELLED},
    OrderStatus.PARTLY_SHIPPED: {OrderStatus.SHIPPED},
    OrderStatus.SHIPPED: {OrderStatus.COMPLETED},
}


# --- quotes (SAL-3) -----------------------------------------------------------------
QUOTE_FIELDS = {"contact", "opportunity", "valid_until", "terms"}


@service
def quote_create(*, actor: User, customer: Customer, lines: Any, **data: Any) -> Quote:
    ensure(actor, "sales.create")
    _check_customer(actor, customer)
    quote = Quote(customer=customer, owner=actor, branch_id=actor.branch_id or customer.branch_id,
                  number=next_number("sales.quote"))
    assign_fields(quote, QUOTE_FIELDS, data)
    validated_save(quote)
    _write_lines(quote, QuoteLine, "quote", lines)
    return quote


def _editable_quote(actor: User, quote: Quote) -> Quote:
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in (QuoteStatus.DRAFT, QuoteStatus.APPROVED):
        raise Conflict(_("Only a draft quote can change; make a new version instead."))
    return quote


@service
def quote_update(*, actor: User, quote: Quote, lines: Any = None, **data: Any) -> Quote:
    quote = _editable_quote(actor, quote)
    assign_fields(quote, QUOTE_FIELDS, data)
    validated_save(quote)
    if lines is not None:
        _write_lines(quote, QuoteLine, "quote", lines)
    if quote.status != QuoteStatus.DRAFT:  # a changed quote needs submitting again
        quote = transition(quote, QuoteStatus.DRAFT, actor, _("Changed"))
    return quote


@service
def quote_submit(*, actor: User, quote: Quote) -> Quote:
    """Make a draft ready to send: discounts beyond the limit go to approval first."""
    quote = _editable_quote(actor, quote)
    lines = list(quote.lines.all())
    if not lines:
        raise ValidationFailed(_("Add at least one line."), field="lines")
    if quote.status == QuoteStatus.APPROVED:
        return quote  # submitted already, unchanged since
    if _needs_discount_approval(quote, lines):
        quote = transition(quote, QuoteStatus.PENDING_APPROVAL, actor)
        approval_start(actor=actor, doc_type="sales.quote_discount", object_id=quote.pk,
                       amount=quote.discount_total, label=_("Discount on quote %(number)s") % {"number": quote},
                       url=quote.get_absolute_url())
        quote.refresh_from_db()
    else:
        quote = transition(quote, QuoteStatus.APPROVED, actor)
    return quote


def quote_approval_decided(request: ApprovalRequest) -> None:
    """Called by the approvals module in the deciding transaction."""
    quote = Quote.objects.select_for_update().filter(pk=request.object_id).first()
    if quote is None or quote.status != QuoteStatus.PENDING_APPROVAL:
        return
    transition(quote, QuoteStatus.APPROVED if request.status == "approved" else QuoteStatus.DRAFT,
               approval_decider(request), approval_comment(request))


@service
def quote_mark_sent(*, actor: User, quote: Quote) -> Quote:
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status not in (QuoteStatus.APPROVED, QuoteStatus.SENT):
        raise Conflict(_("Submit the quote first (discounts beyond the limit need approval)."))
    if quote.status == QuoteStatus.SENT:  # sent again: only the time changes
        quote.sent_at = timezone.now()
        quote.save(update_fields=["sent_at", "updated_at"])
        return quote
    return transition(quote, QuoteStatus.SENT, actor, changes={"sent_at": timezone.now()})


@service
def quote_new_version(*, actor: User, quote: Quote) -> Quote:
    """Copy a quote into version n + 1 (a draft); the old one is kept, marked replaced."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    if quote.status in (QuoteStatus.ACCEPTED, QuoteStatus.SUPERSEDED):
        raise Conflict(_("This quote cannot have a new version."))
    lines = list(quote.lines.all())
    quote = transition(quote, QuoteStatus.SUPERSEDED, actor, _("Replaced by version %(n)d") % {
        "n": quote.version + 1})
    copy = Quote(number=quote.number, version=quote.version + 1, previous=quote, customer=quote.customer,
                 contact=quote.contact, opportunity=quote.opportunity, valid_until=quote.valid_until,
                 terms=quote.terms, owner=actor, branch=quote.branch)
    validated_save(copy)
    _write_lines(copy, QuoteLine, "quote", [_line_data(line) for line in lines])
    _copy_adjustments(quote, copy, actor)
    quote_versioned.send(sender=Quote, previous=quote, quote=copy, actor=actor)
    return copy


def _line_data(line: Any) -> dict[Any, Any]:
    return {"product": line.product, "description": line.description, "quantity": line.quantity,
            "unit": line.unit, "unit_price": line.unit_price, "discount_percent": line.discount_percent,
            "tax_rate": line.tax_rate}


@service
def quote_accept(*, actor: User, quote: Quote) -> Order:
    """The customer accepted: the quote becomes an order. Accepting twice makes one order."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, quote)
    quote = Quote.objects.select_for_update().get(pk=quote.pk)
    existing = Order.objects.filter(quote=quote).first()
    if existing is not None:
        return existing
    if quote.status not in (QuoteStatus.APPROVED, QuoteStatus.SENT):
        raise Conflict(_("Only a submitted or sent quote can be accepted."))
    quote = transition(quote, QuoteStatus.ACCEPTED, actor, changes={"accepted_at": timezone.now()})
    _opportunity_win_on(WinOn.QUOTE_ACCEPTED, quote.opportunity_id, actor,  # type: ignore[arg-type]
                        _("Quote %(number)s accepted") % {"number": quote})
    order = Order(number=next_number("sales.order"), customer=quote.customer, contact=quote.contact, quote=quote,
                  opportunity=quote.opportunity, owner=quote.owner, branch=quote.branch,
                  notes=_("From quote %(number)s") % {"number": quote})
    try:
        with transaction.atomic():
            validated_save(order)
    except IntegrityError:
        return Order.objects.get(quote=quote)  # accepted at the same moment elsewhere
    _write_lines(order, OrderLine, "order", [_line_data(line) for line in quote.lines.all()])
    _copy_adjustments(quote, order, actor)
    quote_accepted.send(sender=Quote, quote=quote, order=order, actor=actor)
    return order


# --- orders (SAL-4, SAL-6) -------------------------------------------------------------
ORDER_FIELDS = {"contact", "opportunity", "order_date", "delivery_date", "contract_ends_on", "notes"}


@service
def order_create(*, actor: User, customer: Customer, lines: Any, **data: Any) -> Order:
    ensure(actor, "sales.create")
    _check_customer(actor, customer)
    order = Order(number=next_number("sales.order"), customer=customer, owner=actor,
                  branch_id=actor.branch_id or customer.branch_id)
    assign_fields(order, ORDER_FIELDS, data)
    validated_save(order)
    _write_lines(order, OrderLine, "order", lines)
    return order


@service
def order_update(*, actor: User, order: Order, lines: Any = None, **data: Any) -> Order:
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.DRAFT:
        raise Conflict(_("Only a draft order can change."))
    assign_fields(order, ORDER_FIELDS, data)
    validated_save(order)
    if lines is not None:
        _write_lines(order, OrderLine, "order", lines)
    return order


@service
def order_confirm(*, actor: User, order: Order) -> Order:
    """Confirm a draft order; the contract goes through its approval flow first."""
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status != OrderStatus.DRAFT:
        raise Conflict(_("Only a draft order can be confirmed."))
    lines = list(order.lines.all())
    if not lines:
        raise ValidationFailed(_("Add at least one line."), field="lines")
    order = transition(order, OrderStatus.PENDING_APPROVAL, actor)
    if _needs_discount_approval(order, lines, approved=_quote_approved_discounts(order)):
        approval_start(actor=actor, doc_type="sales.order_discount", object_id=order.pk,
                       amount=order.discount_total, label=_("Discount on order %(number)s") % {"number": order.number},
                       url=order.get_absolute_url())
    else:
        _contract_approval_start(actor, order)
    order.refresh_from_db()
    return order


def _quote_approved_discounts(order: Order) -> list[Any]:
    """The discounts approved on the accepted quote the order was made from (none otherwise):
    its lines' and, with its coupons and promotions, its overall discount."""
    quote = order.quote
    if quote is None or quote.status != QuoteStatus.ACCEPTED:
        return []
    lines = list(quote.lines.all())
    overall = [_overall_discount_percent(quote, lines)] if quote.subtotal > 0 else []
    return [line.discount_percent for line in lines] + overall


def _contract_approval_start(actor: User, order: Order) -> None:
    approval_start(actor=actor, doc_type="sales.contract", object_id=order.pk, amount=order.total,
                   label=_("Contract %(number)s, %(customer)s") % {"number": order.number,
                                                                   "customer": order.customer.name},
                   url=order.get_absolute_url())


def order_discount_decided(request: ApprovalRequest) -> None:
    """The discount of an order was decided: approved, the contract flow follows; else a draft again."""
    order = Order.objects.select_for_update().filter(pk=request.object_id).first()
    if order is None or order.status != OrderStatus.PENDING_APPROVAL:
        return
    if request.status == "approved":
        _contract_approval_start(request.requester, order)
    else:
        transition(order, OrderStatus.DRAFT, approval_decider(request), approval_comment(request))


def order_approval_decided(request: ApprovalRequest) -> None:
    order = Order.objects.select_for_update().filter(pk=request.object_id).first()
    if order is None or order.status != OrderStatus.PENDING_APPROVAL:
        return
    if request.status == "approved":
        order = transition(order, OrderStatus.CONFIRMED, approval_decider(request), approval_comment(request),
                           changes={"confirmed_at": timezone.now()})

        Customer.objects.filter(pk=order.customer_id).update(last_deal_at=timezone.now(), category="customer")
        _large_deal_alert(order.branch_id, order.total, _("Order %(number)s") % {"number": order.number},
                          order.get_absolute_url(), request.requester, f"order:{order.pk}:confirmed")
        order_confirmed.send(sender=Order, order=order, actor=request.requester)
        _opportunity_win_on(WinOn.ORDER_CONFIRMED, order.opportunity_id, request.requester,
                            _("Order %(number)s confirmed") % {"number": order.number})
    else:
        transition(order, OrderStatus.DRAFT, approval_decider(request), approval_comment(request))


@service
def order_cancel(*, actor: User, order: Order, reason: str) -> Order:
    ensure(actor, "sales.edit")
    ensure_in_scope(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status == OrderStatus.CANCELLED:
        raise InvalidTransition(_("This order is cancelled already."))
    if order.shipments.exists():
        raise Conflict(_("Goods were shipped on this order; it cannot be cancelled."))
    if not (reason or "").strip():
        raise ValidationFailed(_("Say why the order is cancelled."), field="reason")
    objections = [text for _receiver, found in order_cancelling.send(sender=Order, order=order, actor=actor)
                  for text in found or ()]
    if objections:
        raise Conflict(" ".join(str(text) for text in objections), code="order_cancel_refused")
    order = transition(order, OrderStatus.CANCELLED, actor, reason.strip())
    order_cancelled.send(sender=Order, order=order, actor=actor, reason=reason.strip())
    return order


# --- shipping notes (SAL-5) ------------------------------------------------------------
@service
def shipment_create(*, actor: User, order: Order, quantities: Any, warehouse: Any = None, ship_date: datetime.date | None = None, notes: str = "") -> Shipment:
    """Ship part or all of a confirmed order: ``quantities`` = {order line id: quantity}.
    Shipped never exceeds ordered, also when two people ship at once (rows are locked)."""
    ensure(actor, "sales.ship")
    ensure_in_scope(actor, order)
    order = Order.objects.select_for_update().get(pk=order.pk)
    if order.status not in (OrderStatus.CONFIRMED, OrderStatus.PARTLY_SHIPPED):
        raise Conflict(_("Only a confirmed order can be shipped."))
    lines = {line.pk: line for line in OrderLine.objects.select_for_update().filter(order=order).order_by("pk")}
    wanted = checked_quantities(lines, quantities, positive=_("Ship a positive quantity."),
                                left=_("Only %(n)s left to ship."), at_least=_("Ship at least one line."))
    shipment = Shipment(number=next_number("sales.shipment"), order=order, warehouse=warehouse,
                        ship_date=ship_date or timezone.localdate(), notes=(notes or "")[:500], created_by=actor)
    validated_save(shipment)
    done = count_fulfilled(lines, wanted, counter="shipped_quantity", make_line=lambda line, quantity: (
        ShipmentLine.objects.create(shipment=shipment, order_line=line, quantity=quantity)))
    status = OrderStatus.SHIPPED if done else OrderStatus.PARTLY_SHIPPED
    if order.status != status:
        order = transition(order, status, actor, _("Shipping note %(number)s") % {"number": shipment.number})
    shipment_created.send(sender=Shipment, shipment=shipment, actor=actor)
    return shipment


@service
def quote_send(*, actor: User, quote: Quote, to: Any, message: str = "") -> Quote:
    """E-mail the quote as a PDF (and mark it sent); the mail goes after the commit."""

    try:
        validate_email(to)
    except ValidationError as exc:
        raise ValidationFailed(_("Enter a valid e-mail address."), field="to") from exc
    quote = quote_mark_sent(actor=actor, quote=quote)
    pdf = quote_pdf(quote)
    subject = _("Quotation %(number)s") % {"number": quote}
    body = message or _("Please find our quotation attached.")
    email = EmailMessage(subject, body, None, [to], reply_to=[actor.email] if actor.email else None)
    email.attach(f"{quote.number}-v{quote.version}.pdf", pdf, "application/pdf")
    transaction.on_commit(email.send)
    return quote


# --- recycle bin (soft delete) ---------------------------------------------------------
@service
def opportunity_delete(*, actor: User, opportunity: Opportunity) -> None:
    """Move an opportunity to the recycle bin."""

    ensure(actor, "sales.delete")
    ensure_in_scope(actor, opportunity)
    soft_delete(opportunity, actor=actor)


@service
def lead_delete(*, actor: User, lead: Lead) -> None:
    """Move a lead to the recycle bin."""

    ensure(actor, "sales.delete")
    ensure_in_scope(actor, lead)
    soft_delete(lead, actor=actor)


@service
def record_restore(*, actor: User, record: Any) -> Any:
    """Bring a lead or an opportunity back from the recycle bin."""

    return restore_in_scope(actor, record)


@service
def record_purge(*, actor: User, record: Any) -> None:
    """Delete a lead or an opportunity for good; refused while quotes or orders refer to it."""

    purge_in_scope(actor, record, _("Other records refer to this one; it is kept."))
