"""The one Markdown renderer: ``markdown`` → ``nh3`` with an explicit allowlist.

Every piece of authored text that reaches a page, an email or the admin preview
goes through :func:`render_markdown`. Policy:

- Tags: text structure only (headings, lists, emphasis, code, tables, quotes,
  links, images). No script, iframe, form, svg, style, object or embed.
- Attributes: ``href``/``title`` on links, ``src``/``alt``/``title`` on images,
  ``align`` on table cells. No ``on*`` handlers, no ``style``.
- URL schemes: http, https and mailto only (so no javascript:, vbscript:, data:).
- Images: allowed only from http(s) URLs (any other ``src``, ``data:`` included,
  is dropped), always rendered with ``loading="lazy"`` and
  ``referrerpolicy="no-referrer"`` so a remote image cannot learn which page or
  person viewed it. Links get ``rel="noopener noreferrer nofollow"``.
"""

import hashlib
from functools import lru_cache

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "abbr": {"title"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# Added to every image, whatever the author wrote.
IMAGE_ATTRIBUTE_VALUES = {"img": {"loading": "lazy", "referrerpolicy": "no-referrer"}}
EXTENSIONS = ["extra", "sane_lists"]


def _set_image_attributes(element: str, attribute: str, value: str) -> str | None:
    if (
        element == "img"
        and attribute == "src"
        and not value.lower().startswith(("http://", "https://"))
    ):
        return None
    return value


@lru_cache(maxsize=2048)
def _render(digest: str, text: str) -> str:  # digest keys the cache
    html = markdown_lib.markdown(text, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_set_image_attributes,
        set_tag_attribute_values=IMAGE_ATTRIBUTE_VALUES,
        strip_comments=True,
    )


def render_markdown(text: str | None) -> SafeString:
    """Sanitised HTML for authored Markdown, cached by content hash."""
    if not text:
        return mark_safe("")
    digest = hashlib.sha256(text.encode()).hexdigest()
    return mark_safe(_render(digest, text))  # sanitised by nh3 above
