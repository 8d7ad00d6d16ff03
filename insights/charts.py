"""Small server-side SVG charts: accessible (<title>/<desc>, values as text) and readable
without colour (benchmarks are dashed/dotted lines with their own labels)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ROW = 30
VALUE_W = 150
MIN_PLOT_W = 220
CHAR_W = 7.6  # a generous average advance at font-size 13 (digits and capitals included)
TOP = 34
BENCHMARK_DASH = {"minimum": "8 4", "top_quartile": "2 3"}


def _open(chart_id: str, title: str, desc: str, width: int, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" id="{escape(chart_id)}"'
        f' viewBox="0 0 {width} {height}" width="{width}" height="{height}"'
        f' aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc"'
        ' font-family="system-ui, sans-serif" font-size="13">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def text_width(text: str) -> int:
    """An upper estimate of the rendered width of ``text`` (the SVG has no text measuring)."""
    return int(len(text) * CHAR_W) + 12


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    bars: list[tuple[str, float | None, str]],
    max_value: float | None = None,
    benchmarks: list[tuple[str, float, str]] = (),
    width: int = 640,
) -> SafeString:
    """Horizontal bars ``(label, value or None, text shown beside the bar)`` and optional
    vertical benchmark lines ``(key, value, label)``."""
    values = [v for _, v, _ in bars if v is not None]
    top = max([max_value or 0, *values, *(b[1] for b in benchmarks)]) or 1
    # Both text columns are sized from their longest text, so no label is ever cut off; the
    # chart grows wider (and the page scales it down) rather than clip.
    label_w = max([60, *(text_width(str(label)) + 8 for label, _, _ in bars)])  # end at -8
    value_w = max([VALUE_W, *(text_width(text) + 6 for _, _, text in bars)])  # text at end + 6
    plot_w = max(width - label_w - value_w, MIN_PLOT_W)
    width = label_w + plot_w + value_w
    height = TOP + ROW * max(len(bars), 1) + 12

    def x(value: float) -> float:
        return label_w + plot_w * value / top

    parts = _open(chart_id, title, desc, width, height)
    parts.append(
        f'<line x1="{label_w}" y1="{TOP - 6}" x2="{label_w}" y2="{height - 8}" stroke="#57606a"/>'
    )
    if not bars:
        parts.append(f'<text x="{label_w + 8}" y="{TOP + 18}" fill="#57606a">No data yet.</text>')
    # Bars first, then the benchmark lines over them, then every text on a white halo.
    for i, (label, value, text) in enumerate(bars):
        if value is not None:
            parts.append(
                f'<rect x="{label_w}" y="{TOP + i * ROW + 5}" '
                f'width="{max(x(value) - label_w, 0):.1f}" height="{ROW - 10}" fill="#0b5cad">'
                f"<title>{escape(label)}: {escape(text)}</title></rect>"
            )
    for i, (key, value, label) in enumerate(benchmarks):
        bx = x(value)
        dash = BENCHMARK_DASH.get(key, "4 4")
        parts.append(
            f'<g class="benchmark benchmark-{escape(key)}"><line x1="{bx:.1f}" y1="{TOP - 6}" '
            f'x2="{bx:.1f}" y2="{height - 8}" stroke="#9a6700" stroke-width="2" '
            f'stroke-dasharray="{dash}"/><text x="{bx:.1f}" y="{12 + i * 13}" '
            f'text-anchor="middle" fill="#9a6700">{escape(label)}</text></g>'
        )
    for i, (label, value, text) in enumerate(bars):
        y = TOP + i * ROW
        end = x(value) if value is not None else label_w
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 19}" text-anchor="end">{escape(label)}</text>'
            f'<text x="{end + 6:.1f}" y="{y + 19}" fill="#1b1f24" stroke="#fff" '
            f'stroke-width="4" paint-order="stroke">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def column_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    columns: list[tuple[str, int]],
    x_label: str,
    width: int = 640,
    height: int = 220,
) -> SafeString:
    """Vertical columns ``(label, count)`` with the count written above each column."""
    top = max((v for _, v in columns), default=0) or 1
    left, bottom, plot_h = 20, height - 40, height - 80
    slot = (width - left * 2) / max(len(columns), 1)
    parts = _open(chart_id, title, desc, width, height)
    parts.append(
        f'<line x1="{left}" y1="{bottom}" x2="{width - left}" y2="{bottom}" stroke="#57606a"/>'
    )
    for i, (label, value) in enumerate(columns):
        h = plot_h * value / top
        cx = left + slot * i
        parts.append(
            f'<rect x="{cx + slot * 0.15:.1f}" y="{bottom - h:.1f}" width="{slot * 0.7:.1f}" '
            f'height="{h:.1f}" fill="#0b5cad"><title>{escape(label)}: {value}</title></rect>'
            f'<text x="{cx + slot / 2:.1f}" y="{bottom - h - 5:.1f}" '
            f'text-anchor="middle">{value}</text>'
            f'<text x="{cx + slot / 2:.1f}" y="{bottom + 16}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle" fill="#57606a">'
        f"{escape(x_label)}</text></svg>"
    )
    return mark_safe("".join(parts))


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"
