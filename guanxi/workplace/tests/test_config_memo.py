"""Issue 15: configuration and small tables are remembered per process under one
generation stamp in the shared cache; any change is seen on the next read, by this
process and by any other (``core.memo``)."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guanxi.core import memo, picklists
from guanxi.core.models import PickItem
from guanxi.org.models import Role, User
from guanxi.workplace.models import Note


def test_remember_builds_once_per_generation_and_follows_another_node(db):
    built = []
    build = lambda: built.append(1) or len(built)  # noqa: E731
    assert memo.remember("test:value", build) == 1
    assert memo.remember("test:value", build) == 1 and len(built) == 1
    cache.set(memo.KEY, "another-node-changed-something", timeout=None)  # as another process's bump
    assert memo.remember("test:value", build) == 2


def test_a_renamed_pick_list_item_is_seen_at_once(db):
    item = picklists.active("customers.industry")[0]
    fresh = PickItem.objects.get(pk=item.pk)
    fresh.name_zh = fresh.name_en = "新行业名"
    fresh.save()
    assert dict(picklists.choices("customers.industry"))[item.pk] == "新行业名"
    # A change that bypasses model signals says so itself.
    PickItem.objects.filter(pk=item.pk).update(name_zh="再改名", name_en="再改名")
    memo.changed()
    assert dict(picklists.choices("customers.industry"))[item.pk] == "再改名"


def test_roles_follow_a_permission_change(demo_org):
    seller = demo_org["liuyang"]
    assert not User.objects.get(pk=seller.pk).has_module_perm("system.purge")
    role = Role.objects.create(code="memo-test", name_zh="测试", name_en="Test", permissions=[])
    seller.roles.add(role)
    assert not User.objects.get(pk=seller.pk).has_module_perm("system.purge")
    role.permissions = ["system.purge"]
    role.save()
    assert User.objects.get(pk=seller.pk).has_module_perm("system.purge")
    seller.roles.remove(role)
    assert not User.objects.get(pk=seller.pk).has_module_perm("system.purge")


def test_owner_links_are_read_from_memory_and_follow_a_rename(demo_org):
    """ORG directory: ``note.owner`` costs no query, and a renamed person shows at once."""
    seller = demo_org["liuyang"]
    note = Note.objects.create(title="备忘", owner=seller, branch_id=seller.branch_id, created_by=seller)
    warm = Note.objects.get(pk=note.pk)
    str(warm.owner), str(warm.branch)  # the directories are built once
    fetched = Note.objects.get(pk=note.pk)
    with memo.one_generation(), CaptureQueriesContext(connection) as queries:
        name = str(fetched.owner), str(fetched.branch), str(fetched.created_by)
    # At most the generation stamp (a query with the database cache, none with Redis).
    assert len(queries) <= 1 and not any("org_" in q["sql"] for q in queries.captured_queries)
    assert name[0] == str(seller)
    seller.display_name = "刘阳（新）"
    seller.save()
    assert str(Note.objects.get(pk=note.pk).owner) == "刘阳（新）"
