"""Knowledge base (SRV-5)."""


import datetime
from typing import ClassVar

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from guanxi.core.errors import ValidationFailed
from guanxi.service import knowledge, selectors, services
from guanxi.service.models import (
    Article,
)

from ...common import (
    InputSchema,
    ListParams,
    Page,
    PickCode,
    fields_named,
    get_or_invalid,
    listing,
    patched,
    pick,
    require_perm,
    with_etag,
)
from ._shared import CATEGORIES
from .flows import get_or_404

router = Router()


# --- knowledge base (SRV-5) --------------------------------------------------------------------
class ArticleOut(Schema):
    id: int
    title: str
    body: str
    category: PickCode = Field(description="pick-list code (service.kb_category)")
    is_published: bool
    author_id: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ArticlePage(Page):
    items: list[ArticleOut]


class ArticleIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=50000)
    category: str | None = Field(None, max_length=40)
    is_published: bool = True
    ticket_ids: list[int] = Field([], max_length=100, description="tickets this article solves (in your scope)")


class ArticlePatch(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = Field(None, min_length=1, max_length=50000)
    category: str | None = Field(None, max_length=40)
    is_published: bool | None = None


class ArticleFilters(ListParams):
    q: str | None = Field(None, max_length=200, description="search (Chinese-aware), best match first")
    category: str | None = Field(None, max_length=40)
    published: bool | None = None

    lookups: ClassVar = {"category": "category__code", "published": "is_published"}
    sorts: ClassVar = {"created_at", "updated_at", "id"}
    sort: ClassVar = "-updated_at"


def _articles(request):
    return selectors.articles(published_only=not request.user.has_module_perm("service.edit"))


def _tickets_named(request, ids):
    visible = selectors.tickets_visible_to(request.user)
    return [get_or_invalid(visible, pk, f"ticket_ids.{index}") for index, pk in enumerate(ids)]


@router.get("/kb-articles", response=ArticlePage)
def article_list(request, params: Query[ArticleFilters]):
    """SRV-5: the knowledge base; with ``q`` the best matches first (no further pages)."""
    require_perm(request, "service.view")
    if not params.q:
        return listing(request, _articles(request), params)
    queryset = _articles(request).filter(**{lookup: getattr(params, name) for name, lookup in params.lookups.items()
                                            if getattr(params, name) is not None})
    limit = params.limit or 20
    if not 1 <= limit <= 200:
        raise ValidationFailed(_("limit must be between 1 and %(max)d.") % {"max": 200}, field="limit")
    ranked = [article.pk for article, _score in knowledge.search(queryset, params.q, limit=limit)]
    found = queryset.in_bulk(ranked)
    return {"items": [found[pk] for pk in ranked if pk in found], "next_cursor": None}


@router.get("/kb-articles/{article_id}", response=ArticleOut)
def article_get(request, article_id: int, response: HttpResponse):
    require_perm(request, "service.view")
    return with_etag(response, ArticleOut.from_orm(get_or_404(_articles(request), article_id)))


@router.post("/kb-articles", response={201: ArticleOut})
def article_create(request, payload: ArticleIn):
    require_perm(request, "service.edit")
    article = services.article_save(actor=request.user, title=payload.title, body=payload.body,
                                    category=pick(CATEGORIES, payload.category, "category"),
                                    is_published=payload.is_published,
                                    tickets=_tickets_named(request, payload.ticket_ids))
    return Status(201, article)


@router.patch("/kb-articles/{article_id}", response=ArticleOut)
def article_update(request, article_id: int, payload: ArticlePatch, response: HttpResponse):
    """SRV-5: change an article; a stale If-Match answers 412 and changes nothing."""
    require_perm(request, "service.edit")
    data = payload.model_dump(exclude_unset=True)
    category = pick(CATEGORIES, data["category"], "category") if "category" in data else None

    def update(article):
        with fields_named({}):
            services.article_save(
                actor=request.user, article=article, title=data.get("title", article.title),
                body=data.get("body", article.body),
                category=category if "category" in data else article.category,
                is_published=data.get("is_published", article.is_published))

    return patched(request, response, queryset=Article.objects.select_related("category"), pk=article_id,
                   out=ArticleOut, update=update)


