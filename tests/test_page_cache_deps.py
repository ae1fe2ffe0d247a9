"""The preview's dependency record, edge by edge: editing a file re-renders exactly the pages that
read it (charts, their data, chart modules, the timeline), and the result equals a clean build."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from site_builder.content.frontmatter import parse_page
from site_builder.dependencies import declares_inputs
from site_builder.host.incremental import PreviewBuilder
from site_builder.host.runner import build_site
from site_builder.markdown.engine import create_md
from site_builder.markdown.fences import FenceBlock
from site_builder.markdown.links import SiteLinks
from site_builder.page_cache import PageCache
from site_builder.pages import Site
from tests.conftest import write_site
from tests.test_serve_equivalence import assert_same_tree, preview_config

CHART = "title: {title}\ndata: {{url: data/nums.csv}}\nmark: bar\nencoding:\n  x: {{field: w, type: ordinal}}\n"
MODULE = ('def chart(data):\n    return {{"title": "{title}", "data": {{"values": [{{"n": len(data["nums"])}}]}},\n'
          '            "mark": "point", "encoding": {{"x": {{"field": "n", "type": "quantitative"}}}}}}\n')
TIMELINE = ("categories:\n  a: {{label: A, color: '#111111'}}\nevents:\n- date: 2024-01-02\n  title: {title}\n"
            "  category: a\n  body: '[Home](index.md)'\n")
FILES = {
    "content/index.md": "# Home\n\nHello.\n",
    "content/a.md": "# A\n\n```chart charts/a.yaml\n```\n",
    "content/b.md": "# B\n\n```chart charts/b.yaml\n```\n",
    "content/inline.md": ("# Inline\n\n```chart\ndata: {url: tables/t.csv}\nmark: point\n"
                          "encoding:\n  x: {field: k, type: quantitative}\n```\n"),
    "content/slice.md": "# Slice\n\n```timeline\ncategory: a\n```\n",
    "content/mod.md": "# Module\n\n```chart charts/m.py\n```\n",
    "content/charts/a.yaml": CHART.format(title="A"),
    "content/charts/b.yaml": "title: B\ndata: {values: [{w: 1}]}\nmark: bar\nencoding:\n  x: {field: w, type: ordinal}\n",
    "content/charts/m.py": MODULE.format(title="M"),
    "content/tables/t.csv": "k\n1\n2\n",
    "content/data/nums.csv": "v,w\n1,2\n3,4\n",
    "content/data/timeline.yaml": TIMELINE.format(title="First"),
    "templates/main.html": '{% extends "base.html" %}\n',
}


class Preview:
    """A site, its preview builder, and a clean build to compare every generation with."""

    def __init__(self, tmp: Path) -> None:
        self.tmp, self.root = tmp, write_site(tmp / "site", FILES, preview_config("Deps"))
        self.builder = PreviewBuilder(self.root / "mkdocs.yml")
        self.previous: Path | None = None
        self.step = 0

    def build(self) -> set[str]:
        """Build the next generation; the pages whose markdown was rendered (not reused)."""
        self.step += 1
        out = self.tmp / f"gen{self.step}"
        out.mkdir()
        result = self.result = self.builder.build(out, self.previous)
        assert result.ok or result.errors, result
        clean = build_site(self.root / "mkdocs.yml", site_dir=self.tmp / f"clean{self.step}")
        assert [str(e) for e in result.errors] == [str(e) for e in clean.errors]
        if result.ok:
            assert_same_tree(out, self.tmp / f"clean{self.step}", [f"step {self.step}"])
            self.previous = out
        return set(self.builder.rendered_sources)

    def write(self, rel: str, text: str) -> None:
        (self.root / rel).write_text(text, encoding="utf-8")


@pytest.fixture
def preview(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Preview]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    site = Preview(tmp_path)
    try:
        everything = site.build()
        assert {"a.md", "b.md", "mod.md", "slice.md", "timeline.md", "index.md"} <= everything
        yield site
    finally:
        site.builder.close()


EDGES: list[tuple[str, Callable[[Preview], None], set[str]]] = [
    ("nothing changed", lambda p: None, set()),
    ("a page's own text", lambda p: p.write("content/index.md", "# Home\n\nHello again.\n"), {"index.md"}),
    ("a chart file", lambda p: p.write("content/charts/a.yaml", CHART.format(title="A2")), {"a.md"}),
    # m.py is handed all of the data, so it depends on every data file.
    ("a CSV a chart reads", lambda p: p.write("content/data/nums.csv", "v,w\n5,2\n"), {"a.md", "mod.md"}),
    ("a CSV outside the data folder", lambda p: p.write("content/tables/t.csv", "k\n7\n"), {"inline.md"}),
    ("a chart module", lambda p: p.write("content/charts/m.py", MODULE.format(title="M2")), {"mod.md"}),
    ("timeline.yaml", lambda p: p.write("content/data/timeline.yaml", TIMELINE.format(title="Second")),
     {"timeline.md", "slice.md", "mod.md"}),
]


def test_each_input_re_renders_exactly_the_pages_that_read_it(preview: Preview) -> None:
    for what, edit, pages in EDGES:
        edit(preview)
        assert preview.build() == pages, f"after editing {what}"


def test_a_chart_file_deleted_then_restored(preview: Preview) -> None:
    chart = preview.root / "content/charts/b.yaml"
    text = chart.read_text()
    chart.unlink()
    # The set of files is an input of every page (any page may link to any file).
    assert "b.md" in preview.build()
    assert [e.position.path for e in preview.result.errors] == ["content/b.md"]
    chart.write_text(text)
    assert "b.md" in preview.build()
    assert preview.result.ok


def test_a_timeline_body_error_is_reported_even_when_its_pages_are_reused(preview: Preview) -> None:
    preview.write("content/data/timeline.yaml", TIMELINE.format(title="First").replace("index.md", "gone.md"))
    preview.build()
    preview.write("content/index.md", "# Home\n\nOther words.\n")
    assert preview.build() == {"index.md"}  # the timeline pages are reused: their errors are still there
    assert any("gone.md" in str(e) for e in preview.result.errors)


def test_a_chart_over_a_broken_csv_is_an_error_at_its_url(preview: Preview) -> None:
    preview.write("content/data/nums.csv", "v,w\n1,2,3\n")
    preview.build()
    assert not preview.result.ok
    assert any(e.position.path == "content/charts/a.yaml" and "could not be loaded" in e.message
               for e in preview.result.errors)


def test_a_bad_front_matter_key_is_reported_by_every_build(preview: Preview) -> None:
    """Parsed front matter is shared between builds: removing the bad key must not change it."""
    preview.write("content/index.md", "---\nicon: no/such-icon\n---\n\n# Home\n")
    for _ in range(2):
        preview.build()
        assert [e.message for e in preview.result.errors] == ["unknown icon `no/such-icon`"]


def _site_with(handler: Callable[[FenceBlock], str]) -> Site:
    return Site(md=create_md(), links=SiteLinks({"p.md": "p/"}, {}), fences={"x": handler})


def test_a_fence_that_does_not_declare_its_inputs_is_rendered_every_time() -> None:
    calls: list[str] = []

    def undeclared(block: FenceBlock) -> str:
        calls.append(block.body)
        return "<p>x</p>"

    source, _ = parse_page("# P\n\n```x\nbody\n```\n", "content/p.md")
    cache = PageCache()
    for _ in range(2):
        cache.render(source, "p.md", _site_with(undeclared))
    assert len(calls) == 2
    declared = declares_inputs(undeclared)
    for _ in range(2):
        cache.render(source, "p.md", _site_with(declared))
    assert len(calls) == 3, "a declared handler with unchanged inputs is not run again"
