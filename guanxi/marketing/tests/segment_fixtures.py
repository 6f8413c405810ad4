"""Customers and people the segment tests share."""

from guanxi.customers.models import Customer
from guanxi.org.models import DataScope, Role, User


def marketing_viewer(user):
    """Give ``user`` a role that reads marketing and customers with his own scope only."""
    role, _created = Role.objects.get_or_create(code="test_marketing_own", defaults={
        "name_zh": "市场（本人）", "name_en": "Marketing (own)", "data_scope": DataScope.OWN,
        "permissions": ["marketing.view", "marketing.create", "marketing.edit", "marketing.export",
                        "marketing.delete", "customers.view"]})
    user.roles.set([role])
    return User.objects.get(pk=user.pk)


def customers_of(demo_org, per_user=2):
    """Customers owned by a few people of two branches, named by owner."""
    made = []
    for username in ("liuyang", "liyang", "zhangmin", "zhuwei", "hejing"):
        owner = demo_org[username]
        for n in range(per_user):
            made.append(Customer.objects.create(name=f"客{username}{n}", owner=owner, branch=owner.branch,
                                                value_tier="A" if n == 0 else "B"))
    return made
