"""Pages of industry news, competitors and the lost-to-competitor analysis (WRK-3,
WRK-4, ANA-12)."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.core.forms import act, form_page, report_message
from guanxi.core.history import history_for
from guanxi.core.listing import ListPageView
from guanxi.core.permissions import require
from guanxi.org.scopes import scoped

from . import news, selectors
from .forms import NewsForm
from .lists import CompetitorList, NewsList
from .models import IntelType

news_list = ListPageView.as_view(spec=NewsList)
competitor_list = ListPageView.as_view(spec=CompetitorList)


def _news_data(data):
    data = dict(data)
    data["price"] = data.get("price")
    data["currency"] = data.get("currency") or "CNY"
    return data


@require("workplace.view")
def news_detail(request, pk):
    item = selectors.news_get(request.user, pk)
    if request.htmx and request.GET.get("tab") == "history":
        return render(request, "core/_history.html", {"entries": history_for(item)})

    editable = scoped(type(item).objects.filter(pk=item.pk), request.user, extra=False).exists()
    return render(request, "workplace/news_detail.html", {
        "item": item, "record": item, "tab": request.GET.get("tab", "details"),
        "entries": history_for(item) if request.GET.get("tab") == "history" else None,
        "can_edit": editable and request.user.has_module_perm("workplace.edit"),
        "can_delete": editable and request.user.has_module_perm("workplace.delete"),
    })


@require("workplace.create")
def news_create(request):
    initial = {"kind": "industry", "visibility": "company", "currency": "CNY"}
    if request.GET.get("competitor", "").isdigit():
        initial.update(kind="competitor", competitor=int(request.GET["competitor"]))
    form = NewsForm(request.POST or None, user=request.user, initial=initial)
    return form_page(
        request, form, lambda data: news.news_create(actor=request.user, **_news_data(data)),
        title=_("Post news or intelligence"), saved_message=_("Posted."), success_url=lambda item: item,
        cancel_url="workplace:news_list", template="workplace/news_form.html")


@require("workplace.edit")
def news_edit(request, pk):
    item = selectors.news_get(request.user, pk)
    form = NewsForm(request.POST or None, user=request.user, initial=NewsForm.initial_for(item))
    return form_page(
        request, form, lambda data: news.news_update(actor=request.user, item=item, **_news_data(data)),
        title=_("Edit news"), saved_message=_("Saved."), success_url=item, cancel_url=item,
        template="workplace/news_form.html")


@require("workplace.delete")
@require_POST
def news_delete(request, pk):
    item = selectors.news_get(request.user, pk)
    return act(request, lambda: news.news_delete(actor=request.user, item=item), done=_("Moved to the recycle bin."),
               back=item, then="workplace:news_list", report=report_message)


@require("workplace.view")
def competitor_detail(request, pk):
    """WRK-4: what we know of a competitor: products and prices, intelligence, deals."""
    competitor = selectors.competitor_get(request.user, pk)
    intel = list(selectors.news_visible_to(request.user).filter(competitor=competitor).order_by("-published_at")[:50])
    return render(request, "workplace/competitor_detail.html", {
        "competitor": competitor,
        "prices": [i for i in intel if i.intel_type in (IntelType.PRODUCT, IntelType.PRICE) and (i.product or i.price)],
        "intel": intel, "deals": selectors.deals_against(request.user, competitor),
        "figures": selectors.competitor_figures(request.user, [competitor.pk]).get(competitor.pk, {}),
        "can_post": request.user.has_module_perm("workplace.create"),
    })
