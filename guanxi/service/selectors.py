"""Reads of service records; every one through the scope helper."""

from guanxi.org.scopes import get_scoped, scoped

from .models import Article, Survey, Ticket


def tickets_visible_to(user):
    return scoped(Ticket.objects.prefetch_related("customer", "assignee", "ticket_type", "severity"), user)


def ticket_get(user, pk):
    return get_scoped(Ticket.objects.select_related("customer", "assignee__manager", "department", "branch",
                                                    "ticket_type", "severity", "product", "order"), user, pk=pk)


def articles(published_only=True):
    queryset = Article.objects.select_related("category", "author")
    return queryset.filter(is_published=True) if published_only else queryset


def surveys_visible_to(user):
    return scoped(Survey.objects.select_related("agent", "department", "branch", "ticket"), user)
