"""Industry news and competitor intelligence (WRK-3, WRK-4) and the lost-to-competitor
analysis (ANA-12)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from guanxi.analytics.competition import CompetitionReport
from guanxi.core import picklists
from guanxi.core.errors import Forbidden, NotFound, ValidationFailed
from guanxi.core.periods import Period
from guanxi.customers.services import customer_create
from guanxi.testing.sales import opportunity_through
from guanxi.workplace import news, selectors
from guanxi.workplace.models import NewsItem, NewsKind, NewsTag

pytestmark = pytest.mark.django_db


def test_staff_post_tagged_news_read_at_every_level(org):
    """WRK-3: a salesperson's news is read by everyone, from the chairman to a colleague
    in another branch; tags are trimmed and shared."""
    item = news.news_create(actor=org["liuyang"], title="华南工业显示器需求增长", body="需求增长 18%",
                            tags="市场, 华南，#市场", source="行业协会", source_url="https://example.cn/n/1")
    assert sorted(t.name for t in item.tags.all()) == ["华南", "市场"]
    for username in ("chenzhiqiang", "zhuwei", "xuting", "liuyang"):
        assert selectors.news_visible_to(org[username]).filter(pk=item.pk).exists()


def test_branch_news_stays_in_the_branch(org):
    item = news.news_create(actor=org["zhuwei"], title="北京展会", visibility="branch")
    assert selectors.news_visible_to(org["hejing"]).filter(pk=item.pk).exists()
    assert not selectors.news_visible_to(org["liuyang"]).filter(pk=item.pk).exists()
    assert selectors.news_visible_to(org["chenzhiqiang"]).filter(pk=item.pk).exists()


@pytest.mark.parametrize("data, field", [
    ({"source_url": "javascript:alert(1)"}, "source_url"),
    ({"source_url": "ftp://example.cn"}, "source_url"),
    ({"currency": "人民币"}, "currency"),
    ({"tags": [f"t{n}" for n in range(11)]}, "tags"),
    ({"kind": "competitor"}, "competitor"),
])
def test_bad_news_is_refused_and_nothing_saved(org, data, field):
    with pytest.raises(ValidationFailed) as error:
        news.news_create(actor=org["liuyang"], title="x", **data)
    assert error.value.errors[0]["field"] == field
    assert not NewsItem.all_objects.exists() and not NewsTag.objects.exists()


def test_news_text_is_sanitized(org):
    """SECURITY (stored XSS): the body keeps formatting and loses scripts."""
    item = news.news_create(actor=org["liuyang"], title="<b>标题</b>", body='<p>好</p><script>x</script><a href="javascript:x">a</a>')
    assert item.body == "<p>好</p><a rel=\"noopener noreferrer nofollow\">a</a>"
    assert item.title == "<b>标题</b>"  # titles are text, escaped when shown


def test_intelligence_names_a_competitor(org, competitor, customer):
    """WRK-4: intelligence records a competitor's product and price; only competitors qualify."""
    item = news.news_create(actor=org["liuyang"], kind=NewsKind.COMPETITOR, competitor=competitor,
                            intel_type="price", title="宏图降价", product="DS100", price="2399.5")
    assert item.price == Decimal("2399.50") and item.currency == "CNY"
    with pytest.raises(ValidationFailed) as error:
        news.news_create(actor=org["liuyang"], kind=NewsKind.COMPETITOR, competitor=customer, title="不是对手")
    assert error.value.errors[0]["field"] == "competitor"


def test_industry_news_drops_competitor_fields(org, competitor):
    item = news.news_create(actor=org["liuyang"], title="行业", competitor=competitor, price="10", product="p")
    assert (item.competitor, item.price, item.product, item.intel_type) == (None, None, "", "")


def test_only_the_author_or_their_manager_changes_news(org):
    """WRK-3: everyone reads; a colleague may not edit (nothing changes); the manager may."""
    item = news.news_create(actor=org["liuyang"], title="原标题")
    with pytest.raises(Forbidden):
        news.news_update(actor=org["zhuwei"], item=item, title="改")
    with pytest.raises(Forbidden):
        news.news_delete(actor=org["liyang"], item=item)
    item.refresh_from_db()
    assert item.title == "原标题" and item.deleted_at is None
    news.news_update(actor=org["wangjianguo"], item=item, title="新标题", tags=["政策"])
    item.refresh_from_db()
    assert item.title == "新标题" and [t.name for t in item.tags.all()] == ["政策"]


def test_news_goes_to_the_recycle_bin_and_back(org):
    item = news.news_create(actor=org["liuyang"], title="旧闻")
    news.news_delete(actor=org["liuyang"], item=item)
    assert not selectors.news_visible_to(org["chenzhiqiang"]).filter(pk=item.pk).exists()
    assert selectors.news_deleted_visible_to(org["wangjianguo"]).filter(pk=item.pk).exists()
    news.news_restore(actor=org["wangjianguo"], item=item)
    assert selectors.news_visible_to(org["zhuwei"]).filter(pk=item.pk).exists()


def test_the_feed_filters_by_tag_and_searches(org, client_for):
    news.news_create(actor=org["liuyang"], title="政策新闻", tags=["政策"])
    news.news_create(actor=org["liuyang"], title="市场新闻", tags=["市场"])
    client = client_for(org["zhuwei"])
    html = client.get("/work/news/", {"tag": "政策"}).content.decode()
    assert "政策新闻" in html and "市场新闻" not in html
    assert "市场新闻" in client.get("/work/news/", {"q": "市场"}).content.decode()


