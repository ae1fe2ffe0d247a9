"""Collects the built pages' sharing metadata and writes the site-wide files once the build is done.

The host calls `page_html` for each rendered page (adds the head tags) and `write_outputs` with the
output folder: `feed.xml`, one social card per page and `CNAME` when `extra.cname` is set.
"""

from __future__ import annotations

from pathlib import Path

from site_builder.publish.feed import atom_feed
from site_builder.publish.meta import FEED_PATH, PageInfo, SiteInfo, head_tags, social_image_path
from site_builder.publish.social import render_card


def insert_head(html: str, tags: str) -> str:
    """`tags` just before the document's first `</head>`; pages are rendered escaped, so the first
    one is the real end of the head."""
    at = html.find("</head>")
    return html if at < 0 else f"{html[:at]}{tags}\n{html[at:]}"


class Publisher:
    """One build's metadata: filled page by page, written at the end."""

    def __init__(self, site: SiteInfo, cname: str | None = None) -> None:
        self.site = site
        self.cname = cname.strip() if cname else None
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
                card.write_bytes(render_card(page.title, self.site.name))
        # A CNAME file in content/ is copied by the build and wins over the config.
        if self.cname and not (site_dir / "CNAME").exists():
            (site_dir / "CNAME").write_text(self.cname + "\n", encoding="utf-8")
