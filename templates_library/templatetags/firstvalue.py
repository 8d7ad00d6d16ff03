from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from templates_library.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """``{{ text|markdown }}``: authored Markdown, sanitised."""
    return render_markdown(text)


@register.filter(name="minutes_chart")
def minutes_chart(demo) -> SafeString:
    """``{{ demo|minutes_chart }}``: before/after minutes as an accessible SVG bar chart.

    The chart has a title and description, every bar carries its value as text, and the
    two bars differ in pattern (solid versus hatched) as well as colour.
    """
    before, after = int(demo.before_minutes), int(demo.after_minutes)
    width, label_w, bar_max, bar_h, gap = 560, 130, 330, 34, 18
    longest = max(before, after, 1)
    rows = [
        ("Before AI", before, "#57606a", ""),
        ("With AI", after, "#0b5cad", "url(#fv-hatch)"),
    ]
    saved = before - after
    title = f"{demo.title}: minutes before and with AI"
    desc = (
        f"Before AI: {before} minutes. With AI: {after} minutes. "
        f"{'Saved' if saved >= 0 else 'Extra'}: {abs(saved)} minutes."
    )
    height = 2 * (bar_h + gap) + 20
    bars = []
    for index, (label, minutes, colour, pattern) in enumerate(rows):
        y = 10 + index * (bar_h + gap)
        length = max(2, round(bar_max * minutes / longest))
        bars.append(
            format_html(
                '<g><text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                "{}"
                '<text x="{}" y="{}" dominant-baseline="middle">{} min</text></g>',
                label_w - 10,
                y + bar_h / 2,
                label,
                label_w,
                y,
                length,
                bar_h,
                colour,
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
                    label_w,
                    y,
                    length,
                    bar_h,
                    pattern,
                )
                if pattern
                else "",
                label_w + length + 8,
                y + bar_h / 2,
                minutes,
            )
        )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" '
        'width="100%" aria-labelledby="fv-chart-title fv-chart-desc" '
        'class="minutes-chart">'
        '<title id="fv-chart-title">{}</title><desc id="fv-chart-desc">{}</desc>'
        '<defs><pattern id="fv-hatch" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="3" height="8" fill="#ffffff" '
        'fill-opacity="0.45"></rect></pattern></defs>'
        '<g font-family="system-ui, sans-serif" font-size="15" fill="#1b1f24">{}</g></svg>',
        width,
        height,
        title,
        desc,
        mark_safe("".join(bars)),  # each bar built with format_html
    )
