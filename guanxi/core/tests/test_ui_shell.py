"""The UI shell and the reusable list, form, detail and recycle-bin building blocks."""

import re

import pytest
from django.test import Client

from guanxi.core.models import SavedView
from guanxi.testing.pages import assert_no_inline_script
from guanxi.workplace.models import Note
from guanxi.workplace.services import note_create

PAGES = ["/", "/work/notes/", "/work/notes/new/", "/org/employees/", "/org/departments/", "/org/branches/",
         "/org/roles/", "/org/chart/", "/system/audit/", "/system/recycle-bin/", "/accounts/profile/",
         "/search/?q=a"]


def _menu_modules(html):
    return set(re.findall(r'<li class="menu-section" data-module="([a-z]+)"', html))


def test_chairman_and_salesperson_see_different_menus(demo_org, client_for):
    """ORG-4/ORG-5: navigation by module according to permissions."""
    chairman = client_for(demo_org["chenzhiqiang"]).get("/").content.decode()
    sales = client_for(demo_org["liuyang"]).get("/").content.decode()
    admin = client_for(demo_org["zhaolei"]).get("/").content.decode()
    assert "system" in _menu_modules(chairman) and "system" not in _menu_modules(sales)
    assert "/org/roles/" in admin and "/org/roles/" not in sales
    # Marketing shows the salesperson only the price lists (sales.view): the prices they quote.
    assert _menu_modules(sales) == {"customers", "sales", "workplace", "org", "approvals", "expenses",
                                     "finance", "service", "marketing"}
    assert "/marketing/price-lists/" in sales and "/marketing/campaigns/" not in sales


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_for_an_administrator_without_inline_script(demo_org, client_for, path):
    """ORG-5: a CSP without inline scripts, and nothing loaded from another host."""
    response = client_for(demo_org["zhaolei"]).get(path)
    assert response.status_code == 200, path
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    html = response.content.decode()
    assert_no_inline_script(html, path)
    assert not re.search(r'(src|href)="(https?:)?//', html), f"external asset on {path}"


def test_salesperson_is_refused_admin_pages(demo_org, client_for):
    client = client_for(demo_org["liuyang"])
    for path in ("/org/roles/", "/org/employees/new/", "/system/audit/", "/system/recycle-bin/"):
        assert client.get(path).status_code == 403, path


def test_anonymous_is_sent_to_login(db):
    response = Client().get("/work/notes/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")


def test_language_switch_sets_cookie_and_profile(demo_org, client_for):
    user = demo_org["liuyang"]
    client = client_for(user)
    assert "笔记" in client.get("/work/notes/").content.decode()
    response = client.post("/i18n/language/", {"language": "en", "next": "/work/notes/"})
    assert response.status_code == 302
    assert "Notes" in client.get("/work/notes/").content.decode()
    user.refresh_from_db()
    assert user.language == "en"


