"""Factories for tests (factory_boy). Later modules add theirs in their tests/ folder."""

import factory
from django.contrib.auth.hashers import make_password

from guanxi.org.models import Branch, Company, Department, DepartmentKind, Role, Tier, User

TEST_PASSWORD = "Test-pass-2026!"  # noqa: S105
_HASH = None


def _password_hash():
    global _HASH
    if _HASH is None:
        _HASH = make_password(TEST_PASSWORD)
    return _HASH


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company
        django_get_or_create = ("name",)

    name = "测试公司"


class BranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Branch

    company = factory.LazyFunction(lambda: Company.objects.order_by("pk").first() or CompanyFactory())
    name = factory.Sequence(lambda n: f"分公司{n}")
    code = factory.Sequence(lambda n: f"b{n}")
    is_headquarters = False


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"部门{n}")
    kind = DepartmentKind.SALES

    @factory.post_generation
    def set_path(obj, create, extracted, **kwargs):
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        obj.save(update_fields=["path"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"员工{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    tier = Tier.EXECUTION
    department = factory.SubFactory(DepartmentFactory)
    branch = factory.LazyAttribute(lambda u: u.department.branch if u.department else None)
    password = factory.LazyFunction(_password_hash)

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        if extracted:
            obj.roles.set([Role.objects.get(code=code) if isinstance(code, str) else code for code in extracted])


def seller_who_imports(demo_org):
    """The Guangzhou salesperson, with the salesperson role allowed to import customers
    (the demo role may not), fresh from the database so the new grant is seen."""
    role = Role.objects.get(code="salesperson")
    role.permissions = sorted(set(role.permissions) | {"customers.import"})
    role.save()
    return type(demo_org["liuyang"]).objects.get(username="liuyang")
