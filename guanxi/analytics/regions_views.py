"""ANA-6: the regional analysis page: a choropleth of China per measure, a province's cities,
a forecast per region; CSV/XLSX export of the table."""

from django import forms
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from guanxi.core.amounts import compact_amount
from guanxi.core.exports import export_response
from guanxi.core.permissions import require
from guanxi.customers import regions as divisions

from . import citymaps
from .chinamap import china_map, city_map
from .forms import PresetPeriodForm
from .regions import (
    FORECAST_MONTHS,
    METRICS,
    MONEY_METRICS,
    backtest_summary,
    display_name,
    region_rows,
)


class RegionForm(PresetPeriodForm):
    default_preset = "last_12_months"
    metric = forms.ChoiceField(label=gettext_lazy("Colour by"), choices=list(METRICS.items()), required=False)
    province = forms.ChoiceField(label=gettext_lazy("Province"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", gettext_lazy("All of China")), *divisions.provinces()]


def _fmt(metric):
    if metric in MONEY_METRICS:
        return compact_amount
    if metric == "satisfaction":
        return lambda v: f"{float(v):.0f}%"
    return lambda v: f"{float(v):,.2f}".rstrip("0").rstrip(".")


@require("analytics.view")
def regions(request):
    form = RegionForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period, metric, province = form.selected(), data.get("metric") or "sales", data.get("province") or ""
    language = get_language()
    rows = region_rows(request.user, period, province)
    ordered = sorted(rows.values(), key=lambda r: (-(r.sales or 0), r.code))
    headers = [_("Region"), _("Customers"), _("Sales"), _("Orders"), _("Orders per customer"), _("Average order"),
               _("Service tickets"), _("Surveys answered"), _("Satisfaction rate"),
               *[_("Forecast month %(n)s") % {"n": k} for k in range(1, FORECAST_MONTHS + 1)],
               _("Back-test error (WAPE %)")]
    table = [[display_name(r.code, language), r.customers, r.sales, r.orders, r.orders_per_customer,
              r.average_order, r.tickets, r.answered, r.satisfaction, *r.forecast, r.backtest_error]
             for r in ordered]
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and request.user.has_module_perm("analytics.export"):
        return export_response(fmt, headers, table, f"regions-{province or 'china'}")
    province_rows = rows
    if province:  # the map stays at province level; the chosen province is outlined
        province_rows = region_rows(request.user, period)
    values = {code: row.metric(metric) for code, row in province_rows.items() if code}

    def link(code):
        query = QueryDict(mutable=True)
        query.update({k: v for k, v in request.GET.items() if k not in ("province", "export")})
        query["province"] = code
        return f"?{query.urlencode()}"

    names = {code: display_name(code, language) for code, _name in divisions.provinces()}
    chart = china_map(values, names, link=link, fmt=_fmt(metric), selected=province,
                      title=_("%(metric)s per province") % {"metric": METRICS[metric]}, empty_label=_("No figure"))
    city_chart = ""
    if province:
        city_names = {code: display_name(code, language) for code, _name in divisions.children(province)}
        city_chart = city_map(province, {code: row.metric(metric) for code, row in rows.items() if code}, city_names,
                              fmt=_fmt(metric), empty_label=_("No figure"),
                              title=_("%(metric)s per city") % {"metric": METRICS[metric]})
    return render(request, "analytics/regions.html", {
        "city_chart": city_chart, "city_outlines_missing": bool(province) and not citymaps.installed(),
        "form": form, "period": period, "metric_label": METRICS[metric], "province": province,
        "province_name": display_name(province, language) if province else "", "chart": chart,
        "rows": [(r, display_name(r.code, language), link(r.code) if not province and r.code else "")
                 for r in ordered],
        "forecast_months": range(1, FORECAST_MONTHS + 1), "backtest": backtest_summary(ordered),
        "can_export": request.user.has_module_perm("analytics.export")})
