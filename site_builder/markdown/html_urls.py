"""Which HTML attributes hold URLs, and where in their value each URL is.

A browser follows the URL of `href`, `src`, `poster`, `action`, `formaction` and SVG's `xlink:href` on
any element, of `<object data>`, and of a `<meta http-equiv="refresh" content="0;url=…">`; `srcset`
is a comma-separated list of `URL [descriptor]` candidates, each a URL of its own. raw_html.py checks
and resolves each URL these functions find; they only read text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "poster", "action", "formaction", "xlink:href"})
# What error messages call a target: a picture is an "image", as in markdown; a media file is a "file";
# anything else is a "link", which may name a page (`about.md`) or any published file.
_KINDS = {
    **dict.fromkeys([("img", "src"), ("img", "srcset"), ("source", "srcset"), ("video", "poster"), ("input", "src"),
                     ("image", "href"), ("image", "xlink:href")], "image"),
    **dict.fromkeys([("video", "src"), ("audio", "src"), ("source", "src"), ("track", "src")], "file"),
}
# A srcset candidate's URL runs to the first white space; commas that end it separate candidates,
# others belong to it (`data:image/png;base64,AA`). Its descriptors run to the next comma outside
# parentheses. Two patterns and a loop rather than one pattern: one that must find where the URL
# ends backtracks over every comma of a long run (`a,,,,…`), which is quadratic.
_SRCSET_URL = re.compile(r"[^\s,]\S*")
_SRCSET_DESCRIPTORS = re.compile(r"(?:[^,(]|\([^)]*\)?)*,?")
# What comes before the URL in a refresh: the delay, a `;` or `,`, and `url=` (all optional).
_REFRESH_HEAD = re.compile(r"(?i)\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?")


def carries_urls(tag: str, name: str, attrs: Mapping[str, str | None]) -> bool:
    """Whether attribute `name` of a `<tag>` with attributes `attrs` holds URLs a browser follows."""
    if name in URL_ATTRIBUTES or (tag, name) == ("object", "data"):
        return True
    return tag == "meta" and name == "content" and (attrs.get("http-equiv") or "").strip().lower() == "refresh"


def target_kind(tag: str, name: str) -> str:
    """What error messages call the attribute's target: an "image", a "file" or a "link"."""
    return _KINDS.get((tag, name), "link")


def url_spans(tag: str, name: str, value: str) -> list[tuple[int, int]]:
    """Where each URL is in an attribute's value (as a browser reads it), as (start, end) offsets."""
    if name == "srcset":
        return _srcset_spans(value)
    if (tag, name) == ("meta", "content"):
        return _refresh_span(value)
    return [(0, len(value))]


def _srcset_spans(srcset: str) -> list[tuple[int, int]]:
    """The URL of each candidate of a `srcset` (HTML's "parse a srcset attribute")."""
    spans = []
    position = 0
    while url := _SRCSET_URL.search(srcset, position):
        start, end = url.span()
        if url.group().endswith(","):  # the commas end the URL and the candidate: no descriptors
            spans.append((start, start + len(url.group().rstrip(","))))
            position = end
        else:
            spans.append((start, end))
            descriptors = _SRCSET_DESCRIPTORS.match(srcset, end)  # matches always, maybe empty
            position = descriptors.end() if descriptors else len(srcset)
    return spans


def _refresh_span(content: str) -> list[tuple[int, int]]:
    """The URL of a refresh's `content` (HTML's "shared declarative refresh steps"): after `url=`, up
    to its closing quote if it starts with one, else to the end."""
    head = _REFRESH_HEAD.match(content)
    start, end = (head.end() if head else 0), len(content.rstrip())
    if content[start:start + 1] in ("'", '"'):
        quote, start = content[start], start + 1
        closing = content.find(quote, start)
        end = closing if closing >= 0 else end
    return [(start, end)] if content[start:end].strip() else []
