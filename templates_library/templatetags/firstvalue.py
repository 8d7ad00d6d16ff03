from django import template

from templates_library.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    """``{{ text|markdown }}``: authored Markdown, sanitised."""
    return render_markdown(text)
