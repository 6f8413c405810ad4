"""The rules of dynamic segments (MKT-3). ``customers_matching(queryset, rules)`` narrows a
customer queryset by ``{"match": "all"|"any", "conditions": [{"field", "op", "value"}]}``.

Placeholder until the rule builder lands: only ``{"conditions": []}`` (everyone) is known."""

from django.db.models import QuerySet

from guanxi.customers.models import Customer


def customers_matching(queryset: QuerySet[Customer], rules: dict) -> QuerySet[Customer]:
    if rules.get("conditions"):
        raise NotImplementedError("segment rules")
    return queryset
