"""Choropleth maps of China's provinces and of a province's cities, drawn on the server as SVG (ANA-6).

The province outlines come from the PyPI package ``pygal-maps-china`` (its ``china.svg``,
installed with Guanxi, read offline; nothing is fetched at run time and the outlines are
not copied into this repository). Each outline is a link to the province's cities, so a
click or Enter on a focused province drills down; its tooltip gives the name and value.
A province's cities come from ``citymaps`` (a registry's data package fetched at install).
"""

import functools
import importlib.resources
import xml.etree.ElementTree as ET  # noqa: S405 - the package's own file, not user input

from django.utils.html import escape
from django.utils.safestring import mark_safe

from guanxi.core.charts import ink, shade

from . import citymaps

SVG_NS = "{http://www.w3.org/2000/svg}"
# ISO 3166-2:CN letters (the package's classes) → GB/T 2260 province codes (customers.regions).
ISO_TO_CODE = {
    "BJ": "11", "TJ": "12", "HE": "13", "SX": "14", "NM": "15", "LN": "21", "JL": "22", "HL": "23", "SH": "31",
    "JS": "32", "ZJ": "33", "AH": "34", "FJ": "35", "JX": "36", "SD": "37", "HA": "41", "HB": "42", "HN": "43",
    "GD": "44", "GX": "45", "HI": "46", "CQ": "50", "SC": "51", "GZ": "52", "YN": "53", "XZ": "54", "SN": "61",
    "GS": "62", "QH": "63", "NX": "64", "XJ": "65", "TW": "71", "HK": "81", "MO": "82",
}
LEGEND_STEPS = 5


@functools.cache
def outlines():
    """``(view box, {province code: path data})`` from the installed package."""
    source = importlib.resources.files("pygal_maps_china").joinpath("china.svg").read_text(encoding="utf-8")
    root = ET.fromstring(source)  # noqa: S314 - a file shipped by an installed package
    found = {}
    for group in root.iter(f"{SVG_NS}g"):
        classes = (group.get("class") or "").split()
        iso = next((c[3:] for c in classes if c.startswith("CN-")), None)
        if iso in ISO_TO_CODE:
            found[ISO_TO_CODE[iso]] = " ".join(path.get("d", "") for path in group.iter(f"{SVG_NS}path"))
    return root.get("viewBox"), found


def china_map(values, names, *, link, fmt=str, title="", selected="", empty_label="—"):
    """``values``: {province code: number or None}; ``names``: {code: display name};
    ``link(code)`` → the address a province opens. Returns a safe SVG string."""
    view_box, paths = outlines()
    shapes = [(code, names.get(code, code), data) for code, data in sorted(paths.items())]
    return choropleth(view_box, shapes, values, link=link, fmt=fmt, title=title, selected=selected,
                      empty_label=empty_label)


def city_map(province, values, names, *, fmt=str, title="", empty_label="—"):
    """The cities of ``province`` coloured by ``values`` ({city code: number or None}), or ""
    when there are no city outlines for it (not installed, or a municipality)."""
    found = citymaps.outlines(province)
    if found is None:
        return ""
    view_box, drawn = found
    shapes = [(code, names.get(code) or name, data) for code, name, data in drawn]
    return choropleth(view_box, shapes, values, link=None, fmt=fmt, title=title, empty_label=empty_label,
                      kind="city")


def choropleth(view_box, shapes, values, *, link, fmt=str, title="", selected="", empty_label="—",
               kind="province"):
    """``shapes``: [(region code or "", name, SVG path data)]; ``link(code)`` the address a
    region opens (None: regions are focusable, not links). Returns a safe SVG string."""
    _x, _y, width, height = (float(v) for v in view_box.split())
    numbers = [float(v) for v in values.values() if v is not None]
    peak = max(numbers, default=0) or 1
    legend_h = 34
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart china-map" viewBox="0 0 {width:.0f} '
             f'{height + legend_h:.0f}" width="100%" role="img" aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for code, name, data in shapes:
        value = values.get(code) if code else None
        label = f"{name}: {fmt(value) if value is not None else '—'}"
        stroke = ' stroke="#0969da" stroke-width="2"' if code and code == selected else \
            ' stroke="#57606a" stroke-width="0.5"'
        shape = f'<path d="{escape(data)}" fill="{shade(value, peak)}"{stroke}><title>{escape(label)}</title></path>'
        if link is not None and code:
            parts.append(f'<a href="{escape(link(code))}" aria-label="{escape(label)}" data-{kind}="{code}">{shape}</a>')
        else:
            parts.append(f'<g tabindex="0" role="img" aria-label="{escape(label)}" data-{kind}="{code}">{shape}</g>')
    step = width / 2 / LEGEND_STEPS
    top = height + 6
    for index in range(LEGEND_STEPS):
        low = peak * index / LEGEND_STEPS
        x = 10 + index * step
        parts.append(f'<rect x="{x:.1f}" y="{top}" width="{step - 2:.1f}" height="12" '
                     f'fill="{shade(low + peak / LEGEND_STEPS, peak)}"/>'
                     f'<text x="{x:.1f}" y="{top + 25}" font-size="10">{escape(fmt(low))}</text>')
    parts.append(f'<text x="{10 + LEGEND_STEPS * step:.1f}" y="{top + 25}" font-size="10">{escape(fmt(peak))}</text>'
                 f'<rect x="{width - 120:.1f}" y="{top}" width="12" height="12" fill="{shade(None, peak)}" '
                 f'stroke="#57606a" stroke-width="0.5"/><text x="{width - 104:.1f}" y="{top + 10}" font-size="10" '
                 f'fill="{ink(None, peak)}">{escape(empty_label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
