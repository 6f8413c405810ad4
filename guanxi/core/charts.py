"""Charts drawn on the server as SVG: no JavaScript, no library, works offline and
under the CSP. Each function returns a safe SVG string for a template.

Amounts are shown as ¥1,234,567.89 (¥123.46万 in Chinese, see ``core.amounts``); bars of
different measures stand side by side unless ``stacked`` says they are parts of one
whole; labels that do not fit are shortened with "…" (the full text is the tooltip) or
turned, and the margins grow to hold the widest value, so nothing overlaps or is cut.
"""

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .amounts import compact_amount

PALETTE = ["#b4282d", "#0969da", "#1a7f37", "#9a6700", "#8250df", "#bf3989", "#57606a", "#cf222e"]
FONT = 12
MAX_LABEL = 170


def chart_amount(value):
    """Return an amount as a chart shows it (¥1,234,567.89; ¥123.46万 in Chinese)."""
    return compact_amount(value)


def _text_width(text, size=FONT):
    """Estimate the drawn width: CJK characters are square, Latin about 0.6 em."""
    return sum(size if ord(char) > 0x2E80 else size * 0.6 for char in str(text))


def _fit(text, room, size=FONT):
    """Shorten ``text`` with "…" so it fits ``room`` pixels."""
    text = str(text)
    if _text_width(text, size) <= room:
        return text
    while text and _text_width(text + "…", size) > room:
        text = text[:-1]
    return text + "…"


def _formatter(money):
    if money:
        return chart_amount

    def number(value):
        value = float(value or 0)
        return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"

    return number


def _tick_formatter(money):
    """Axis ticks are round: ¥1,250,000 (¥125万 in Chinese), never ¥1,250,000.00."""
    if not money:
        return _formatter(False)

    def tick(value):
        return compact_amount(round(value)).replace(".00", "")

    return tick


def _open(width, height, title):
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="100%" role="img" aria-label="{escape(title)}">']
    if title:
        parts.append(f"<title>{escape(title)}</title>")
    return parts


def _legend(parts, names, left, right, top):
    """Draw the legend from ``left``, wrapping to a new line at ``right``; return its height."""
    if len(names) < 2:
        return 0
    x, y = left, top
    for index, name in enumerate(names):
        step = 24 + _text_width(name, 11)
        if x + step > right and x > left:
            x, y = left, y + 16
        parts.append(f'<rect x="{x:.1f}" y="{y}" width="10" height="10" fill="{PALETTE[index % len(PALETTE)]}"/>'
                     f'<text x="{x + 14:.1f}" y="{y + 9}" font-size="11">{escape(name)}</text>')
        x += step
    return y - top + 20


def _label(parts, text, x, y, room, anchor="end", extra=""):
    shown = _fit(text, room)
    parts.append(f'<text x="{x:.1f}" y="{y:.1f}" font-size="{FONT}" text-anchor="{anchor}"{extra}>'
                 f"<title>{escape(str(text))}</title>{escape(shown)}</text>")


def bar_chart(labels, series, *, width=640, bar_height=22, title="", money=False, stacked=False):
    """Horizontal bars: ``series`` is [(name, [value per label])].

    Several series are grouped (one thinner bar each, side by side); ``stacked`` adds
    them into one bar only when they are parts of the same whole (ageing buckets).
    """
    if not labels:
        return ""
    fmt = _formatter(money)
    gap = 8
    label_width = min(max(_text_width(label) for label in labels) + 16, MAX_LABEL)
    if stacked:
        ends = [sum(float(values[i] or 0) for _n, values in series) for i in range(len(labels))]
        value_texts = [fmt(sum((values[i] or 0) for _n, values in series)) for i in range(len(labels))]
    else:
        ends = [float(v or 0) for _n, values in series for v in values]
        value_texts = [fmt(v) for _n, values in series for v in values]
    value_width = max(_text_width(text) for text in value_texts) + 10
    plot = max(width - label_width - value_width - 8, 60)
    peak = max(ends, default=0) or 1
    parts = []
    legend = _legend(parts, [str(name) for name, _v in series], label_width, width - 4, 6)
    lanes = 1 if stacked else len(series)
    lane = bar_height if lanes == 1 else max(bar_height * 1.6 / lanes, 8)
    row_height = lane * lanes
    height = legend + gap + len(labels) * (row_height + gap) + 4
    for row, label in enumerate(labels):
        y = legend + gap + row * (row_height + gap)
        _label(parts, label, label_width - 6, y + row_height / 2 + 4, label_width - 10)
        offset = label_width
        for index, (name, values) in enumerate(series):
            value = values[row] or 0
            length = plot * float(value) / peak
            top = y if stacked else y + index * lane
            color = PALETTE[index % len(PALETTE)]
            if length > 0:
                parts.append(f'<rect x="{offset:.1f}" y="{top:.1f}" width="{length:.1f}" height="{lane:.1f}" '
                             f'fill="{color}"><title>{escape(str(label))} {escape(str(name))}: '
                             f"{escape(fmt(value))}</title></rect>")
            if stacked:
                offset += max(length, 0)
            elif value:  # a row of zeros stays quiet: no "¥0.00" beside nothing
                parts.append(f'<text x="{label_width + max(length, 0) + 4:.1f}" y="{top + lane * 0.75:.1f}" '
                             f'font-size="{min(FONT, lane)}">{escape(fmt(value))}</text>')
        if stacked:
            parts.append(f'<text x="{offset + 4:.1f}" y="{y + row_height * 0.7:.1f}" font-size="{FONT}">'
                         f"{escape(value_texts[row])}</text>")
    return _close(_open(width, height, title) + parts)


