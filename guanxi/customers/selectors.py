"""Reads of customers and contacts. Every one starts from the scope helper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.core import memo
from guanxi.core.search import SearchHit, hits_from, is_text, matching
from guanxi.org.scopes import can_see, get_scoped, scoped

from . import search_index
from .models import Contact, Customer, CustomerSettings, CustomerShare, Feedback, Interaction
from .normalize import email_or_none, normalize_name, phone_in_query, phone_or_none
from .tokens import confirms, plan_for

if TYPE_CHECKING:
    from guanxi.org.models import User


def pool_mode(user: User) -> Any:
    if not hasattr(user, "_customer_pool_mode"):
        user._customer_pool_mode = memo.remember("customers:pool_mode", _read_pool_mode)  # type: ignore[attr-defined]
    return user._customer_pool_mode  # type: ignore[attr-defined]


def _read_pool_mode() -> Any:
    """The pool rule, read without creating the settings row (a GET never writes)."""
    mode = CustomerSettings.objects.order_by("pk").values_list("pool_mode", flat=True).first()
    return mode or CustomerSettings._meta.get_field("pool_mode").default


def pool_q(user: User) -> Q:
    """The public-pool customers a user may see and claim."""
    if not user.has_module_perm("customers.claim"):
        return Q(pk__in=[])
    if pool_mode(user) == CustomerSettings.PoolMode.COMPANY:
        return Q(owner__isnull=True)
    return Q(owner__isnull=True, branch_id=user.branch_id)


def customers_visible_to(user: User) -> QuerySet[Customer]:
    # Related objects are prefetched, not joined: see core.listing and docs/benchmarks.md.
    return scoped(Customer.objects.prefetch_related("owner", "branch", "industry", "level", "source"), user)


def customer_get(user: User, pk: int) -> Customer:
    return get_scoped(
        Customer.objects.select_related("owner", "branch", "industry", "level", "source", "created_by"), user, pk=pk
    )


def customers_editable_by(user: User) -> QuerySet[Customer]:
    """Customers the user may change: their scope, or shared with them to edit (not the
    pool, not read-only shares)."""
    if not user.has_module_perm("customers.edit"):
        return Customer.objects.none()
    own_scope = scoped(Customer.objects.all(), user, extra=False)
    shared = Customer.objects.filter(pk__in=CustomerShare.objects.filter(user=user, can_edit=True)
                                     .values("customer_id"))
    return own_scope | shared


def can_edit(user: User, customer: Customer) -> Any:
    return customers_editable_by(user).filter(pk=customer.pk).exists()


def pool_customers(user: User) -> QuerySet[Customer]:
    return Customer.objects.filter(pool_q(user)).prefetch_related("branch", "industry", "level")


def customers_deleted_visible_to(user: User) -> QuerySet[Customer]:
    return scoped(Customer.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)


def customer_search(queryset: QuerySet[Any], q: str) -> QuerySet[Any]:
    """Narrow customers to those matching ``q`` by name, pinyin, initials, phone or e-mail."""
    q = (q or "").strip()
    condition = Q(pk__in=[])
    email = email_or_none(q) if "@" in q else None
    if email:
        condition |= Q(email_norm=email) | Q(pk__in=Contact.objects.filter(email_norm=email).values("customer_id"))
    phone = phone_in_query(q)
    if phone:
        condition |= (Q(phone_norm=phone) | Q(mobile_norm=phone) |
                      Q(pk__in=Contact.objects.filter(Q(phone_norm=phone) | Q(mobile_norm=phone))
                        .values("customer_id")))
    for strategy in plan_for(q).strategies:
        matches = search_index.matching(Customer.all_objects.all(), [strategy.tokens])
        if strategy.kind == "name":
            # Confirm in the database: every window present is not yet "contains".
            matches = matches.filter(name_norm__contains=strategy.target)
        # Pinyin and initials: every adjacent syllable pair / 3-letter window present
        # is specific enough for a list; the duplicate check confirms them exactly.
        condition |= Q(pk__in=matches.values("pk"))
    return queryset.filter(condition)


# --- the duplicate check -----------------------------------------------------------------
@dataclass
class DuplicateHit:
    customer: Customer
    reasons: list  # "name", "exact_name", "phone", "email", "pinyin", "initials"
    visible: bool
    whose: str  # as far as the searcher may see
    url: str | None
    claimable: bool
    score: int


def _whose(user: User, customer: Customer, visible: bool) -> str:
    if customer.owner_id is None:
        return _("in the public pool of %(branch)s") % {"branch": customer.branch.name}
    if customer.owner_id == user.pk:
        return _("yours")
    if visible:
        return _("%(owner)s, %(branch)s") % {"owner": customer.owner.display_name, "branch": customer.branch.name}  # type: ignore[union-attr]
    return _("another salesperson in %(branch)s") % {"branch": customer.branch.name}


def duplicate_check(user: User, *, name: str = "", phone: str = "", email: str = "", exclude_pk: int | None = None, limit: int = 10) -> list[Any] | list[DuplicateHit]:
    """Return likely duplicates across the whole company (CUS-5), most certain first.

    Matches a name keyword anywhere (legal suffixes, width and case ignored), pinyin and
    initials, and phone or e-mail exactly after normalization. Each hit says whose it is
    only as far as ``user`` may see.
    """
    reasons: dict[int, set[str]] = {}

    def add(ids: Any, reason: str) -> None:
        for pk in ids:
            if pk != exclude_pk:
                reasons.setdefault(pk, set()).add(reason)

    live = Customer.objects.all()
    name_norm = normalize_name(name)
    if name_norm:
        add(live.filter(name_norm=name_norm).values_list("pk", flat=True)[:limit], "exact_name")
    plan = plan_for(name)
    for strategy in plan.strategies:
        candidates = search_index.matching(live, [strategy.tokens]).order_by()
        if strategy.kind == "name":
            candidates = candidates.filter(name_norm__contains=strategy.target)
        found = []
        for pk, candidate_norm in candidates.values_list("pk", "name_norm")[: limit * 3]:
            if confirms(strategy, candidate_norm):
                found.append(pk)
            if len(found) >= limit:
                break
        add(found, strategy.kind)
    for raw, kind in ((phone, "phone"), (email, "email")):
        # An invalid number or address cannot match anything; the form says why.
        value = (phone_or_none(raw) if kind == "phone" else email_or_none(raw)) if raw else None
        if not value:
            continue
        if kind == "phone":
            direct = live.filter(Q(phone_norm=value) | Q(mobile_norm=value))
            via_contact = Contact.objects.filter(Q(phone_norm=value) | Q(mobile_norm=value))
        else:
            direct = live.filter(email_norm=value)
            via_contact = Contact.objects.filter(email_norm=value)
        add(direct.values_list("pk", flat=True)[:limit], kind)
        add(via_contact.values_list("customer_id", flat=True)[:limit], kind)
    if not reasons:
        return []
    customers = Customer.objects.select_related("owner", "branch").in_bulk(list(reasons))
    visible_ids = set(scoped(Customer.objects.filter(pk__in=list(reasons)), user).values_list("pk", flat=True))
    claimable_ids = set(Customer.objects.filter(pool_q(user), pk__in=list(reasons)).values_list("pk", flat=True))
    weights = {"exact_name": 100, "phone": 90, "email": 90, "name": 50, "pinyin": 30, "initials": 20}
    hits = []
    for pk, why in reasons.items():
        customer = customers.get(pk)
        if customer is None:
            continue
        visible = pk in visible_ids
        hits.append(DuplicateHit(
            customer=customer, reasons=sorted(why, key=lambda r: -weights[r]), visible=visible,
            whose=_whose(user, customer, visible), url=customer.get_absolute_url() if visible else None,
            claimable=pk in claimable_ids, score=sum(weights[r] for r in why),
        ))
    hits.sort(key=lambda h: (-h.score, h.customer.name))
    return hits[:limit]


def exact_duplicates(*, name_norm: str, phones: Any = (), email: str = "", exclude_pk: int | None = None) -> QuerySet[Customer]:
    """Return live customers that an exact rule says are the same (CUS-5 override)."""
    condition = Q(name_norm=name_norm) if name_norm else Q(pk__in=[])
    for phone in phones:
        if phone:
            condition |= Q(phone_norm=phone) | Q(mobile_norm=phone)
    if email:
        condition |= Q(email_norm=email)
    queryset = Customer.objects.filter(condition)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


# --- contacts ----------------------------------------------------------------------
def contacts_visible_to(user: User) -> QuerySet[Contact]:
    return scoped(Contact.objects.prefetch_related("customer", "role"), user)


def contact_get(user: User, pk: int) -> Contact:
    return get_scoped(Contact.objects.select_related("customer", "role"), user, pk=pk)


def contacts_of(customer: Customer) -> QuerySet[Contact]:
    return Contact.objects.filter(customer=customer).select_related("role").order_by("-is_primary", "name")


def contacts_of_customer(user: User, customer: Customer) -> QuerySet[Contact]:
    """The customer's contacts the user may see, main contact first."""
    return scoped(Contact.objects.filter(customer=customer).select_related("role"), user).order_by(
        "-is_primary", "name")


