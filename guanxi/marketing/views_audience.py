"""MKT-1: the target-group page — customers per industry, occupation, age band,
province, value tier and lifecycle stage (chart and table), a cross-tab of two of them,
each figure a link to the customer list filtered to it; Excel export."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.core.charts import bar_chart, heatmap
from guanxi.core.exports import export_response
from guanxi.core.permissions import require

from . import audience
from .forms_capture import AudienceForm

TOP = 20  # groups drawn in the charts (the table lists all)


@require("marketing.view")
def audience_page(request):
    form = AudienceForm(request.GET or None)
    dimension, cross, filters = form.selection()
    result = audience.analyse(request.user, dimension, filters)
    crosstab = audience.cross_tab(request.user, dimension, cross, filters) if cross else None
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and request.user.has_module_perm("marketing.export"):
        return _export(fmt, result, crosstab)
    top = result.groups[:TOP]
    labels = [g.label for g in top]
    customers_url = reverse("customers:customer_list") if request.user.has_module_perm("customers.view") else ""
    return render(request, "marketing/audience.html", {
        "form": form, "result": result, "dimensions": audience.DIMENSIONS, "dimension": dimension,
        "count_chart": bar_chart(labels, [(_("Customers"), [g.customers for g in top])],
                                 title=_("Customers per group")) if top else "",
        "sales_chart": bar_chart(labels, [(_("Sales, last 12 months"), [g.sales for g in top])],
                                 title=_("Sales of the last 12 months per group"), money=True)
        if any(g.sales for g in top) else "",
        "crosstab": crosstab,
        "crosstab_rows": list(zip([label for _k, label in crosstab.row_keys], crosstab.matrix(), strict=True))
        if crosstab else [],
        "crosstab_chart": heatmap([label for _k, label in crosstab.row_keys],
                                  [label for _k, label in crosstab.column_keys], crosstab.matrix(), suffix="",
                                  title=_("Customers")) if crosstab and crosstab.cells else "",
        "customers_url": customers_url,
        "can_export": request.user.has_module_perm("marketing.export"),
        "query_without_dimension": _query_without(request, "dimension"),
    })


def _query_without(request, name):
    query = request.GET.copy()
    for key in (name, "export"):
        query.pop(key, None)
    return query.urlencode()


def _export(fmt, result, crosstab):
    if crosstab is not None:
        headers = [f"{crosstab.rows.label} \\ {crosstab.columns.label}", *[label for _k, label in crosstab.column_keys]]
        rows = [[label, *[crosstab.cells.get((key, column), 0) for column, _l in crosstab.column_keys]]
                for key, label in crosstab.row_keys]
        return export_response(fmt, headers, rows, f"target-groups-{crosstab.rows.code}-{crosstab.columns.code}",
                               str(_("Target groups")))
    headers = [str(result.dimension.label), _("Customers"), _("Share (%)"), _("Sales, last 12 months")]
    rows = [[g.label, g.customers, g.share, g.sales] for g in result.groups]
    return export_response(fmt, headers, rows, f"target-groups-{result.dimension.code}", str(_("Target groups")))