def _close(parts):
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text inside is escaped above


def funnel_chart(labels, values, notes=None, *, width=640, row_height=34, title=""):
    """A funnel: one centred band per stage, as wide as its value, narrowing downwards."""
    if not labels:
        return ""
    notes = notes or [""] * len(labels)
    peak = max(values) or 1
    label_width = min(max(_text_width(label) for label in labels) + 10, MAX_LABEL)
    note_width = min(max((_text_width(note) for note in notes), default=0) + 12, 220)
    plot = width - label_width - note_width
    height = len(labels) * row_height + 4
    parts = _open(width, height, title)
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
        # A narrow band cannot hold its number in white: write it beside the band instead.
        inside = _text_width(value) + 6 < upper
        parts.append(f'<text x="{centre if inside else centre + upper / 2 + 4:.1f}" '
                     f'y="{top + row_height * 0.6:.1f}" font-size="{FONT}" '
                     f'text-anchor="{"middle" if inside else "start"}" fill="{"#fff" if inside else "#24292f"}">'
                     f"{value}</text>")
        _label(parts, label, label_width - 6, top + row_height * 0.6, label_width - 10)
        _label(parts, note, label_width + plot + 8, top + row_height * 0.6, note_width - 12, anchor="start")
    return _close(parts)


def column_chart(labels, series, *, lines=(), width=720, height=260, title="", money=True):
    """Vertical bars per label (``series``: [(name, values)], side by side) with optional
    ``lines`` ([(name, values)], None for a gap) over the same axis."""
    if not labels:
        return ""
    fmt = _formatter(money)
    tick_text = _tick_formatter(money)
    every = [float(v) for _n, values in [*series, *lines] for v in values if v is not None]
    peak = max(every, default=0) or 1
    ticks = [peak * step / 4 for step in range(5)]
    left = max(_text_width(tick_text(tick), 10) for tick in ticks) + 10
    top = 10
    parts = []
    legend = _legend(parts, [str(name) for name, _v in [*series, *lines]], left, width - 10, 8)
    top += legend
    slot = (width - left - 10) / len(labels)
    widest = max(_text_width(label, 10) for label in labels)
    rotate = widest > slot - 4
    # Turned 45°, a label needs about 0.71 of its width below the axis.
    bottom = (min(widest, 120) * 0.71 + 16) if rotate else 24
    height += bottom - 24 + legend  # the plot keeps its height; the drawing grows
    plot_h = height - bottom - top
    bar = slot * 0.8 / max(len(series), 1)
    for tick in ticks:
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de" '
                     f'stroke-width="0.5"/><text x="{left - 4:.1f}" y="{y + 4:.1f}" font-size="10" '
                     f'text-anchor="end">{escape(tick_text(tick))}</text>')
    for column, label in enumerate(labels):
        x0 = left + column * slot + slot * 0.1
        for index, (name, values) in enumerate(series):
            value = float(values[column] or 0)
            h = plot_h * value / peak
            parts.append(f'<rect x="{x0 + index * bar:.1f}" y="{top + plot_h - h:.1f}" width="{bar:.1f}" '
                         f'height="{h:.1f}" fill="{PALETTE[index % len(PALETTE)]}">'
                         f'<title>{escape(label)} {escape(name)}: {escape(fmt(values[column] or 0))}</title></rect>')
        cx, cy = left + column * slot + slot / 2, top + plot_h + 14
        if rotate:
            shown = _fit(label, 120, 10)
            parts.append(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="10" text-anchor="end" '
                         f'transform="rotate(-45 {cx:.1f} {cy:.1f})"><title>{escape(str(label))}</title>'
                         f"{escape(shown)}</text>")
        else:
            parts.append(f'<text x="{cx:.1f}" y="{cy:.1f}" font-size="10" text-anchor="middle">'
                         f"{escape(str(label))}</text>")
    for index, (name, values) in enumerate(lines, start=len(series)):
        color = PALETTE[index % len(PALETTE)]
        points = [f"{left + c * slot + slot / 2:.1f},{top + plot_h - plot_h * float(v) / peak:.1f}"
                  for c, v in enumerate(values) if v is not None]
        if points:
            parts.append(f'<polyline points="{" ".join(points)}" fill="none" stroke="{color}" stroke-width="2">'
                         f'<title>{escape(name)}</title></polyline>')
    return _close(_open(width, height, title) + parts)


