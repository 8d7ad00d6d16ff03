"""The one Markdown renderer: structure kept, every XSS vector removed."""

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from templates_library.markdown import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    ALLOWED_URL_SCHEMES,
    IMAGE_ATTRIBUTE_VALUES,
    _render,
    render_markdown,
)

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](jav&#x09;ascript:alert(1))",
    "[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click][ref]\n\n[ref]: javascript:alert(1)",
    '[click][ref]\n\n[ref]: &#x6A;avascript:alert(1) "title"',
    "<javascript:alert(1)>",
    '<a href="javascript&colon;alert(1)">x</a>',
    "[x](vbscript:msgbox(1))",
    "![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "[x](data:text/html,<script>alert(1)</script>)",
    "<img src=x onerror=alert(1)>",
    '<img src="https://ok.example/a.png" onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=1></circle></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="https://evil.example"></iframe>',
    '<form action="https://evil.example"><input name=x></form>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<style>body{background:url("javascript:alert(1)")}</style>',
    '<div onmouseover="alert(1)">hover</div>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    "<!--<img src=x onerror=alert(1)>-->",
    "`code` <img src=`x` onerror=`alert(1)`>",
    '<a href=" javascript:alert(1)">x</a>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _assert_safe(html: str) -> None:
    parser = _Collector()
    parser.feed(html)
    lowered = html.lower()
    assert "<script" not in lowered
    for tag, attrs in parser.tags:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived: {html}"
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}
        allowed |= set(IMAGE_ATTRIBUTE_VALUES.get(tag, {}))
        for name, value in attrs:
            assert name in allowed, f"attribute {name} on <{tag}> survived: {html}"
            assert not name.startswith("on")
            if name in {"href", "src"}:
                scheme = urlsplit((value or "").strip()).scheme.lower()
                assert scheme in ALLOWED_URL_SCHEMES, f"{name}={value!r} survived: {html}"
                if tag == "img":
                    assert scheme in {"http", "https"}


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_it_removes_every_xss_vector(payload):
    html = str(render_markdown(payload))
    _assert_safe(html)
    for raw_tag in ("<script", "<iframe", "<svg", "<style", "<form", "<object", "<embed", "<meta"):
        assert raw_tag not in html.lower()


def test_it_has_at_least_sixteen_payloads():
    assert len(XSS_PAYLOADS) >= 16


def test_it_keeps_text_structure():
    html = str(
        render_markdown(
            "# Title\n\n**bold** and *em*, `code`.\n\n- one\n- two\n\n"
            "| a | b |\n| - | - |\n| 1 | 2 |\n\n[link](https://example.com)"
        )
    )
    for fragment in (
        "<h1>",
        "<strong>bold</strong>",
        "<em>em</em>",
        "<code>code</code>",
        "<li>one</li>",
        "<table>",
        '<a href="https://example.com"',
    ):
        assert fragment in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_it_keeps_https_images_and_drops_data_images():
    html = str(
        render_markdown("![chart](https://example.com/c.png) ![bad](data:image/png;base64,AA)")
    )
    assert 'src="https://example.com/c.png"' in html
    assert 'loading="lazy"' in html and 'referrerpolicy="no-referrer"' in html
    assert "data:" not in html
    assert html.count("src=") == 1


def test_it_allows_mailto_links():
    assert 'href="mailto:ops@example.com"' in str(render_markdown("[mail](mailto:ops@example.com)"))


def test_it_renders_nothing_for_empty_text():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_it_caches_by_content_hash():
    _render.cache_clear()
    render_markdown("cached *text*")
    render_markdown("cached *text*")
    info = _render.cache_info()
    assert info.hits == 1 and info.misses == 1
