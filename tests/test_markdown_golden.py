"""Golden fixtures: markdown → HTML for every syntax feature of the engine (tests/fixtures/*.md).

Each fixture file holds cases in markdown-it's format (title, `.`, markdown, `.`, expected, `.`).
Pages are rendered as in a real build, with a fixed site of pages and files so links resolve; a
title ending `(from PATH)` renders the case as the page at PATH (default `index.md`). Problems the
engine records are appended to the expected HTML as `error:` lines, anchors to check as `anchor:`.
`UPDATE_GOLDEN=1` rewrites the expected parts from the current output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from site_builder.markdown.engine import MarkdownOptions, RenderedMarkdown, create_md, render_markdown
from site_builder.markdown.links import LinkContext, SiteLinks
from tests.golden_files import UPDATE, fixture_cases, write_fixture_file

FIXTURES = Path(__file__).parent / "fixtures"
FILES = sorted(FIXTURES.glob("*.md"))
OPTIONS = {"raw_html_off.md": MarkdownOptions(raw_html=False)}
SITE = SiteLinks(
    pages={"index.md": "", "about.md": "about/", "guide/index.md": "guide/", "guide/intro.md": "guide/intro/",
           "guide/deep/page.md": "guide/deep/page/"},
    files={"img/chart.png": "img/chart.png", "guide/img/local.png": "guide/img/local.png",
           "data/downloads.csv": "data/downloads.csv"},
)
_FROM = re.compile(r"\(from ([^)]+)\)$")


def render_case(title: str, markdown: str, options: MarkdownOptions) -> str:
    match = _FROM.search(title)
    page = match.group(1) if match else "index.md"
    links = LinkContext(page, f"content/{page}", SITE, markdown.splitlines(), 1)
    return _describe(render_markdown(create_md(options), markdown, links))


def _describe(rendered: RenderedMarkdown) -> str:
    lines = [f"error: {e}\n" for e in rendered.errors]
    lines += [f"anchor: {a.written} → {a.page}#{a.anchor} ({a.position})\n" for a in rendered.anchor_links]
    return rendered.html + "".join(lines)


def _regenerate() -> None:
    """Rewrite every fixture's expected part from the current output (UPDATE_GOLDEN=1)."""
    for path in FILES:
        options = OPTIONS.get(path.name, MarkdownOptions())
        cases = [(title, given, render_case(title, given, options)) for _, title, given, _ in fixture_cases(path)]
        write_fixture_file(path, cases)


def _cases() -> list[object]:
    if UPDATE:
        _regenerate()
    return [pytest.param(path, title, given, expected, id=f"{path.stem}:{line}")
            for path in FILES for line, title, given, expected in fixture_cases(path)]


def test_every_feature_has_a_fixture() -> None:
    names = {p.stem for p in FILES}
    assert {"tables", "strikethrough", "footnotes", "admonitions", "deflists", "attributes", "tasklists",
            "typography", "headings", "figures", "raw_html_on", "raw_html_off", "links", "unsafe_links", "raw_html_links",
            "duplicate_ids"} <= names


@pytest.mark.parametrize(("path", "title", "given", "expected"), _cases())
def test_golden(path: Path, title: str, given: str, expected: str) -> None:
    options = OPTIONS.get(path.name, MarkdownOptions())
    assert render_case(title, given, options) == expected