def test_language_switch_refuses_foreign_redirects(db):
    response = Client().post("/i18n/language/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.fixture
def many_notes(demo_org):
    owner = demo_org["liuyang"]
    for i in range(60):
        Note.objects.create(title=f"客户拜访 {i:02d}", category="visit" if i % 2 else "meeting", owner=owner,
                            branch=owner.branch, created_by=owner)
    return owner


def test_list_search_filter_sort_and_keyset_pages(many_notes, client_for):
    client = client_for(many_notes)
    page1 = client.get("/work/notes/?sort=title").content.decode()
    titles = re.findall(r'<a href="/work/notes/\d+/">(客户拜访 \d+)</a>', page1)
    assert titles == [f"客户拜访 {i:02d}" for i in range(25)]
    count = client.get("/work/notes/?sort=title&count=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-count="60"' in count and "60 条记录" in count
    next_url = re.search(r'rel="next" href="([^"]+)"', page1).group(1).replace("&amp;", "&")
    page2 = client.get("/work/notes/" + next_url).content.decode()
    assert re.findall(r'<a href="/work/notes/\d+/">(客户拜访 \d+)</a>', page2)[0] == "客户拜访 25"
    filtered = client.get("/work/notes/?category=visit&q=拜访 1").content.decode()
    assert set(re.findall(r">(客户拜访 \d+)<", filtered)) == {f"客户拜访 {i}" for i in (11, 13, 15, 17, 19)}


def test_list_rejects_filter_values_outside_the_allow_list(many_notes, client_for):
    """SECURITY: only allow-listed values reach the ORM; a bad one is reported, not obeyed."""
    client = client_for(many_notes)
    html = client.get("/work/notes/?category=__all__&sort=password&owner__password=x").content.decode()
    assert "form-error" in html
    count = client.get("/work/notes/?category=__all__&sort=password&owner__password=x&count=1").content.decode()
    assert re.search(r'data-count="(\d+)"', count).group(1) == "60"


def test_htmx_requests_get_only_the_results(many_notes, client_for):
    html = client_for(many_notes).get("/work/notes/?q=拜访", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html and "list-table" in html


def test_empty_state(demo_org, client_for):
    client = client_for(demo_org["zhuwei"])
    Note.objects.filter(owner=demo_org["zhuwei"]).delete()
    html = client.get("/work/notes/").content.decode()
    assert "empty-state" in html and "/work/notes/new/" in html
    assert "empty-state" in client.get("/work/notes/?q=没有这种东西").content.decode()


def test_saved_views_private_and_shared(many_notes, demo_org, client_for):
    owner = client_for(many_notes)
    owner.post("/views/save/", {"list_key": "workplace.notes", "name": "拜访", "query": "category=visit",
                                "next": "/work/notes/"})
    owner.post("/views/save/", {"list_key": "workplace.notes", "name": "共享的", "query": "q=x", "is_shared": "on",
                                "next": "/work/notes/"})
    assert "?category=visit" in owner.get("/work/notes/").content.decode()
    colleague = client_for(demo_org["zhuwei"]).get("/work/notes/").content.decode()
    assert "共享的" in colleague and "?category=visit" not in colleague
    view = SavedView.objects.get(name="共享的")
    assert client_for(demo_org["zhuwei"]).post(f"/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_saved_view_redirect_stays_on_site(many_notes, client_for):
    response = client_for(many_notes).post("/views/save/", {"list_key": "k", "name": "n", "next": "//evil.example"})
    assert response["Location"] == "/"


def test_export_csv_and_xlsx_respect_filters_and_neutralize(many_notes, client_for):
    client = client_for(many_notes)
    note_create(actor=many_notes, title="=HYPERLINK(\"http://x\",\"拜访\")", category="visit")
    response = client.get("/work/notes/?category=visit&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = text.strip().splitlines()
    assert len(rows) == 1 + 31
    assert any(row.startswith("\"'=HYPERLINK") for row in rows)
    xlsx = client.get("/work/notes/?category=visit&export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    values = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(values) == 31 and "'=HYPERLINK(\"http://x\",\"拜访\")" in values


def test_export_needs_its_permission(demo_org, client_for):
    from guanxi.org.models import Role

    role = Role.objects.get(code="salesperson")
    role.permissions = [p for p in role.permissions if p != "workplace.export"]
    role.save()
    assert client_for(demo_org["liuyang"]).get("/work/notes/?export=csv").status_code == 403


def test_form_shows_inline_errors_and_success_toast(demo_org, client_for):
    client = client_for(demo_org["liuyang"])
    bad = client.post("/work/notes/new/", {"title": "", "category": "nope"})
    html = bad.content.decode()
    assert bad.status_code == 200 and html.count('class="field-error"') == 2
    assert not Note.objects.filter(owner=demo_org["liuyang"], category="nope").exists()
    good = client.post("/work/notes/new/", {"title": "新笔记", "category": "idea"}, follow=True)
    assert "toast-success" in good.content.decode()


def test_detail_history_tab_and_delete_restore(demo_org, client_for):
    """CUS-10 groundwork: every change is in the history; deleted records can be restored."""
    user = demo_org["liuyang"]
    client = client_for(user)
    note = note_create(actor=user, title="第一版")
    client.post(f"/work/notes/{note.pk}/edit/", {"title": "第二版", "category": "general", "body": ""})
    history = client.get(f"/work/notes/{note.pk}/?tab=history", HTTP_HX_REQUEST="true").content.decode()
    assert "第一版" in history and "第二版" in history and user.display_name in history
    detail = client.get(f"/work/notes/{note.pk}/").content.decode()
    assert 'data-confirm="' in detail  # delete asks first
    client.post(f"/work/notes/{note.pk}/delete/")
    assert client.get(f"/work/notes/{note.pk}/").status_code == 404
    manager = client_for(demo_org["wangjianguo"])
    bin_html = manager.get("/system/recycle-bin/").content.decode()
    assert "第二版" in bin_html
    manager.post(f"/system/recycle-bin/workplace.note/{note.pk}/restore/")
    assert client.get(f"/work/notes/{note.pk}/").status_code == 200


def test_recycle_bin_uses_the_same_scopes(demo_org, client_for):
    """SECURITY (restore without permission): another branch's deleted record is not found."""
    from guanxi.workplace.services import note_delete

    user = demo_org["zhuwei"]
    note = note_create(actor=user, title="北京的笔记")
    note_delete(actor=user, note=note)
    shanghai = client_for(demo_org["songtao"])
    assert "北京的笔记" not in shanghai.get("/system/recycle-bin/").content.decode()
    assert shanghai.post(f"/system/recycle-bin/workplace.note/{note.pk}/restore/").status_code == 404
    assert Note.all_objects.get(pk=note.pk).deleted_at is not None
    assert shanghai.post(f"/system/recycle-bin/workplace.note/{note.pk}/purge/").status_code == 403


def test_global_audit_view(demo_org, client_for):
    note_create(actor=demo_org["liuyang"], title="审计我")
    html = client_for(demo_org["zhaolei"]).get("/system/audit/?q=审计我").content.decode()
    assert "审计我" in html and "刘洋" in html


def test_global_search_is_scoped(demo_org, client_for):
    note_create(actor=demo_org["zhuwei"], title="北京独家线索")
    assert "北京独家线索" in client_for(demo_org["majun"]).get("/search/?q=独家").content.decode()
    assert "北京独家线索" not in client_for(demo_org["songtao"]).get("/search/?q=独家").content.decode()


def test_out_of_scope_detail_is_404_not_403(demo_org, client_for):
    note = note_create(actor=demo_org["zhuwei"], title="x")
    client = client_for(demo_org["liuyang"])
    for path in (f"/work/notes/{note.pk}/", f"/work/notes/{note.pk}/edit/"):
        assert client.get(path).status_code == 404
    assert client.post(f"/work/notes/{note.pk}/delete/").status_code == 404
    assert Note.objects.filter(pk=note.pk).exists()


def test_csrf_is_enforced_on_state_changes(demo_org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(demo_org["liuyang"])
    response = client.post("/work/notes/new/", {"title": "x", "category": "general"})
    assert response.status_code == 403
    assert not Note.objects.filter(title="x", owner=demo_org["liuyang"]).exists()


def test_list_page_query_count_is_flat(many_notes, client_for, django_assert_max_num_queries):
    """No N+1: the notes list costs the same with 25 rows as with 1."""
    client = client_for(many_notes)
    client.get("/work/notes/")
    with django_assert_max_num_queries(14):
        client.get("/work/notes/")


def test_oversized_form_post_is_a_clear_error_and_changes_nothing(demo_org, client_for, settings):
    client = client_for(demo_org["liuyang"])
    response = client.post("/work/notes/new/", {"title": "大", "body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "too large" in response.content.decode()
    assert not Note.objects.filter(title="大").exists()
