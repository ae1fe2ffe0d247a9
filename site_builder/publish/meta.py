"""Head tags for sharing a page: OpenGraph, Twitter card, article dates and the feed link.

Every value from front matter is escaped (`Markup.format`), so a title holding `"` or `<script>`
stays text. Tags that need an absolute URL (og:url, og:image) are only written when the site has a
`site_url`; links inside the site (the feed) stay relative so the site works under any sub-path.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from site_builder.markdown.links import relative_url
from site_builder.memory import forgettable
from site_builder.pages import RenderedPage

FEED_PATH = "feed.xml"
SOCIAL_DIR = "assets/social"


@dataclass(frozen=True)
class SiteInfo:
    """What every page's tags share, from mkdocs.yml."""

    name: str
    url: str | None
    """`site_url` with a trailing slash, or None when the config has none."""
    description: str | None = None
    author: str | None = None


@dataclass(frozen=True)
class PageInfo:
    """One rendered page as sharing metadata sees it; text is raw (unescaped) front matter."""

    url: str
    """The page's URL relative to the site root, as MkDocs gives it (`""`, `about/`)."""
    title: str
    description: str | None = None
    date: dt.date | None = None
    updated: dt.date | None = None
    authors: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_article(self) -> bool:
        return self.date is not None

    @classmethod
    def from_rendered(cls, url: str, rendered: RenderedPage, fallback_title: str) -> PageInfo:
        meta = rendered.source.meta
        return cls(url, rendered.title or fallback_title, meta.description, meta.date, meta.updated,
                   tuple(meta.authors))


def absolute_url(site: SiteInfo, url: str) -> str | None:
    """`url` (site-root relative) as an absolute URL under `site_url`, or None without one."""
    return None if site.url is None else site.url + url


def social_image_path(url: str) -> str:
    """Where the page's social card goes, mirroring its URL: `a/b/` → `assets/social/a/b.png`."""
    stem = url.rstrip("/") or "index"
    stem = stem.removesuffix(".html")
    return f"{SOCIAL_DIR}/{stem}.png"


def _meta(attr: str, key: str, value: str) -> Markup:
    # f-string with escape(): Markup.format costs ~40 µs a tag, which a 200-page preview pays per edit.
    return Markup(f'<meta {attr}="{escape(key)}" content="{escape(value)}">')


@functools.lru_cache(maxsize=4096)  # a live preview asks again for every unchanged page of every rebuild
def head_tags(page: PageInfo, site: SiteInfo) -> Markup:
    """The tags to add to the page's `<head>` (Material already writes description and canonical)."""
    description = page.description or site.description
    tags = [
        _meta("property", "og:type", "article" if page.is_article else "website"),
        _meta("property", "og:site_name", site.name),
        _meta("property", "og:title", page.title),
        _meta("name", "twitter:title", page.title),
    ]
    if description:
        tags += [_meta("property", "og:description", description), _meta("name", "twitter:description", description)]
    page_url, image = absolute_url(site, page.url), absolute_url(site, social_image_path(page.url))
    if page_url is None or image is None:
        tags.append(_meta("name", "twitter:card", "summary"))
    else:
        tags += [_meta("property", "og:url", page_url), _meta("property", "og:image", image),
                 _meta("property", "og:image:width", "1200"), _meta("property", "og:image:height", "630"),
                 _meta("name", "twitter:card", "summary_large_image"), _meta("name", "twitter:image", image)]
        tags.append(Markup('<link rel="alternate" type="application/atom+xml" title="{}" href="{}">').format(
            site.name, relative_url(page.url, FEED_PATH)))
    if page.date is not None:
        tags.append(_meta("property", "article:published_time", page.date.isoformat()))
    if page.updated is not None:
        tags.append(_meta("property", "article:modified_time", page.updated.isoformat()))
    tags += [_meta("property", "article:author", author) for author in page.authors]
    return Markup("\n").join(tags)


forgettable(head_tags.cache_clear)