def contacts_deleted_visible_to(user: User) -> QuerySet[Contact]:
    return scoped(Contact.all_objects.filter(deleted_at__isnull=False).select_related("customer", "deleted_by"),
                  user)


# --- global search -----------------------------------------------------------------
def customer_search_hits(user: User, q: str, limit: int) -> list[Any]:
    hits = customer_search(customers_visible_to(user), q).order_by("-created_at")[:limit]
    return [
        SearchHit(label=c.name, url=reverse("customers:customer_detail", args=[c.pk]),
                  kind=str(Customer._meta.verbose_name), detail=c.owner.display_name if c.owner else _("public pool"))
        for c in hits
    ]


def contact_search_hits(user: User, q: str, limit: int) -> list[Any]:
    """Contacts by the start of their name, their phone however typed, or e-mail."""
    phone, email = phone_in_query(q), email_or_none(q) if "@" in q else None
    found = matching(scoped(Contact.objects.select_related("customer"), user), [
        # A prefix the (name) index answers; unordered, since ordering sorts every match.
        Q(name__startswith=q.strip()) if is_text(q) and not email else None,
        Q(mobile_norm=phone) | Q(phone_norm=phone) if phone else None,
        Q(email_norm=email) if email else None,
    ])
    hits = hits_from(found, limit, label=lambda c: c.name, detail=lambda c: (c.customer.name, c.title, c.mobile))
    return sorted(hits, key=lambda hit: hit.label)


