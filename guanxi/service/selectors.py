"""Reads of service records; every one through the scope helper."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from guanxi.core.numbering import number_q
from guanxi.core.search import SearchHit, hits_from, is_text, matching
from guanxi.customers.normalize import phone_in_query
from guanxi.org.scopes import get_scoped, scoped

from . import knowledge
from .models import Article, Survey, Ticket

if TYPE_CHECKING:
    from guanxi.customers.models import Customer
    from guanxi.org.models import User


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    return scoped(Ticket.objects.prefetch_related("customer", "assignee", "ticket_type", "severity"), user)


def ticket_get(user: User, pk: int) -> Ticket:
    return get_scoped(Ticket.objects.select_related("customer", "assignee__manager", "department", "branch",
                                                    "ticket_type", "severity", "product", "order", "survey"),
                      user, pk=pk)


def articles(published_only: bool = True) -> QuerySet[Article]:
    queryset = Article.objects.select_related("category", "author")
    return queryset.filter(is_published=True) if published_only else queryset


def surveys_visible_to(user: User) -> QuerySet[Survey]:
    return scoped(Survey.objects.select_related("agent", "department", "branch", "ticket"), user)


def tickets_of_customer(user: User, customer: Customer) -> QuerySet[Ticket]:
    return scoped(Ticket.objects.filter(customer=customer), user).order_by("-created_at")


def ticket_search_hits(user: User, q: str, limit: int) -> Any:
    """Tickets by number, subject (in scope) or the caller's phone however typed."""
    phone = phone_in_query(q)
    found = matching(scoped(Ticket.objects.select_related("customer"), user), [
        number_q("service.ticket", q), Q(subject__icontains=q) if is_text(q) else None,
        Q(contact_phone_norm=phone) if phone else None,
    ])
    return hits_from(found.order_by("-created_at"), limit, label=lambda ticket: ticket.number, detail=lambda t: (
        t.subject, t.customer.name if t.customer_id else t.contact_name, t.get_status_display()))


def article_search_hits(user: User, q: str, limit: int) -> list[Any]:
    """Published knowledge-base articles, best match first (the knowledge base's search)."""
    if not is_text(q):
        return []
    return [SearchHit(label=article.title, url=article.get_absolute_url(), kind=str(Article._meta.verbose_name))
            for article, _score in knowledge.search(articles(), q, limit=limit)]
