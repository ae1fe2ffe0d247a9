"""The Atom feed of the site's articles (pages with a `date`), newest first.

Written with ElementTree, so titles and summaries are escaped as XML text. Atom needs absolute
ids and links, so the feed is only written for a site with a `site_url`.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterable

from site_builder.publish.meta import FEED_PATH, PageInfo, SiteInfo
from site_builder.xmltext import xml_text

ATOM = "http://www.w3.org/2005/Atom"


def _timestamp(day: dt.date) -> str:
    """Front matter has dates only; Atom wants a full RFC 3339 time, so midnight UTC."""
    return f"{day.isoformat()}T00:00:00Z"


def _last_change(page: PageInfo) -> dt.date:
    assert page.date is not None
    return page.updated or page.date


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = xml_text(text)
    return element


def _entry(feed: ET.Element, page: PageInfo, base: str, fallback_author: str) -> None:
    assert page.date is not None
    entry = _add(feed, "entry")
    _add(entry, "title", page.title, type="text")
    _add(entry, "id", base + page.url)
    _add(entry, "link", href=base + page.url, rel="alternate", type="text/html")
    _add(entry, "published", _timestamp(page.date))
    _add(entry, "updated", _timestamp(_last_change(page)))
    for name in page.authors or (fallback_author,):
        _add(_add(entry, "author"), "name", name)
    if page.description:
        _add(entry, "summary", page.description, type="text")


def atom_feed(site_url: str, site: SiteInfo, pages: Iterable[PageInfo]) -> bytes:
    """The feed document; `site_url` is the site's absolute URL, as Atom ids must be absolute."""
    articles = sorted((p for p in pages if p.is_article), key=lambda p: (_last_change(p), p.url), reverse=True)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _add(feed, "title", site.name, type="text")
    if site.description:
        _add(feed, "subtitle", site.description, type="text")
    _add(feed, "id", site_url)
    _add(feed, "link", href=site_url, rel="alternate", type="text/html")
    _add(feed, "link", href=site_url + FEED_PATH, rel="self", type="application/atom+xml")
    newest = _last_change(articles[0]) if articles else dt.date(1970, 1, 1)
    _add(feed, "updated", _timestamp(newest))
    _add(feed, "generator", "site-builder")
    for page in articles:
        _entry(feed, page, site_url, site.author or site.name)
    ET.register_namespace("", ATOM)
    tree = ET.ElementTree(feed)
    ET.indent(tree)
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True)) + b"\n"