def is_visible(user: User, customer: Customer) -> Any:
    return can_see(user, customer)


# --- interactions and feedback -----------------------------------------------------------
def interactions_visible_to(user: User) -> QuerySet[Interaction]:
    return scoped(Interaction.objects.prefetch_related("customer", "author", "contact"), user)


def interaction_get(user: User, pk: int) -> Interaction:
    return get_scoped(Interaction.objects.select_related("customer", "author", "contact"), user, pk=pk)


def interactions_of(customer: Customer, limit: int = 10) -> list[Any]:
    return list(customer.interactions.select_related("author", "contact").order_by("-occurred_at")[:limit])


def interactions_deleted_visible_to(user: User) -> QuerySet[Interaction]:
    return scoped(Interaction.all_objects.filter(deleted_at__isnull=False).select_related("customer", "deleted_by"),
                  user)


def feedback_visible_to(user: User) -> QuerySet[Feedback]:
    return scoped(Feedback.objects.prefetch_related("customer", "department", "kind"), user)


def feedback_get(user: User, pk: int) -> Feedback:
    return get_scoped(Feedback.objects.select_related("customer", "department", "kind", "handled_by"), user, pk=pk)


# --- the customer page (CUS-6) -------------------------------------------------------------
def interactions_of_customer(user: User, customer: Customer) -> QuerySet[Interaction]:
    return scoped(Interaction.objects.filter(customer=customer).select_related("author", "contact"), user).order_by(
        "-occurred_at")


def feedback_of_customer(user: User, customer: Customer) -> QuerySet[Feedback]:
    return scoped(Feedback.objects.filter(customer=customer).select_related("kind", "department"), user).order_by(
        "-created_at")
