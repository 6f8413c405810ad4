"""ANA-3, ANA-4: the 10C / 7P measures page, one tab per analysis, with a period and export."""

from django.shortcuts import render

from guanxi.core.exports import export_response
from guanxi.core.permissions import require

from .forms import PresetPeriodForm
from .tenc_report import TABS, export_rows, sections


class TencForm(PresetPeriodForm):
    default_preset = "last_12_months"


@require("analytics.view")
def tenc(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in dict(TABS) else TABS[0][0]
    form = TencForm(request.GET or None)
    period = form.selected()
    found = sections(request.user, tab, period)
    can_export = request.user.has_module_perm("analytics.export")
    fmt = request.GET.get("export")
    if fmt in ("csv", "xlsx") and can_export:
        return export_response(fmt, [str(dict(TABS)[tab]), str(period)], export_rows(found), f"10c-{tab}")
    return render(request, "analytics/tenc.html", {
        "form": form, "period": period, "tab": tab, "tabs": TABS, "sections": found, "can_export": can_export})
