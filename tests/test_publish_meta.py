"""Sharing metadata: head tags, the Atom feed, sitemap, social cards and the 404 page, all escaped."""

from __future__ import annotations

import datetime as dt
import os
import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from site_builder.host.runner import build_site
from site_builder.publish import PageInfo, SiteInfo, head_tags
from site_builder.publish.social import TITLE_MAX_LINES, render_card, title_lines
from tests.conftest import MINIMAL_CONFIG, write_site

GOLDEN = Path(__file__).parent / "golden" / "publish"
ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = 'Tom & "Jerry" <script>alert(1)</script>'
SITE = {
    "content/index.md": "# Home\n\nWelcome.\n",
    "content/guide/deep/story.md": f"""\
        ---
        title: '{HOSTILE.replace("'", "''")}'
        description: 'Why <b>it</b> & "that" matter'
        date: 2025-03-01
        updated: 2025-04-02
        authors: [Ada]
        ---
        Body.
        """,
    "content/older.md": "---\ntitle: Older\ndate: 2024-01-05\n---\nText.\n",
}


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"differs from {path}; UPDATE_GOLDEN=1 to accept"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_site(tmp_path_factory.mktemp("meta"), SITE)
    result = build_site(root / "mkdocs.yml", site_dir=root / "site")
    assert result.ok, "\n".join(map(str, result.errors + result.warnings))
    return root / "site"


def test_head_tags_golden() -> None:
    page = PageInfo("guide/deep/story/", HOSTILE, 'A "dek" <i>', dt.date(2025, 3, 1), dt.date(2025, 4, 2), ("Ada",))
    assert_golden("head_tags.html", str(head_tags(page, SiteInfo("Site & co", "https://example.org/repo/"))) + "\n")


def test_article_head_has_escaped_sharing_tags(site: Path) -> None:
    html = (site / "guide" / "deep" / "story" / "index.html").read_text(encoding="utf-8")
    title = "Tom &amp; &#34;Jerry&#34; &lt;script&gt;alert(1)&lt;/script&gt;"
    assert f'<meta property="og:title" content="{title}">' in html
    assert f'<meta name="twitter:title" content="{title}">' in html
    assert '<meta property="og:description" content="Why &lt;b&gt;it&lt;/b&gt; &amp; &#34;that&#34; matter">' in html
    assert '<link rel="canonical" href="https://example.org/repo/guide/deep/story/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="article:published_time" content="2025-03-01">' in html
    image = "https://example.org/repo/assets/social/guide/deep/story.png"
    assert f'<meta property="og:image" content="{image}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert 'type="application/atom+xml"' in html and 'href="../../../feed.xml"' in html
    for page in site.rglob("*.html"):
        assert "<script>alert" not in page.read_text(encoding="utf-8"), page


def test_social_card_is_a_1200_by_630_png(site: Path) -> None:
    card = (site / "assets" / "social" / "guide" / "deep" / "story.png").read_bytes()
    assert card[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", card[16:24]) == (1200, 630)
    assert (site / "assets" / "social" / "index.png").is_file()


def test_cards_are_drawn_once_then_read_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = render_card("A title", "Site", tmp_path)
    monkeypatch.setattr("vl_convert.vegalite_to_png", lambda *a, **k: pytest.fail("drawn again"))
    assert render_card("A title", "Site", tmp_path) == first
    assert len(list(tmp_path.glob("*.png"))) == 1
    with pytest.raises(pytest.fail.Exception):
        render_card("Another title", "Site", tmp_path)


def test_long_titles_wrap_and_end_with_an_ellipsis() -> None:
    lines = title_lines("word " * 60)
    assert len(lines) == TITLE_MAX_LINES and lines[-1].endswith("…")
    assert title_lines("Short title") == ["Short title"]


def test_feed_lists_articles_newest_first_with_front_matter_dates(site: Path) -> None:
    feed = ET.parse(site / "feed.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [HOSTILE, "Older"]
    first = entries[0]
    assert first.findtext(f"{ATOM}published") == "2025-03-01T00:00:00Z"
    assert first.findtext(f"{ATOM}updated") == "2025-04-02T00:00:00Z"
    assert first.find(f"{ATOM}link").get("href") == "https://example.org/repo/guide/deep/story/"  # type: ignore[union-attr]
    assert first.findtext(f"{ATOM}summary") == 'Why <b>it</b> & "that" matter'
    assert feed.findtext(f"{ATOM}updated") == "2025-04-02T00:00:00Z"
    assert b"<script>" not in (site / "feed.xml").read_bytes()


def test_sitemap_and_404_work_at_any_depth(site: Path) -> None:
    sitemap = ET.parse(site / "sitemap.xml").getroot()
    locs = {e.text for e in sitemap.iter() if e.tag.endswith("}loc")}
    assert "https://example.org/repo/guide/deep/story/" in locs and "https://example.org/repo/older/" in locs
    not_found = (site / "404.html").read_text(encoding="utf-8")
    assets = re.findall(r'(?:href|src)="([^"#]+\.(?:css|js))"', not_found)
    assert assets and all(a.startswith("/repo/assets/") for a in assets)  # absolute under the sub-path


def test_without_site_url_no_feed_and_no_absolute_tags(tmp_path: Path) -> None:
    config = MINIMAL_CONFIG.replace("site_url: https://example.org/repo/\n", "")
    root = write_site(tmp_path, {"content/index.md": "---\ntitle: A\ndate: 2025-01-01\n---\nx\n"}, config)
    assert build_site(root / "mkdocs.yml", site_dir=root / "site").ok
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert '<meta property="og:title" content="A">' in html and "og:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html and "og:description" not in html
    assert not (root / "site" / "feed.xml").exists()


def test_control_characters_in_titles_give_a_valid_feed_and_a_card() -> None:
    from site_builder.publish.feed import atom_feed

    page = PageInfo("story/", "Esc\x1bape\x00", "dek\x0b", dt.date(2025, 3, 1), None, ("A\x01da",))
    feed = ET.fromstring(atom_feed("https://example.org/repo/", SiteInfo("Site\x02", "https://example.org/repo/"),
                                   [page]))
    assert [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")][-1] == "Esc\ufffdape\ufffd"
    assert render_card("Esc\x1bape", "Site\x01").startswith(b"\x89PNG")  # vl-convert aborted the process
