from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from templates_library.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """``{{ text|markdown }}``: authored Markdown, sanitised."""
    return render_markdown(text)


WIDTH, LABEL_W, BAR_MAX, BAR_H, GAP = 560, 130, 330, 34, 18


def _bar(index: int, label: str, minutes: int, longest: int, colour: str, pattern: str):
    y = 10 + index * (BAR_H + GAP)
    length = max(2, round(BAR_MAX * minutes / longest))
    hatch = (
        format_html(
            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>',
            LABEL_W,
            y,
            length,
            BAR_H,
            pattern,
        )
        if pattern
        else ""
    )
    return format_html(
        '<g><text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
        "{}"
        '<text x="{}" y="{}" dominant-baseline="middle">{} min</text></g>',
        LABEL_W - 10,
        y + BAR_H / 2,
        label,
        LABEL_W,
        y,
        length,
        BAR_H,
        colour,
        hatch,
        LABEL_W + length + 8,
        y + BAR_H / 2,
        minutes,
    )


@register.filter(name="minutes_chart")
def minutes_chart(demo) -> SafeString:
    """``{{ demo|minutes_chart }}``: before/after minutes as an accessible SVG bar chart.

    The chart has a title and description, every bar carries its value as text, and the
    two bars differ in pattern (solid versus hatched) as well as colour.
    """
    before, after = int(demo.before_minutes), int(demo.after_minutes)
    longest = max(before, after, 1)
    bars = [
        _bar(0, "Before AI", before, longest, "#57606a", ""),
        _bar(1, "With AI", after, longest, "#0b5cad", "url(#fv-hatch)"),
    ]
    saved = before - after
    title = f"{demo.title}: minutes before and with AI"
    desc = (
        f"Before AI: {before} minutes. With AI: {after} minutes. "
        f"{'Saved' if saved >= 0 else 'Extra'}: {abs(saved)} minutes."
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
        WIDTH,
        2 * (BAR_H + GAP) + 20,
        title,
        desc,
        mark_safe("".join(bars)),  # each bar built with format_html
    )
