"""Where browsers find URLs in attribute values (`srcset` candidates, a refresh's `url=`), and that
no script URL is left in any of them after a page renders."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.common.normalize_url import validateLink

from site_builder.markdown.engine import create_md, render_markdown
from site_builder.markdown.html_urls import carries_urls, target_kind, url_spans
from site_builder.markdown.links import LinkContext, SiteLinks


def urls(tag: str, name: str, value: str) -> list[str]:
    return [value[start:end] for start, end in url_spans(tag, name, value)]


@pytest.mark.parametrize(("srcset", "expected"), [
    ("a.png", ["a.png"]),
    ("a.png 1x, b.png 2x", ["a.png", "b.png"]),
    ("a.png 480w,\n     b.png 960w", ["a.png", "b.png"]),
    ("a.png, b.png", ["a.png", "b.png"]),
    ("a.png,, b.png 2x,", ["a.png", "b.png"]),  # commas that end a URL are not part of it
    ("a.png,b.png 2x", ["a.png,b.png"]),  # as in browsers: no white space, one URL
    ("data:image/png;base64,AA,BB 2x, c.png 3x", ["data:image/png;base64,AA,BB", "c.png"]),
    ("a.png 100w (future, descriptor), b.png", ["a.png", "b.png"]),
    (" , ", []),
    ("", []),
])
def test_srcset_candidates(srcset: str, expected: list[str]) -> None:
    assert urls("img", "srcset", srcset) == expected


@pytest.mark.parametrize(("content", "expected"), [
    ("0;url=about.html", ["about.html"]),
    ("0; URL = 'javascript:alert(1)'", ["javascript:alert(1)"]),
    ('3, url="a b.html" trailing', ["a b.html"]),
    ("0;url='javascript:x", ["javascript:x"]),  # an unclosed quote runs to the end
    ("0; javascript:x  ", ["javascript:x"]),
    ("30", []),
    ("5;url=", []),
])
def test_refresh_url(content: str, expected: list[str]) -> None:
    assert urls("meta", "content", content) == expected


def test_which_attributes_hold_urls() -> None:
    assert carries_urls("form", "action", {}) and carries_urls("svg", "xlink:href", {})
    assert carries_urls("object", "data", {}) and not carries_urls("div", "data", {})
    assert carries_urls("meta", "content", {"http-equiv": "Refresh"})
    assert not carries_urls("meta", "content", {"name": "description"})
    kinds = [target_kind(tag, name) for tag, name in [("source", "srcset"), ("track", "src"), ("iframe", "src")]]
    assert kinds == ["image", "file", "link"]


@given(st.text(alphabet=" ,\n\tab.:/()x1", max_size=40))
def test_srcset_urls_are_whole_words_in_order(srcset: str) -> None:
    """Every URL found is a non-empty run without white space, not ending in a comma, in order."""
    spans = url_spans("img", "srcset", srcset)
    assert spans == sorted(spans)
    for start, end in spans:
        url = srcset[start:end]
        assert url and not any(c.isspace() for c in url) and not url.endswith(",") and not url.startswith(",")


_PIECES = ["javascript:", "java&#9;script:", "JaVaScRiPt&colon;", " vbscript:", "data:text/html,", "file:",
           "img/chart.png", "about.md", "https://example.org/", " ", ",", ", ", " 2x", "&#44;", "0;url=", "url='", "'"]
_TAGS = [("img", "srcset"), ("source", "srcset"), ("video", "poster"), ("object", "data"), ("form", "action"),
         ("button", "formaction"), ("a", "xlink:href"), ("iframe", "src"), ("area", "href")]


class _Urls(HTMLParser):
    """Every URL a browser would follow in the rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and carries_urls(tag, name, dict(attrs)):
                self.urls += [value[start:end] for start, end in url_spans(tag, name, value)]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_TAGS), st.lists(st.sampled_from(_PIECES), max_size=6).map("".join), st.booleans())
def test_no_script_url_survives_in_raw_html(tag_attr: tuple[str, str], value: str, refresh: bool) -> None:
    """Whatever an author or a data value writes into a URL attribute, the page keeps no script URL."""
    tag, name = ("meta", "content") if refresh else tag_attr
    page = f'<{tag} http-equiv="refresh" {name}="{value}">\n\nText <{tag} {name}="{value}"> inline.\n'
    site = SiteLinks(pages={"index.md": "", "about.md": "about/"}, files={"img/chart.png": "img/chart.png"})
    links = LinkContext("index.md", "content/index.md", site, page.splitlines(), 1)
    urls = _Urls()
    urls.feed(render_markdown(create_md(), page, links).html)
    unsafe = [url for url in urls.urls if not validateLink(re.sub(r"[\t\n\r]", "", url).strip().lower())]
    assert not unsafe
