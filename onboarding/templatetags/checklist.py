"""``{% load checklist %}{% step_body item %}``: a step's body on /my/ — its Markdown, demo
and prompt — rendered once per process for a published version and kept with its content
(roles/version_content.py), instead of on every request.

The key is the step, its demo and prompt (immutable in a published version) and what was
filled in for this person (the prompt's text and fields); nothing else is read by
``onboarding/_step_body.html``, which sees only ``item`` and ``version``. What is kept is
the rendered template, so it is the sanitised HTML (Markdown through nh3, values escaped).
"""

from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from roles.version_content import version_fragment

register = template.Library()

BODY = "onboarding/_step_body.html"


def _key(item) -> tuple:
    filled = item.filled
    return (
        "step-body",
        item.step.pk,
        item.is_fvm,
        item.demo.pk if item.demo is not None else None,
        item.prompt.pk if item.prompt is not None else None,
        (filled.text, tuple(filled.missing)) if filled is not None else None,
        tuple(item.fields),
    )


@register.simple_tag(takes_context=True)
def step_body(context, item):
    version = context["version"]

    def make() -> str:
        return get_template(BODY).render({"item": item, "version": version})

    return mark_safe(version_fragment(version, _key(item), make))  # a rendered template


@register.simple_tag(takes_context=True)
def my_main(context):
    """``{% my_main %}``: the page under the banners, kept per person, day and progress
    (onboarding/pages.py, my_main_key)."""
    from ..pages import my_main_html  # pages imports the forms; templatetags load early

    return mark_safe(my_main_html(context))  # a rendered template
