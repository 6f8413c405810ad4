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


def _number(value):
    """Short axis labels: 12.5万 / 1.2亿 in Chinese, 125k / 1.2M otherwise."""
    from django.utils import translation

    value = float(value)
    chinese = not (translation.get_language() or "").startswith("en")
    steps = [(1e8, "亿"), (1e4, "万")] if chinese else [(1e9, "B"), (1e6, "M"), (1e3, "k")]
    for size, suffix in steps:
        if abs(value) >= size:
            return f"{value / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{value:.0f}"


def funnel_chart(labels, values, notes=None, *, width=640, row_height=34, title=""):
    """A funnel: one centred band per stage, as wide as its value, narrowing downwards."""
    if not labels:
        return ""
    notes = notes or [""] * len(labels)
    peak = max(values) or 1
    label_width, note_width = 120, 170
    plot = width - label_width - note_width
    height = len(labels) * row_height + 4
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    centre = label_width + plot / 2
    widths = [max(plot * v / peak, 2) for v in values]
    for row, (label, value, note) in enumerate(zip(labels, values, notes, strict=True)):
        top = 2 + row * row_height
        bottom = top + row_height - 4
        upper = widths[row]
        lower = widths[row + 1] if row + 1 < len(widths) else upper * 0.85
        color = PALETTE[row % len(PALETTE)]
        points = (f"{centre - upper / 2:.1f},{top} {centre + upper / 2:.1f},{top} "
                  f"{centre + lower / 2:.1f},{bottom} {centre - lower / 2:.1f},{bottom}")
        parts.append(f'<polygon points="{points}" fill="{color}" opacity="0.85">'
                     f'<title>{escape(label)}: {value}</title></polygon>')
        parts.append(f'<text x="{centre:.1f}" y="{top + row_height * 0.6:.1f}" font-size="12" '
                     f'text-anchor="middle" fill="#fff">{value}</text>')
        parts.append(f'<text x="{label_width - 6}" y="{top + row_height * 0.6:.1f}" font-size="12" '
                     f'text-anchor="end">{escape(str(label)[:14])}</text>')
        parts.append(f'<text x="{label_width + plot + 8}" y="{top + row_height * 0.6:.1f}" font-size="12">'
                     f'{escape(note)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above


def column_chart(labels, series, *, lines=(), width=720, height=260, title=""):
    """Vertical bars per label (``series``: [(name, values)], side by side) with optional
    ``lines`` ([(name, values)], None for a gap) over the same axis."""
    if not labels:
        return ""
    left, bottom, top = 56, 36, 28
    plot_w, plot_h = width - left - 10, height - bottom - top
    every = [float(v) for _n, values in [*series, *lines] for v in values if v is not None]
    peak = max(every, default=0) or 1
    slot = plot_w / len(labels)
    bar = slot * 0.8 / max(len(series), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
             f'width="100%" role="img" aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    for step in range(5):
        value = peak * step / 4
        y = top + plot_h - plot_h * step / 4
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de" '
                     f'stroke-width="0.5"/><text x="{left - 4}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{_number(value)}</text>')
    x = left
    for index, (name, _values) in enumerate([*series, *lines]):
        color = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{x}" y="8" width="10" height="10" fill="{color}"/>'
                     f'<text x="{x + 14}" y="17" font-size="11">{escape(name)}</text>')
        x += 30 + 12 * len(str(name))
    for column, label in enumerate(labels):
        x0 = left + column * slot + slot * 0.1
        for index, (name, values) in enumerate(series):
            value = float(values[column] or 0)
            h = plot_h * value / peak
            parts.append(f'<rect x="{x0 + index * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[index % len(PALETTE)]}">'
                         f'<title>{escape(label)} {escape(name)}: {values[column]}</title></rect>')
        parts.append(f'<text x="{left + column * slot + slot / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
                     f'text-anchor="middle">{escape(str(label))}</text>')
    for index, (name, values) in enumerate(lines, start=len(series)):
        color = PALETTE[index % len(PALETTE)]
        points = [f"{left + c * slot + slot / 2:.1f},{top + plot_h - plot_h * float(v) / peak:.1f}"
                  for c, v in enumerate(values) if v is not None]
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="2">'
                         f'<title>{escape(name)}</title></polyline>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above
