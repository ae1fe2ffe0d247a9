"""Collects the built pages' sharing metadata and writes the site-wide files once the build is done.

The host calls `page_html` for each rendered page (adds the head tags) and `write_outputs` with the
output folder: `feed.xml`, one social card per page and `CNAME` when `extra.cname` is set.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from site_builder.errors import SourcePosition, UserError
from site_builder.publish.feed import atom_feed
from site_builder.publish.meta import FEED_PATH, PageInfo, SiteInfo, head_tags, social_image_path
from site_builder.publish.social import write_card

_DOMAIN = re.compile(r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")


def parse_cname(value: Any, config_name: str) -> str | None:
    """`extra.cname` from mkdocs.yml: a bare domain name, or nothing."""
    if value is None:
        return None
    if isinstance(value, str) and _DOMAIN.fullmatch(value.strip()):
        return value.strip()
    raise UserError(f"extra.cname must be a domain name, not {value!r}", SourcePosition(config_name),
                    "write e.g. `cname: explainer.example.org` (no https://, no path) under `extra:`")


def insert_head(html: str, tags: str) -> str:
    """`tags` just before the document's first `</head>`; pages are rendered escaped, so the first
    one is the real end of the head."""
    at = html.find("</head>")
    return html if at < 0 else f"{html[:at]}{tags}\n{html[at:]}"


class Publisher:
    """One build's metadata: filled page by page, written at the end."""

    def __init__(self, site: SiteInfo, cname: Any = None, config_name: str = "mkdocs.yml",
                 cache_dir: Path | None = None) -> None:
        self.site = site
        self.cache_dir = cache_dir
        self.errors: list[UserError] = []
        try:
            self.cname = parse_cname(cname, config_name)
        except UserError as exc:
            self.cname, self.errors = None, [exc]
        self.pages: list[PageInfo] = []

    def page_html(self, page: PageInfo, html: str) -> str:
        self.pages.append(page)
        return insert_head(html, head_tags(page, self.site))

    def write_outputs(self, site_dir: Path) -> None:
        if self.site.url is not None:  # the feed and og:image need absolute URLs
            (site_dir / FEED_PATH).write_bytes(atom_feed(self.site.url, self.site, self.pages))
            for page in self.pages:
                card = site_dir / social_image_path(page.url)
                card.parent.mkdir(parents=True, exist_ok=True)
                write_card(page.title, self.site.name, self.cache_dir, card)
        # A CNAME file in content/ is copied by the build and wins over the config.
        if self.cname and not (site_dir / "CNAME").exists():
            (site_dir / "CNAME").write_text(self.cname + "\n", encoding="utf-8")
