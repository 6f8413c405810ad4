
from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.core.search import SearchHit
from guanxi.org import scopes
from guanxi.org.scopes import get_scoped, scoped
from guanxi.sales.models import StageKind
from guanxi.sales.selectors import opportunities_visible_to

from .models import (
    Competitor,
    Directive,
    DirectiveReceipt,
    NewsItem,
    NewsTag,
    Note,
    PlanStatus,
    WorkPlanItem,
)
from .plans import completion

if TYPE_CHECKING:
    from guanxi.customers.models import Customer
    from guanxi.org.models import User


def notes_visible_to(user: User) -> QuerySet[Note]:
    # Prefetch, not select_related: a join lets the planner start from the small joined
    # table and sort every note, instead of walking the (…, created_at) index.
    return scoped(Note.objects.prefetch_related("owner", "branch"), user)


def note_get(user: User, pk: int) -> Note:
    return get_scoped(Note.objects.select_related("owner", "branch", "created_by"), user, pk=pk)


def notes_search(user: User, q: str) -> Any:
    return notes_visible_to(user).filter(Q(title__icontains=q) | Q(body__icontains=q))


def notes_search_hits(user: User, q: str, limit: int) -> list[Any]:
    return [
        SearchHit(label=note.title, url=reverse("workplace:note_detail", args=[note.pk]), kind=str(Note._meta.verbose_name),
                  detail=str(note.owner))
        for note in notes_search(user, q).order_by("-created_at")[:limit]
    ]


def notes_deleted_visible_to(user: User) -> QuerySet[Note]:
    return scoped(Note.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)


# --- work plans (WRK-1) --------------------------------------------------------------
def plan_items_visible_to(user: User) -> QuerySet[WorkPlanItem]:
    return scoped(WorkPlanItem.objects.select_related("owner", "customer", "opportunity", "assigned_by"), user)


def plan_items_of_customer(user: User, customer: Customer) -> QuerySet[WorkPlanItem]:
    return scoped(WorkPlanItem.objects.filter(customer=customer).select_related("owner"), user).order_by(
        "-day", "-pk")


def plan_item_get(user: User, pk: int) -> WorkPlanItem:
    return get_scoped(WorkPlanItem.objects.select_related("owner", "branch", "customer", "opportunity",
                                                          "assigned_by", "carried_from"), user, pk=pk)


def day_plan(user: User, owner: User, day: datetime.date) -> list[Any]:
    """``owner``'s items for ``day`` as ``user`` may see them, open ones first."""

    order = {PlanStatus.IN_PROGRESS: 0, PlanStatus.PLANNED: 1, PlanStatus.DONE: 2, PlanStatus.CARRIED: 3,
             PlanStatus.CANCELLED: 4}
    items = list(plan_items_visible_to(user).filter(owner=owner, day=day).order_by("pk"))
    return sorted(items, key=lambda i: order.get(i.status, 9))


def people_in_scope(user: User) -> list[Any]:
    """Active employees whose records the user's scope covers (the user first)."""
    return sorted(scopes.people_in_scope(user), key=lambda p: p.pk != user.pk)


def team_day(user: User, day: datetime.date, people: list[User] | None = None) -> list[tuple[Any, Any, Any, Any]]:
    """[(person, items, done, planned)] for the people in scope on ``day`` (two queries)."""

    people = people if people is not None else people_in_scope(user)
    by_owner: dict[int, list[Any]] = {}
    for item in plan_items_visible_to(user).filter(day=day, owner__in=[p.pk for p in people]).order_by("pk"):
        by_owner.setdefault(item.owner_id, []).append(item)
    rows = []
    for person in people:
        items = by_owner.get(person.pk, [])
        done, planned = completion(items)
        rows.append((person, items, done, planned))
    return rows


# --- directives (WRK-2) -------------------------------------------------------------
def directives_visible_to(user: User) -> QuerySet[Directive]:
    """Directives the user issued, received or has in scope, with their counts and the
    user's own receipt (annotations, no query per row)."""

    mine = DirectiveReceipt.objects.filter(directive=OuterRef("pk"), user_id=user.pk)
    return scoped(Directive.objects.select_related("issuer", "branch"), user).annotate(
        recipient_total=Count("receipts"),
        acknowledged_total=Count("receipts", filter=Q(receipts__acknowledged_at__isnull=False)),
        my_read_at=Subquery(mine.values("read_at")[:1]),
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
        my_receipt=Subquery(mine.values("pk")[:1]),
    )


