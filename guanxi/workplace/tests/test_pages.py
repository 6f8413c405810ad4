"""Every daily-work page renders for those who may open it, refuses the others, runs no
inline script and shows stored payloads as text (SECURITY: stored XSS, CSP)."""


import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from guanxi.core.notifications import notify
from guanxi.customers.services import customer_create
from guanxi.org.models import Department
from guanxi.testing.pages import XSS, assert_pages_render_or_refuse
from guanxi.workplace import directives, news, plans

pytestmark = pytest.mark.django_db
PAGES = ["/work/day/", "/work/day/?date=2026-01-05", "/work/plans/", "/work/plans/?status=done&q=x",
         "/work/plans/team/", "/analytics/staff-day/", "/analytics/staff-day/?date=2026-01-05", "/work/directives/",
         "/work/directives/?pending=1", "/work/directives/new/", "/work/news/", "/work/news/?tag=t",
         "/work/news/new/", "/work/competitors/", "/analytics/competitors/",
         "/analytics/competitors/?period=custom&start=2026-01-01&end=2026-02-01", "/work/calendar/",
         "/work/calendar/?who=department&view=day", "/work/calendar/feed/", "/work/notifications/",
         "/work/notifications/?show=unread", "/work/notifications/preferences/", "/work/notifications/bell/",
         "{plan}", "{plan_edit}", "{directive}", "{news}", "{news_edit}", "{competitor}", "{day_of}"]


@pytest.fixture
def world(org, competitor):
    customer = customer_create(actor=org["liuyang"], name=f"客户{XSS}")
    plan = plans.plan_item_create(actor=org["liuyang"], title=f"计划{XSS}", customer=customer, notes=XSS)
    directive = directives.directive_issue(
        actor=org["chenzhiqiang"], title=f"指令{XSS}", body=f"<p>正文</p>{XSS}",
        departments=[Department.objects.get(name="销售部", branch__code="gz")],
        uploads=[SimpleUploadedFile(f"{XSS}.pdf", b"%PDF-1.4\n")])
    item = news.news_create(actor=org["liuyang"], kind="competitor", competitor=competitor, title=f"情报{XSS}",
                            body=XSS, tags=[f"t{XSS}"], product=XSS, source=XSS, source_url="https://example.cn")
    notify(org["liuyang"], kind="finance.due", title=f"通知{XSS}", body=XSS)
    return {"plan": plan.get_absolute_url(), "plan_edit": f"/work/plans/{plan.pk}/edit/",
            "directive": directive.get_absolute_url(), "news": item.get_absolute_url(),
            "news_edit": f"/work/news/{item.pk}/edit/", "competitor": f"/work/competitors/{competitor.pk}/",
            "day_of": f"/work/day/?person={org['liuyang'].pk}"}


@pytest.mark.parametrize("username", ["chenzhiqiang", "wangjianguo", "liuyang", "huangli", "zhuwei", "zhaolei"])
def test_pages_render_or_refuse(world, org, client_for, username):
    assert_pages_render_or_refuse(client_for(org[username]), PAGES, world, username)


def test_who_opens_what(world, org, client_for):
    """ORG-4: the team page for managers, the staff's day for managers and the decision
    tier, issuing directives for the decision tier only."""
    seller, manager, chairman = (client_for(org[u]) for u in ("liuyang", "wangjianguo", "chenzhiqiang"))
    assert [seller.get(u).status_code for u in ("/work/plans/team/", "/analytics/staff-day/", "/work/directives/new/")] == [
        403, 403, 403]
    assert [manager.get(u).status_code for u in ("/work/plans/team/", "/analytics/staff-day/", "/work/directives/new/")] == [
        200, 200, 403]
    assert [chairman.get(u).status_code for u in ("/work/plans/team/", "/analytics/staff-day/", "/work/directives/new/")] == [
        200, 200, 200]
    assert client_for(org["zhuwei"]).get(world["plan"]).status_code == 404
    assert client_for(org["zhuwei"]).get(world["directive"]).status_code == 404
