"""Charts drawn on the server as SVG: no JavaScript, no library, works offline and
under the CSP. ``bar_chart`` returns a safe SVG string for a template."""

from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#b4282d", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#57606a", "#cf222e"]


def bar_chart(labels, series, *, width=640, bar_height=22, title=""):
    """Horizontal stacked bars: ``series`` is [(name, [value per label])]."""
    if not labels:
        return ""
    label_width = 120
    gap = 8
    legend_height = 24 if len(series) > 1 else 0
    height = legend_height + len(labels) * (bar_height + gap) + gap
    totals = [sum(values[i] for _name, values in series) for i in range(len(labels))]
    peak = max(totals) or 1
    plot = width - label_width - 50
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    x = label_width
    for index, (name, _values) in enumerate(series if len(series) > 1 else []):
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="6" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14}" y="15" font-size="11">{escape(name)}</text>')
        x += 24 + 12 * len(str(name))
    for row, label in enumerate(labels):
        y = legend_height + gap + row * (bar_height + gap)
        parts.append(f'<text x="{label_width - 6}" y="{y + bar_height * 0.7}" font-size="12" '
                     f'text-anchor="end">{escape(str(label)[:12])}</text>')
        offset = label_width
        for index, (name, values) in enumerate(series):
            length = plot * values[row] / peak
            if length > 0:
                color = PALETTE[index % len(PALETTE)]
                parts.append(f'<rect x="{offset:.1f}" y="{y}" width="{length:.1f}" height="{bar_height}" '
                             f'fill="{color}"><title>{escape(name)}: {values[row]}</title></rect>')
                offset += length
        parts.append(f'<text x="{offset + 4:.1f}" y="{y + bar_height * 0.7}" font-size="12">{totals[row]}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
