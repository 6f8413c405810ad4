"""analytics/basket (ANA-5): the stored association rules and suggestions for a set of
products. Rules are statistics over the products of all confirmed orders: they name no
customer, order or amount."""

from ninja import Field, Query, Router, Schema

from guanxi.analytics.basket import rules_within
from guanxi.analytics.clv_models import BasketRule

from ...common import ListParams, Page, page, require_perm
from .clv import SuggestionOut, suggestion_out

router = Router(tags=["analytics"])


class BasketRuleOut(Schema):
    id: int
    antecedent: list[int] = Field(description="product ids")
    consequent: int = Field(alias="consequent_id")
    orders: int
    support: float
    confidence: float
    lift: float


class BasketRulePage(Page):
    items: list[BasketRuleOut]


class RuleParams(ListParams):
    product: int | None = Field(None, description="rules with this product on either side")


@router.get("/analytics/basket/rules", response=BasketRulePage)
def analytics_basket_rules(request, params: Query[RuleParams]):
    """ANA-5: the rules, strongest lift first (``ordering``: lift, confidence, support)."""
    require_perm(request, "analytics.view")
    rules = BasketRule.objects.all()
    if params.product:
        rules = rules.filter(pk__in=BasketRule.objects.filter(items__product_id=params.product).values("pk")) | \
            rules.filter(consequent_id=params.product)
    return page(request, rules, params, sort="-lift", allowed={"lift", "confidence", "support", "id"})


@router.get("/analytics/basket/suggestions", response=list[SuggestionOut])
def analytics_basket_suggestions(request, products: str = Query(..., max_length=2000,
                                                                description="comma-separated product ids")):
    """ANA-5: products often bought together with the given ones (as on the order form)."""
    require_perm(request, "analytics.view")
    ids = [int(p) for p in products.split(",") if p.strip().isdigit()]
    return [suggestion_out("cross", s) for s in rules_within(ids)]
