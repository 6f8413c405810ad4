"""The ``demo_org`` fixture replays what ``guanxi.org.demo.build`` writes: check that a
replay and a real build leave the same organization behind."""

from django.db import transaction

from guanxi.org import demo
from guanxi.org.models import Branch, Department, User
from guanxi.testing.replay import replay, table_state


def _organization():
    people = {u.username: (u.display_name, u.department.name if u.department else None,
                           u.manager.username if u.manager else None, u.tier, u.branch.code if u.branch else None,
                           sorted(r.code for r in u.roles.all()), u.is_active, u.check_password(demo.DEMO_PASSWORD))
              for u in User.objects.select_related("department", "manager", "branch").prefetch_related("roles")}
    departments = sorted((d.branch.code, d.name, d.parent.name if d.parent else None, d.kind,
                          d.manager.username if d.manager else None)
                         for d in Department.objects.select_related("branch", "parent", "manager"))
    branches = sorted((b.code, b.name, b.parent.code if b.parent else None, b.head.username if b.head else None,
                       b.is_headquarters) for b in Branch.objects.select_related("parent", "head"))
    counts = {model._meta.label: len(rows) for model, rows in table_state().items()}
    return people, departments, branches, counts


def test_the_replayed_demo_organization_equals_a_built_one(db, _demo_org_recording):
    """ORG-1: the replay gives the same people, departments, branches, roles and row counts."""
    with transaction.atomic():
        demo.build()
        built = _organization()
        transaction.set_rollback(True)
    replay(_demo_org_recording)
    replayed = _organization()
    assert replayed == built
    assert len(replayed[0]) == 31
    # New records after a replay get fresh keys (PostgreSQL's sequences were moved on).
    department = Department.objects.create(branch=Branch.objects.get(code="gz"), name="新部门", kind="sales")
    assert department.pk > max(Department.objects.exclude(pk=department.pk).values_list("pk", flat=True))
