"""The 10C / 7P page (ANA-3, ANA-4): one tab per analysis, each a list of sections
(title, definition, chart, table). The view renders them; the export writes a tab's tables."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.core.charts import bar_chart, heatmap
from guanxi.core.models import PickItem
from guanxi.customers import regions
from guanxi.customers.models import Customer, CustomerKind
from guanxi.marketing.attribution import TouchModel
from guanxi.marketing.selectors.campaigns import campaign_returns
from guanxi.org.models import Branch, User
from guanxi.org.scopes import scoped

from . import measures, tenc

TABS = [
    ("profiling", gettext_lazy("Profiling")), ("persistency", gettext_lazy("Persistency")),
    ("profitability", gettext_lazy("Profitability")), ("performance", gettext_lazy("Performance")),
    ("prospecting", gettext_lazy("Prospecting")), ("promotion", gettext_lazy("Promotion")),
]
TEXT, COUNT, MONEY, PERCENT = "text", "count", "money", "percent"


@dataclass
class Section:
    title: str
    definition: str
    headers: list
    kinds: list
    rows: list
    chart: str = ""
    cells: list = field(default_factory=list)

    def __post_init__(self):
        self.cells = [list(zip(row, self.kinds, strict=True)) for row in self.rows]


def _labels(dimension, keys):
    """Display names of group keys: pick-list items, provinces, customer types, branches, people."""
    keys = [k for k in keys if k not in (None, "")]
    if dimension in ("industry", "source", "level", "category", "channel"):
        names = {item.pk: item.name for item in PickItem.objects.filter(pk__in=keys)}
    elif dimension in ("province", "region"):
        names = {code: regions.name(code) for code in keys}
    elif dimension == "kind":
        names = dict(CustomerKind.choices)
    elif dimension == "branch":
        names = dict(Branch.objects.filter(pk__in=keys).values_list("pk", "name"))
    elif dimension == "owner":
        names = dict(User.objects.filter(pk__in=keys).values_list("pk", "display_name"))
    else:
        names = {}
    return lambda key: str(names.get(key) or _("Not given"))


def _profiling(user, period):
    sections = []
    for dimension, (_path, title) in tenc.PROFILES.items():
        counts = tenc.profile(user, dimension, period)
        total = sum(counts.values())
        label = _labels(dimension, counts)
        ordered = sorted(counts.items(), key=lambda item: -item[1])
        rows = [[label(key), n, tenc.percent(n, total)] for key, n in ordered]
        chart = bar_chart([r[0] for r in rows[:12]], [(_("Customers"), [r[1] for r in rows[:12]])],
                          title=str(title)) if rows else ""
        sections.append(Section(str(title), _(
            "Customers (category \"customer\") in your scope created before the end of the period, by %(what)s.")
            % {"what": str(title).lower()}, [str(title), _("Customers"), _("Share %")], [TEXT, COUNT, PERCENT],
            rows, chart))
    sections[1].definition += " " + _("The size of a customer is not recorded; its type stands in for it.")
    return sections


def _persistency(user, period):
    found = tenc.cohorts(user, period)
    span = max((len(c.rates) for c in found), default=0)
    columns = [_("M%(n)s") % {"n": k} for k in range(span)]
    chart = heatmap([c.month.strftime("%Y-%m") for c in found], columns,
                    [c.rates + [None] * (span - len(c.rates)) for c in found], peak=100,
                    notes=[_("%(n)s customers") % {"n": c.size} for c in found],
                    title=_("Retention by cohort of first-order month")) if found else ""
    rows = [[c.month.strftime("%Y-%m"), c.size, *(c.rates + [None] * (span - len(c.rates)))] for c in found]
    cohort = Section(_("Retention by cohort"), _(
        "A cohort is the customers whose first counted order (confirmed, shipped or completed) falls in a month of "
        "the period. M0 is that month (100 %); Mk is the share of the cohort who ordered again k months later."),
        [_("Cohort"), _("Customers"), *columns], [TEXT, COUNT, *[PERCENT] * span], rows, chart)
    return [cohort, _measure_section(user, period, ("retention_rate", "churn_rate"), "branch")]


def _measure_section(user, period, codes, by):
    """One row per group key with the figures of ``codes`` (the registered measures)."""
    chosen = [measures.get(code) for code in codes]
    chosen = [m for m in chosen if m.visible_to(user)]
    if not chosen:
        return Section("", "", [], [], [])
    totals = [m.total(user, period) for m in chosen]
    split = [m.value(user, period, by) for m in chosen]
    keys = sorted({key for values in split for key in values}, key=str)
    label = _labels(by, keys)
    kinds = {measures.MONEY_UNIT: MONEY, measures.COUNT_UNIT: COUNT, measures.PERCENT_UNIT: PERCENT}
    rows = [[_("Total"), *totals]] + [[label(key), *[values.get(key) for values in split]] for key in keys]
    definition = " ".join(f"{m.label}: {m.definition}" for m in chosen)
    return Section(" · ".join(str(m.label) for m in chosen), definition,
                   [_("Branch") if by == "branch" else _("Name"), *[str(m.label) for m in chosen]],
                   [TEXT, *[kinds[m.unit] for m in chosen]], rows)


def _profitability(user, period):
    if not user.has_module_perm("finance.view"):
        return []
    sections = [_measure_section(user, period, ("gross_margin", "gross_margin_rate"), "branch")]
    for key, dimension, title in (("order__customer_id", "customer", _("Profitability per customer")),
                                  ("order__customer__value_tier", "tier", _("Profitability per value tier")),
                                  ("order__customer__industry_id", "industry", _("Profitability per industry"))):
        found = tenc.profit(user, period, key)
        if dimension == "customer":
            names = dict(scoped_customers(user, found))
            label = lambda k, names=names: names.get(k, "—")  # noqa: E731
        elif dimension == "tier":
            label = lambda k: k or _("Not given")  # noqa: E731
        else:
            label = _labels(dimension, found)
        ordered = sorted(found.values(), key=lambda p: -p.margin)[:50]
        rows = [[label(p.key), p.revenue, p.cost, p.margin, p.margin_rate, p.uncosted] for p in ordered]
        chart = bar_chart([r[0] for r in rows[:12]], [(_("Gross margin"), [r[3] for r in rows[:12]])],
                          title=title, money=True) if rows else ""
        sections.append(Section(title, _(
            "Net revenue without tax of counted order lines, minus their cost at the product's average purchase "
            "price (approximation: purchase orders ordered or received; no stock valuation). Revenue of products "
            "never bought is shown apart, without a cost."),
            [_("Name"), _("Net revenue"), _("Cost"), _("Gross margin"), _("Margin %"), _("Revenue without a cost")],
            [TEXT, MONEY, MONEY, MONEY, PERCENT, MONEY], rows, chart))
    return sections


def scoped_customers(user, keys):
    return scoped(Customer.objects.filter(pk__in=[k for k in keys if k]), user).values_list("pk", "name")


def _performance(user, period):
    sections = []
    for dimension, (_path, title) in tenc.PERFORMANCE.items():
        found = tenc.performance(user, dimension, period)
        label = _labels(dimension, found)
        ordered = sorted(found.items(), key=lambda item: -item[1][1])
        total = sum(sales for _n, sales in found.values())
        rows = [[label(key), n, sales, tenc.percent(sales, total)] for key, (n, sales) in ordered]
        chart = bar_chart([r[0] for r in rows[:12]], [(_("Sales"), [r[2] for r in rows[:12]])], title=str(title),
                          money=True) if rows else ""
        sections.append(Section(str(title), _(
            "Order lines of counted orders dated in the period (tax included), by %(what)s.") % {
            "what": str(title).lower()}, [str(title), _("Orders"), _("Sales"), _("Share %")],
            [TEXT, COUNT, MONEY, PERCENT], rows, chart))
    return sections


def _prospecting(user, period):
    return [_measure_section(user, period, ("acquisition_rate", "first_time_buyers", "acquisition_cost"), "branch")]


def _promotion(user, period):
    """Promotion effect per campaign (MKT-2): response and money under last-touch attribution."""
    found = campaign_returns(user, period, TouchModel.LAST)
    rows = [[r.campaign.name, r.outcomes.leads, r.outcomes.orders, r.outcomes.received, r.cost, r.net, r.roi]
            for r in sorted(found, key=lambda r: -r.outcomes.received)]
    chart = bar_chart([r[0] for r in rows[:12]], [(_("Receipts"), [r[3] for r in rows[:12]]),
                                                  (_("Cost"), [r[4] for r in rows[:12]])],
                      title=_("Promotion effect"), money=True) if rows else ""
    return [Section(_("Promotion effect"), _(
        "Leads, orders and money received in the period, credited to the campaign of the customer's last "
        "campaign touch within the attribution window; cost: approved expenses linked to the campaign. "
        "Campaigns and their first-touch view are under Marketing → Campaign returns."),
        [_("Campaign"), _("Leads"), _("Orders"), _("Receipts"), _("Cost"), _("Return"), _("ROI %")],
        [TEXT, COUNT, COUNT, MONEY, MONEY, MONEY, PERCENT], rows, chart)]


BUILDERS = {"profiling": _profiling, "persistency": _persistency, "profitability": _profitability,
            "performance": _performance, "prospecting": _prospecting, "promotion": _promotion}


def sections(user, tab, period):
    return [s for s in BUILDERS[tab](user, period) if s.title]


def export_rows(found):
    """The tab's tables one after another for a CSV/XLSX export: a title row, headers, rows."""
    rows = []
    for section in found:
        if not section.headers:
            continue
        rows += [[section.title], section.headers, *section.rows, []]
    return rows