def directive_get(user: User, pk: int) -> Directive:
    return get_scoped(Directive.objects.select_related("issuer", "branch"), user, pk=pk)


def directive_for_page(user: User, pk: int) -> tuple[Directive, DirectiveReceipt | None, dict[str, int]]:
    """A directive in the viewer's scope with what its page shows, in one query: the viewer's
    own receipt, the receipts' counts (recipients, read, acknowledged, not yet) and whether
    the directive is in the viewer's scope without the audience (``in_tracking_scope``, read by
    ``directives.can_track``)."""
    receipts = DirectiveReceipt.objects.filter(directive=OuterRef("pk")).order_by().values("directive")
    mine = DirectiveReceipt.objects.filter(directive=OuterRef("pk"), user=user)

    def count(**condition: Any) -> Coalesce:
        return Coalesce(Subquery(receipts.filter(**condition).annotate(n=Count("pk")).values("n")), 0,
                        output_field=IntegerField())

    directive = get_scoped(Directive.objects.select_related("issuer", "branch").annotate(
        receipts_total=count(), receipts_read=count(read_at__isnull=False),
        receipts_acknowledged=count(acknowledged_at__isnull=False),
        my_receipt=Subquery(mine.values("pk")[:1]), my_read_at=Subquery(mine.values("read_at")[:1]),
        my_acknowledged_at=Subquery(mine.values("acknowledged_at")[:1]),
        in_tracking_scope=Exists(scoped(Directive.objects.filter(pk=OuterRef("pk")), user, extra=False)),
    ), user, pk=pk)
    receipt = None if directive.my_receipt is None else DirectiveReceipt(
        pk=directive.my_receipt, directive=directive, user=user, read_at=directive.my_read_at,
        acknowledged_at=directive.my_acknowledged_at)
    counts = {"total": directive.receipts_total, "read": directive.receipts_read,
              "acknowledged": directive.receipts_acknowledged,
              "pending": directive.receipts_total - directive.receipts_acknowledged}
    return directive, receipt, counts


def directive_receipt_of(user: User, directive: Directive) -> DirectiveReceipt | None:
    return DirectiveReceipt.objects.filter(directive=directive, user=user).first()


def directive_receipts(directive: Directive, pending: Any = None) -> QuerySet[DirectiveReceipt]:
    """The receipts of a directive with their people; ``pending`` True: not acknowledged."""
    queryset = directive.receipts.select_related("user__department", "user__branch").order_by(
        "user__branch__name", "user__department__path", "user__display_name")
    if pending is True:
        queryset = queryset.filter(acknowledged_at__isnull=True)
    elif pending is False:
        queryset = queryset.filter(acknowledged_at__isnull=False)
    return queryset


def directives_awaiting(user: User, limit: int = 10) -> list[Any]:
    """Directives the user still has to acknowledge, newest first."""

    pending = DirectiveReceipt.objects.filter(user=user, acknowledged_at__isnull=True,
                                              directive__requires_ack=True).values("directive_id")
    return list(directives_visible_to(user).filter(pk__in=pending).order_by("-issued_at")[:limit])


def directives_search_hits(user: User, q: str, limit: int) -> list[Any]:
    found = scoped(Directive.objects.select_related("issuer"), user).filter(
        Q(title__icontains=q) | Q(body__icontains=q)).order_by("-issued_at")[:limit]
    return [SearchHit(label=d.title, url=d.get_absolute_url(), kind=str(Directive._meta.verbose_name),
                      detail=str(d.issuer)) for d in found]


# --- news and competitors (WRK-3, WRK-4) ----------------------------------------------
def news_visible_to(user: User) -> QuerySet[NewsItem]:
    return scoped(NewsItem.objects.select_related("owner", "competitor").prefetch_related("tags"), user)


def news_get(user: User, pk: int) -> NewsItem:
    return get_scoped(NewsItem.objects.select_related("owner", "branch", "competitor").prefetch_related("tags"),
                      user, pk=pk)


def news_deleted_visible_to(user: User) -> QuerySet[NewsItem]:
    return scoped(NewsItem.all_objects.filter(deleted_at__isnull=False).select_related("owner", "deleted_by"), user)


