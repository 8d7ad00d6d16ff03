"""Shared studio test data: an author, a published pack, and a form as a browser posts it."""

from html.parser import HTMLParser

import pytest
from django.test import Client

from tests.factories import enablement_user, make_pack


@pytest.fixture
def author(db):
    return enablement_user(username="author@example.com")


@pytest.fixture
def author_client(author):
    client = Client()
    client.force_login(author)
    return client


@pytest.fixture
def version(db):
    return make_pack()


class _Form(HTMLParser):
    """The fields of the first form with ``marker`` (an attribute), as a browser submits them
    (no button pressed)."""

    def __init__(self, marker: str):
        super().__init__()
        self.marker = marker
        self.inside = False
        self.done = False
        self.fields: list[tuple[str, str]] = []
        self._textarea = None
        self._select = None
        self._option = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self.marker in a:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind == "checkbox":
                if "checked" in a:
                    self.fields.append((a["name"], a.get("value", "on")))
            elif kind not in ("submit", "button"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]
        elif tag == "select":
            self._select = [a.get("name"), None, None]
        elif tag == "option" and self._select is not None:
            self._option = a.get("value", "")
            if self._select[2] is None:
                self._select[2] = self._option
            if "selected" in a:
                self._select[1] = self._option

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "textarea" and self._textarea:
            self.fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "select" and self._select:
            name, chosen, first = self._select
            self.fields.append((name, chosen if chosen is not None else first))
            self._select = None
        elif tag == "form":
            self.inside = False
            self.done = True


def form_fields(html: str, marker: str = "data-studio-editor") -> list[tuple[str, str]]:
    parser = _Form(marker)
    parser.feed(html)
    return parser.fields
