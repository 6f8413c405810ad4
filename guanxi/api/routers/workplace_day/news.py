"""News (WRK-3) and competitors (WRK-4, ANA-12)."""


import datetime
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.analytics.competition import CompetitionReport
from guanxi.core.errors import ValidationFailed
from guanxi.core.periods import Period
from guanxi.workplace import news, selectors
from guanxi.workplace.models import (
    IntelType,
    NewsKind,
    NewsVisibility,
)

from ...common import (
    InputSchema,
    ListParams,
    Money,
    Page,
    fields_named,
    filtered,
    page,
    patched,
    require_perm,
    resolved,
    searched,
)
from ...routes import delete_route, get_route
from ._shared import MoneyIn

router = Router()


# --- news (WRK-3) and competitors (WRK-4, ANA-12) ---------------------------------------
class NewsOut(Schema):
    id: int
    kind: NewsKind
    title: str
    body: str = Field(description="sanitized HTML")
    source: str
    source_url: str
    tags: list[str]
    visibility: NewsVisibility
    published_at: datetime.datetime
    owner_id: int
    branch_id: int
    competitor_id: int | None
    intel_type: str
    product: str
    price: Money | None
    currency: str

    @staticmethod
    def resolve_tags(obj):
        return sorted(t.name for t in obj.tags.all())


class NewsPage(Page):
    items: list[NewsOut]


class NewsIn(InputSchema):
    kind: NewsKind = NewsKind.INDUSTRY
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field("", max_length=40000, description="HTML (sanitized) or plain text")
    source: str = Field("", max_length=100)
    source_url: str = Field("", max_length=500, description="http(s) only")
    tags: list[str] = Field(default_factory=list, max_length=10)
    visibility: NewsVisibility = NewsVisibility.COMPANY
    competitor_id: int | None = None
    intel_type: IntelType | None = None
    product: str = Field("", max_length=200)
    price: MoneyIn | None = None
    currency: str = Field("CNY", min_length=3, max_length=3)


class NewsPatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, max_length=40000)
    source: str | None = Field(None, max_length=100)
    source_url: str | None = Field(None, max_length=500)
    tags: list[str] | None = Field(None, max_length=10)
    visibility: NewsVisibility | None = None
    intel_type: IntelType | None = None
    product: str | None = Field(None, max_length=200)
    price: MoneyIn | None = None
    currency: str | None = Field(None, min_length=3, max_length=3)


class IntelIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    intel_type: IntelType = IntelType.OTHER
    body: str = Field("", max_length=40000)
    product: str = Field("", max_length=200)
    price: MoneyIn | None = None
    currency: str = Field("CNY", min_length=3, max_length=3)
    source: str = Field("", max_length=100)
    source_url: str = Field("", max_length=500)
    tags: list[str] = Field(default_factory=list, max_length=10)
    visibility: NewsVisibility = NewsVisibility.COMPANY


class NewsFilters(ListParams):
    kind: NewsKind | None = None
    tag: str | None = Field(None, max_length=30)
    competitor_id: int | None = None
    intel_type: IntelType | None = None


def _news_data(request, data):
    resolved(data, competitor=selectors.competitors_visible_to(request.user))
    if data.get("intel_type") is None and "intel_type" in data:
        data["intel_type"] = ""
    return data


@router.get("/news", response=NewsPage)
def news_list(request, params: Query[NewsFilters]):
    """WRK-3: the tagged feed of industry news and competitor intelligence."""
    require_perm(request, "workplace.view")
    queryset = selectors.news_visible_to(request.user)
    if params.q:
        queryset = selectors.news_search(queryset, params.q)
    if params.tag:
        queryset = queryset.filter(pk__in=queryset.model.tags.through.objects.filter(
            newstag__name=params.tag).values("newsitem_id"))
    queryset = filtered(queryset, kind=params.kind, competitor_id=params.competitor_id, intel_type=params.intel_type)
    return page(request, queryset, params, sort="-published_at", allowed={"published_at", "id", "title"})


get_route(router, "/news", name="news", perm="workplace.view", out=NewsOut, get=selectors.news_get, etag=True)


@router.post("/news", response={201: NewsOut})
def news_create(request, payload: NewsIn):
    require_perm(request, "workplace.create")
    data = _news_data(request, payload.model_dump())
    with fields_named({"competitor": "competitor_id"}):
        return Status(201, news.news_create(actor=request.user, **data))