def news_search(queryset: QuerySet[Any], q: str) -> QuerySet[Any]:
    tagged = NewsItem.tags.through.objects.filter(newstag__name=q).values("newsitem_id")
    return queryset.filter(Q(title__icontains=q) | Q(body__icontains=q) | Q(product__icontains=q) | Q(pk__in=tagged))


def news_search_hits(user: User, q: str, limit: int) -> list[Any]:
    found = news_search(news_visible_to(user), q).order_by("-published_at")[:limit]
    return [SearchHit(label=n.title, url=n.get_absolute_url(), kind=str(NewsItem._meta.verbose_name),
                      detail=str(n.owner)) for n in found]


def news_tags_in_use(limit: int = 40) -> list[Any]:
    return list(NewsTag.objects.annotate(n=Count("items", filter=Q(items__deleted_at__isnull=True)))
                .filter(n__gt=0).order_by("-n", "name")[:limit])


def competitors_visible_to(user: User) -> QuerySet[Competitor]:
    return scoped(Competitor.objects.filter(category="competitor"), user)


def competitor_get(user: User, pk: int) -> Competitor:
    return get_scoped(Competitor.objects.filter(category="competitor").select_related("owner", "industry"),
                      user, pk=pk)


def competitor_figures(user: User, competitor_ids: Any = None) -> dict[Any, Any]:
    """{competitor id: {"intel", "won", "lost", "won_amount", "lost_amount"}} from the
    intelligence and the opportunities the user may see (two queries)."""

    figures: dict[int, dict[str, Any]] = {}

    def row(key: int) -> Any:
        return figures.setdefault(key, {"intel": 0, "won": 0, "lost": 0, "won_amount": 0, "lost_amount": 0})

    news = news_visible_to(user).filter(competitor__isnull=False)
    deals = opportunities_visible_to(user).filter(competitor__isnull=False)
    if competitor_ids is not None:
        news, deals = news.filter(competitor_id__in=competitor_ids), deals.filter(competitor_id__in=competitor_ids)
    for intel in news.order_by().values("competitor_id").annotate(n=Count("pk")):
        row(intel["competitor_id"])["intel"] = intel["n"]
    won, lost = Q(stage__kind=StageKind.WON), Q(stage__kind=StageKind.LOST)
    for item in deals.order_by().values("competitor_id").annotate(
            won=Count("pk", filter=won), lost=Count("pk", filter=lost), won_amount=Sum("amount", filter=won),
            lost_amount=Sum("amount", filter=lost)):
        target = row(item["competitor_id"])
        target.update(won=item["won"], lost=item["lost"], won_amount=item["won_amount"] or 0,
                      lost_amount=item["lost_amount"] or 0)
    return figures


def deals_against(user: User, competitor: Competitor, limit: int = 30) -> list[Any]:
    return list(opportunities_visible_to(user).filter(competitor=competitor).select_related(
        "stage", "customer", "owner", "lost_reason").order_by("-closed_at", "-created_at")[:limit])


def competitors_with_figures(user: User) -> Any:
    """Competitors annotated with the intelligence and the deals against them that the
    user may see (subqueries: one query for a whole page)."""

    def count_of(queryset: QuerySet[Any]) -> Coalesce:
        counted = queryset.filter(competitor=OuterRef("pk")).order_by().values("competitor").annotate(
            n=Count("pk")).values("n")
        return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

    deals = opportunities_visible_to(user)
    return competitors_visible_to(user).annotate(
        intel_count=count_of(news_visible_to(user)),
        won_count=count_of(deals.filter(stage__kind=StageKind.WON)),
        lost_count=count_of(deals.filter(stage__kind=StageKind.LOST)))


# --- digest sections --------------------------------------------------------------
def directives_digest_section(user: User, day: datetime.date) -> list[Any]:
    return [_("%(title)s (from %(name)s, %(date)s)") % {"title": d.title, "name": d.issuer,
                                                        "date": d.issued_at.date().isoformat()}
            for d in directives_awaiting(user, limit=20)]


def plans_digest_section(user: User, day: datetime.date) -> list[Any] | list[str]:
    """How the digest's day went and what carried over to the next."""

    items = list(plan_items_visible_to(user).filter(owner=user, day=day))
    if not items:
        return []
    done, planned = completion(items)
    lines = [_("%(done)d of %(planned)d items done.") % {"done": done, "planned": planned}]
    lines += [_("Carried over: %(title)s") % {"title": i.title} for i in items if i.status == PlanStatus.CARRIED]
    return lines