def shade(value, peak, base=(180, 40, 45)):
    """A colour from near white (0) to ``base`` (``peak``) for heat-maps and choropleths."""
    if value is None:
        return "#f6f8fa"
    share = max(0.0, min(float(value) / float(peak or 1), 1.0))
    red, green, blue = (round(255 - (255 - part) * (0.08 + 0.92 * share)) for part in base)
    return f"#{red:02x}{green:02x}{blue:02x}"


def ink(value, peak):
    """Text colour readable on ``shade(value, peak)``."""
    return "#ffffff" if value is not None and float(value) > 0.55 * float(peak or 1) else "#1f2328"


def heatmap(row_labels, column_labels, rows, *, title="", suffix="%", peak=None, notes=None):
    """A grid of coloured cells (``rows``: one list of values per row label, ``None`` for an
    empty cell), each showing its value. The drawing is as wide as its labels and values
    need, so no label is cut; ``notes`` (one per row) are drawn after the row."""
    if not row_labels or not column_labels:
        return ""
    numbers = [float(v) for row in rows for v in row if v is not None]
    peak = peak or max(numbers, default=0) or 1
    texts = [[("" if v is None else f"{float(v):.0f}{suffix}") for v in row] for row in rows]
    cell_w = max([_text_width(t, 11) for row in texts for t in row] + [_text_width(c, 11) for c in column_labels]
                 + [28]) + 10
    cell_h = 24
    left = max(_text_width(label) for label in row_labels) + 14
    notes = notes or [""] * len(row_labels)
    note_w = max(_text_width(note, 11) for note in notes) + 12 if any(notes) else 0
    top = 26
    width = left + cell_w * len(column_labels) + note_w + 6
    height = top + cell_h * len(row_labels) + 6
    parts = []
    for column, label in enumerate(column_labels):
        x = left + column * cell_w + cell_w / 2
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" font-size="11" text-anchor="middle">{escape(label)}</text>')
    for index, label in enumerate(row_labels):
        y = top + index * cell_h
        parts.append(f'<text x="{left - 8:.1f}" y="{y + cell_h * 0.65:.1f}" font-size="{FONT}" '
                     f'text-anchor="end">{escape(label)}</text>')
        for column, value in enumerate(rows[index]):
            x = left + column * cell_w
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{cell_w - 2:.1f}" height="{cell_h - 2}" '
                         f'fill="{shade(value, peak)}"><title>{escape(label)} · {escape(column_labels[column])}: '
                         f'{escape(texts[index][column] or "—")}</title></rect>')
            if value is not None:
                parts.append(f'<text x="{x + cell_w / 2 - 1:.1f}" y="{y + cell_h * 0.62:.1f}" font-size="11" '
                             f'text-anchor="middle" fill="{ink(value, peak)}">{escape(texts[index][column])}</text>')
        if notes[index]:
            parts.append(f'<text x="{left + cell_w * len(column_labels) + 6:.1f}" y="{y + cell_h * 0.65:.1f}" '
                         f'font-size="11">{escape(notes[index])}</text>')
    return _close(_open(width, height, title) + parts)