def test_news_pages_render_and_refuse_xss(org, client_for):
    item = news.news_create(actor=org["liuyang"], title="<script>alert(1)</script>", body="<p>正文</p>",
                            source_url="https://example.cn")
    for url in ("/work/news/", item.get_absolute_url()):
        html = client_for(org["zhuwei"]).get(url).content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_posting_news_through_the_page(org, client_for, competitor):
    client = client_for(org["liuyang"])
    assert client.get(f"/work/news/new/?competitor={competitor.pk}").status_code == 200
    response = client.post("/work/news/new/", {"kind": "competitor", "title": "宏图新品", "visibility": "company",
                                               "competitor": competitor.pk, "intel_type": "product",
                                               "product": "X21", "price": "2680", "currency": "CNY",
                                               "tags": "竞争对手"})
    item = NewsItem.objects.get()
    assert response.status_code == 302 and item.competitor == competitor and item.price == Decimal("2680")


def _lost_reason():
    return picklists.items("sales.lost_reason").first()


@pytest.fixture
def deals(org, competitor, customer):
    """Opportunities of liuyang and zhuwei won against and lost to the competitor."""

    reason = _lost_reason()
    beijing = customer_create(actor=org["zhuwei"], name="北京远航物流有限公司")
    lost = opportunity_through(org["liuyang"], customer, [5], amount=Decimal("50000"), lost_reason=reason,
                               competitor=competitor)
    won = opportunity_through(org["liuyang"], customer, [4], amount=Decimal("30000"), competitor=competitor)
    other = opportunity_through(org["zhuwei"], beijing, [5], amount=Decimal("70000"), lost_reason=reason,
                                competitor=competitor)
    plain_loss = opportunity_through(org["liuyang"], customer, [5], amount=Decimal("9000"), lost_reason=reason)
    return {"lost": lost, "won": won, "other": other, "plain": plain_loss}


def test_lost_to_competitor_analysis_equals_a_count_by_hand(org, competitor, deals, today):
    """ANA-12: per competitor, lost and won counts and amounts, win rate and reasons, within
    the viewer's scope; losses without a named competitor count in the total only."""
    period = Period(today.replace(month=1, day=1), today + datetime.timedelta(days=1))
    everyone = CompetitionReport(org["chenzhiqiang"], period=period).run()
    row = everyone.rows[0]
    assert (row.name, row.lost_count, row.lost_amount, row.won_count, row.won_amount) == (
        competitor.name, 2, Decimal("120000"), 1, Decimal("30000"))
    assert row.win_rate == pytest.approx(33.3) and row.reasons[0][1] == 2
    assert (everyone.lost_count, everyone.lost_to_competitors) == (3, 2)
    mine = CompetitionReport(org["liuyang"], period=period).run()
    assert (mine.rows[0].lost_count, mine.rows[0].won_count, mine.lost_count) == (1, 1, 2)
    before = CompetitionReport(org["chenzhiqiang"], period=Period(datetime.date(2000, 1, 1),
                                                                  datetime.date(2000, 2, 1))).run()
    assert before.rows == [] and before.lost_count == 0


def test_competitor_pages(org, client_for, competitor, deals):
    """WRK-4: the list and the profile show intelligence and deals the viewer may see."""
    news.news_create(actor=org["liuyang"], kind=NewsKind.COMPETITOR, competitor=competitor, intel_type="price",
                     title="宏图报价", product="DS100", price="2399")
    client = client_for(org["liuyang"])
    listing = client.get("/work/competitors/").content.decode()
    assert competitor.name in listing
    html = client.get(f"/work/competitors/{competitor.pk}/").content.decode()
    assert "DS100" in html and deals["lost"].name in html
    analysis = client.get("/analytics/competitors/").content.decode()
    assert competitor.name in analysis
    assert client_for(org["zhuwei"]).get(f"/work/competitors/{competitor.pk}/").status_code == 200
    figures = selectors.competitor_figures(org["zhuwei"])[competitor.pk]
    assert (figures["lost"], figures["won"], figures["intel"]) == (1, 0, 1)


def test_only_competitors_have_profiles(org, client_for, customer):
    assert client_for(org["liuyang"]).get(f"/work/competitors/{customer.pk}/").status_code == 404


def test_competitor_list_has_no_n_plus_one(org, client_for):
    client = client_for(org["liuyang"])
    customer_create(actor=org["wangjianguo"], name="对手公司一", category="competitor")
    client.get("/work/competitors/")
    with CaptureQueriesContext(connection) as few:
        client.get("/work/competitors/")
    for n, name in enumerate(["二", "三", "四", "五", "六"]):
        rival = customer_create(actor=org["wangjianguo"], name=f"对手公司{name}", category="competitor")
        news.news_create(actor=org["liuyang"], kind=NewsKind.COMPETITOR, competitor=rival, title=f"情报{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/work/competitors/")
    assert len(many) == len(few)


def test_news_feed_has_no_n_plus_one(org, client_for):
    client = client_for(org["liuyang"])
    news.news_create(actor=org["liuyang"], title="n0", tags=["a"])
    client.get("/work/news/")
    with CaptureQueriesContext(connection) as few:
        client.get("/work/news/")
    for n in range(8):
        news.news_create(actor=org["zhuwei"], title=f"n{n + 1}", tags=["a", f"t{n}"])
    with CaptureQueriesContext(connection) as many:
        client.get("/work/news/")
    assert len(many) == len(few)


def test_out_of_scope_news_is_not_found(org):
    item = news.news_create(actor=org["zhuwei"], title="北京内部", visibility="branch")
    with pytest.raises(NotFound):
        news.news_update(actor=org["liuyang"], item=item, title="x")
    assert timezone.now()
