"""The built site works under a GitHub Pages project sub-path: zero broken internal references.

The flagship (this repository's own site) and a freshly scaffolded site are built, served under
the path of their `site_url` (as `https://USER.github.io/REPO/` serves them) and crawled.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_builder.host.runner import build_site
from site_builder.scaffold import create_project
from tests.conftest import MINIMAL_CONFIG, write_site
from tests.sitecrawl import crawl_site, serve_under

REPO = Path(__file__).resolve().parent.parent
MISSING = ["no-such-page/", "deep/er/and/deeper/missing/", "missing.html"]


def _crawl_built(config: Path, out: Path, site_url: str) -> None:
    result = build_site(config, site_dir=out)
    assert result.ok, "\n".join(str(e) for e in result.errors + result.warnings)
    with serve_under(out, urlsplit(site_url).path) as base:
        crawl = crawl_site(base, site_url, MISSING)
    assert crawl.broken == []
    html = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    visited = {page[len(base):] or "index.html" for page in crawl.pages if not any(m in page for m in MISSING)}
    visited = {p + "index.html" if p.endswith("/") else p for p in visited}
    assert html <= visited, f"pages the crawl never reached: {sorted(html - visited)}"


def test_flagship_has_no_broken_reference_under_a_subpath(tmp_path: Path) -> None:
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    site_url = re.search(r"^site_url:\s*(\S+)", config, re.MULTILINE)
    assert site_url is not None and urlsplit(site_url[1]).path.strip("/"), "the flagship needs a sub-path site_url"
    _crawl_built(REPO / "mkdocs.yml", tmp_path / "site", site_url[1])


def test_scaffolded_site_has_no_broken_reference_under_a_subpath(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    create_project(tmp_path / "my-explainer")
    monkeypatch.setenv("SITE_URL", "https://someone.github.io/my-explainer/")
    _crawl_built(tmp_path / "my-explainer" / "mkdocs.yml", tmp_path / "site",
                 "https://someone.github.io/my-explainer/")


DEEP = {
    "content/index.md": "# Home\n\n[Deep](a/b/c/deep.md#findings), [data](data/points.csv), ![dot](img/dot.png)\n",
    "content/a/b/c/deep.md": "---\ntitle: Deep\ndate: 2025-01-01\n---\n## Findings\n\n"
                             "[Home](../../../index.md), [side](../side.md#notes), ![dot](../../../img/dot.png)\n",
    "content/a/b/side.md": "# Side\n\n## Notes\n\nSee [deep](c/deep.md).\n",
    "content/data/points.csv": "x,y\n1,2\n",
}
DOT = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d4944415478da63f8cfc0f01f0005000201a5f7d4a30000000049454e44ae426082")


@pytest.mark.parametrize("directory_urls", [True, False])
def test_deep_pages_have_no_broken_reference_under_a_subpath(tmp_path: Path, directory_urls: bool) -> None:
    config = MINIMAL_CONFIG + f"use_directory_urls: {str(directory_urls).lower()}\n"
    root = write_site(tmp_path / "deep", DEEP, config)
    (root / "content" / "img").mkdir()
    (root / "content" / "img" / "dot.png").write_bytes(DOT)
    _crawl_built(root / "mkdocs.yml", tmp_path / "site", "https://example.org/repo/")