@router.patch("/news/{news_id}", response=NewsOut)
def news_update(request, news_id: int, payload: NewsPatch, response: HttpResponse):
    """Change a news item (its author, or a manager over the author); honours If-Match."""
    require_perm(request, "workplace.edit")
    data = _news_data(request, payload.model_dump(exclude_unset=True))
    return patched(request, response, queryset=selectors.news_visible_to(request.user), pk=news_id, out=NewsOut,
                    update=lambda item: news.news_update(actor=request.user, item=item, **data))


delete_route(router, "/news", name="news", perm="workplace.delete", get=selectors.news_get, delete=news.news_delete,
             kind="item", doc="Move a news item to the recycle bin.")


class CompetitorOut(Schema):
    id: int
    name: str
    intel_count: int
    won_count: int = Field(description="opportunities won against them that the caller may see")
    lost_count: int = Field(description="opportunities lost to them that the caller may see")


class CompetitorPage(Page):
    items: list[CompetitorOut]


class CompetitorDetail(CompetitorOut):
    won_amount: Money
    lost_amount: Money
    products: list[NewsOut] = Field(description="product and price intelligence, newest first")


class AnalysisRow(Schema):
    competitor_id: int
    name: str
    lost_count: int
    lost_amount: Money
    won_count: int
    won_amount: Money
    win_rate: float | None
    reasons: list[tuple[str, int]]


class AnalysisOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    lost_count: int
    lost_amount: Money
    lost_to_competitors: int
    rows: list[AnalysisRow]


class AnalysisParams(Schema):
    date_from: datetime.date | None = Field(None, description="default: 1 January this year")
    date_to: datetime.date | None = Field(None, description="inclusive; default: today")


@router.get("/competitors", response=CompetitorPage)
def competitor_list(request, params: Query[ListParams]):
    """WRK-4: competitors (customers of category competitor) with the caller's figures."""
    require_perm(request, "workplace.view")
    queryset = searched(selectors.competitors_with_figures(request.user), params.q, "name__icontains")
    return page(request, queryset, params, sort="name", allowed={"name", "id"})


@router.get("/competitors/analysis", response=AnalysisOut)
def competitor_analysis(request, params: Query[AnalysisParams]):
    """ANA-12: opportunities closed in the period, lost to and won against each competitor."""

    require_perm(request, "workplace.view")
    today = timezone.localdate()
    start = params.date_from or datetime.date(today.year, 1, 1)
    end = params.date_to or today
    if end < start:
        raise ValidationFailed(_("The period ends before it starts."), field="date_to")
    if (end - start).days > 3660:
        raise ValidationFailed(_("Choose a period of at most ten years."), field="date_from")
    result = CompetitionReport(request.user, period=Period(start, end + datetime.timedelta(days=1))).run()
    return {"date_from": start, "date_to": end, "lost_count": result.lost_count, "lost_amount": result.lost_amount,
            "lost_to_competitors": result.lost_to_competitors,
            "rows": [{**row.__dict__, "win_rate": row.win_rate} for row in result.rows]}


@router.get("/competitors/{competitor_id}", response=CompetitorDetail)
def competitor_get(request, competitor_id: int):
    require_perm(request, "workplace.view")
    competitor = selectors.competitors_with_figures(request.user).filter(pk=competitor_id).first()
    if competitor is None:
        raise Http404
    figures = selectors.competitor_figures(request.user, [competitor.pk]).get(competitor.pk, {})
    competitor.won_amount = Decimal(figures.get("won_amount") or 0)
    competitor.lost_amount = Decimal(figures.get("lost_amount") or 0)
    competitor.products = list(selectors.news_visible_to(request.user).filter(
        competitor=competitor, intel_type__in=[IntelType.PRODUCT, IntelType.PRICE]).order_by("-published_at")[:50])
    return competitor


@router.post("/competitors/{competitor_id}/intel", response={201: NewsOut})
def competitor_intel(request, competitor_id: int, payload: IntelIn):
    """WRK-4: record intelligence on a competitor (a product, a price, a deal, …)."""
    require_perm(request, "workplace.create")
    competitor = selectors.competitor_get(request.user, competitor_id)
    return Status(201, news.news_create(actor=request.user, kind=NewsKind.COMPETITOR, competitor=competitor,
                                        **payload.model_dump()))


