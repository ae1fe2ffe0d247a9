"""Random pages, front matter, dates, data files and sources: each gives a result or our positioned
user errors, never another exception, within a bounded time per input (hypothesis `deadline`).

Timeline files and slice queries have their own property tests (test_timeline_property.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from site_builder.content.data import parse_data_file, read_text
from site_builder.content.frontmatter import parse_page
from site_builder.content.sources import SourceRegistry, registry_from_yaml
from site_builder.content.yaml_source import parse_yaml
from site_builder.errors import SourcePosition, UserError
from site_builder.layouts import layout_template
from site_builder.markdown.citations import sources_fence
from site_builder.markdown.engine import create_md
from site_builder.markdown.links import SiteLinks
from site_builder.pages import Site, render_page
from site_builder.timeline.model import EventDate

PAGE = "content/index.md"
BASE = Path(__file__).parent / "bad_inputs" / "_base"
SOURCES = "src1:\n  title: T\n  url: https://example.org/\n  publisher: P\n  date: 2024\n"
BOUNDED = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

# Pieces of markdown that exercise every feature of the engine, mixed with arbitrary text.
PIECES = ["# ", "## Title {#id}", "\n", "\n\n", "- ", "1. ", "> ", "| a | b |\n|---|---|\n| 1 | 2 |\n", "**", "_",
          "`", "```\n", "```timeline\n", "```sources\n", "~~~\n", "!!! note \"T\"\n    ", "[x](about.md#method)",
          "[y](missing.md)", "[z](#nowhere)", "![i](img/chart.png)", "![j](img/none.png)", "[@src1]", "[@nope]",
          "[^1]", "[^1]: note\n", "{{ data.downloads[0].country }}", "{{ data.nope.x }}", "{{ 1/0 }}", "{% for r in ",
          "{% endfor %}", "{%", "}}", "{#", "<script>alert(1)</script>", "<div>", "javascript:alert(1)",
          "[j](javascript:alert(1))", "<https://example.org>", "---\n", "Term\n: definition\n", "- [ ] task\n",
          "{.cls onclick=alert(1)}", "\t", "数据", "&amp;", "\\", "\r\n",
          # raw HTML whose links and ids are checked, and indented lines (code or not)
          '<a href="about.md#x">', "<img src='img/none.png' id=id>", '<a href="{{ data.downloads[0].country }}">',
          "<![", "    ",
          # chart fences (charts are drawn in the whole-site builds; the unit renders show them as code)
          "```chart\n", "mark: bar\n", "mark: [", "data: {url: data/downloads.csv}\n", "data: {values: [{a: 1}]}\n",
          "encoding:\n  x: {field: country, type: nominal}\n", "  y: {field: downloads, type: quantitative}\n",
          "title: {{ 1 }}\n", "caption: <b>x</b>\n"]
markdown_texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=25).map("".join)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10, 3000), st.floats(allow_nan=True), st.text(max_size=10),
                    st.dates(), st.sampled_from(["2024-02-30", "2024-13", "home", "article", "src1", "nope",
                                                 "{{ data.downloads[0].downloads }}", "{{ nope }}", "{% if %}"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                           max_size=3), max_leaves=6)
meta_keys = st.sampled_from(["title", "description", "date", "updated", "authors", "tags", "layout", "key_figures",
                             "template", "x"])
theme_keys = st.sampled_from(["title", "icon", "template", "hide", "status", "subtitle", "description", "layout",
                              "date", "search", "x"])
figures = st.lists(st.dictionaries(st.sampled_from(["value", "label", "source", "x"]), values, max_size=4), max_size=3)


def _site() -> Site:
    registry, errors = registry_from_yaml(parse_yaml(SOURCES, "content/data/sources.yaml"))
    assert not errors
    site = Site(md=create_md(), links=SiteLinks({"index.md": "", "about.md": "about/"}, {"img/chart.png": "img/chart.png"}),
                data={"downloads": [{"country": "China", "downloads": 1200}]}, sources=registry)
    site.fences["sources"] = sources_fence(registry)
    return site


def _render(text: str) -> list[UserError]:
    """Everything a page goes through in a build; returns its user errors (raising any other exception)."""
    source, errors = parse_page(text, PAGE)
    try:
        layout_template(source)
    except UserError as exc:
        errors.append(exc)
    rendered = render_page(source, "index.md", _site())
    return [*errors, *rendered.markdown.errors]


def _assert_positioned(errors: list[UserError], path: str, lines: int) -> None:
    for error in errors:
        assert isinstance(error, UserError)
        assert error.position.path == path
        assert 1 <= error.position.line <= lines + 1 and error.position.column >= 1, str(error)


def _last_line(text: str) -> int:
    """The number of the text's last line, counted as editors and our positions count them: a lone
    carriage return ends a line too."""
    return text.count("\n") + text.count("\r") - text.count("\r\n") + 1


@BOUNDED
@given(body=markdown_texts)
@example(body="\r\r{{ data.nope.x }}")  # lone carriage returns end lines: the error is on line 3
def test_random_markdown_renders_or_gives_positioned_errors(body: str) -> None:
    _assert_positioned(_render(body), PAGE, _last_line(body))


@BOUNDED
@given(meta=st.dictionaries(meta_keys, values, max_size=6), figures=figures, body=markdown_texts)
def test_random_front_matter_gives_a_page_or_positioned_errors(meta: dict[str, object], figures: list[object],
                                                               body: str) -> None:
    if figures:
        meta["key_figures"] = figures
    text = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" + body
    _assert_positioned(_render(text), PAGE, _last_line(text))


@BOUNDED
@given(header=st.lists(st.one_of(st.sampled_from(["title: ", "date: ", "- ", "  ", ": ", "'", '"', "[", "{", "---",
                                                  "\t", "&a", "*a", "!!python/object:os.system", "? "]),
                                 st.text(max_size=6)), max_size=15).map("".join))
def test_random_front_matter_text_is_parsed_or_rejected_with_a_position(header: str) -> None:
    text = f"---\n{header}\n---\n# Title\n"
    _assert_positioned(_render(text), PAGE, _last_line(text))


@settings(max_examples=200, deadline=200)
@given(value=st.one_of(st.text(max_size=12), st.integers(), st.dates(), st.datetimes(), st.floats(), st.none(),
                       st.from_regex(r"\A-?\d{1,5}(-\d{1,3}(-\d{1,3})?)?\Z")))
def test_random_dates_parse_or_say_why_not(value: object) -> None:
    """Timeline dates: an EventDate or a ValueError (which pydantic reports at the value's position)."""
    try:
        date = EventDate.parse(value)
    except ValueError as exc:
        assert str(exc)
    else:
        assert isinstance(date.first_day, dt.date) and date.first_day <= date.last_day
        assert date.iso and date.display


@settings(max_examples=60, deadline=2000)
@given(date=st.one_of(st.text(max_size=12), st.integers(-5, 99999), st.dates()),
       other=st.dictionaries(st.sampled_from(["title", "url", "publisher", "note", "x"]), scalars, max_size=4))
def test_random_sources_load_or_give_positioned_errors(date: object, other: dict[str, object]) -> None:
    text = yaml.safe_dump({"src1": {"date": date, **other}, "bad key!": {}}, allow_unicode=True)
    registry, errors = registry_from_yaml(parse_yaml(text, "content/data/sources.yaml"))
    assert isinstance(registry, SourceRegistry)
    _assert_positioned(errors, "content/data/sources.yaml", _last_line(text))


@settings(max_examples=120, deadline=2000)
@given(raw=st.one_of(st.binary(max_size=60),
                     st.lists(st.sampled_from(["a,b\n", "1,2\n", '"x', '""', ",", "\n", "\r\n", "\ufeff", "{", "}",
                                               "[", "]", ":", "- ", "é", "\t", "null"]), max_size=20)
                     .map(lambda parts: "".join(parts).encode("utf-8"))),
       suffix=st.sampled_from([".csv", ".json", ".yaml"]))
def test_random_data_files_load_or_give_positioned_errors(raw: bytes, suffix: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("data")
    file = folder / f"x{suffix}"
    file.write_bytes(raw)
    rel = f"content/data/x{suffix}"
    try:
        parse_data_file(read_text(file, rel), rel)
    except UserError as exc:
        _assert_positioned([exc], rel, raw.count(b"\n") + 1)


@settings(max_examples=12, deadline=10_000, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])
@given(meta=st.dictionaries(theme_keys, values, max_size=4), page=markdown_texts, data=st.binary(max_size=40))
def test_random_site_builds_or_fails_cleanly(meta: dict[str, object], page: str, data: bytes, tmp_path_factory,  # type: ignore[no-untyped-def]
                                            run_cli) -> None:
    """End to end: random front matter (with keys Material acts on), a random page and a random CSV;
    exit 0 or 1, never a traceback or an internal error."""
    root = tmp_path_factory.mktemp("site") / "root"
    shutil.copytree(BASE, root)
    header = "---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n" if meta else ""
    (root / "content" / "about.md").write_text(header + page, encoding="utf-8")
    (root / "content" / "data" / "releases.csv").write_bytes(data)
    result = run_cli(root, "build")
    assert result.code in (0, 1)
    assert "Traceback" not in result.err + result.out and "internal error" not in result.err


CHART_PIECES = ["mark: bar\n", "mark: [bar\n", "mark: {type: line, point: true}\n", "data: {url: data/x.csv}\n",
                "data: {url: https://e.org/x.csv}\n", "data: {url: data/none.csv}\n", "data: {values: [{a: 1}]}\n",
                "encoding:\n", "  x: {field: a, type: quantitative}\n", "  y: {field: zz, type: nominal}\n",
                "  x: {field: a, type: temporal, timeUnit: year}\n", "  color: {value: '#c33'}\n", "title: <b>T</b>\n",
                "caption: '[x](javascript:alert(1))'\n", "source: {text: S, url: 'javascript:x'}\n", "width: -5\n",
                "transform: [{filter: 'datum.a > 1'}]\n", "layer: [{mark: rule}]\n", "\t", "- ", ": ", "{", "'"]


@settings(max_examples=25, deadline=15_000, suppress_health_check=[HealthCheck.too_slow])
@example(body="data: {url: data/x.csv}\nmark: bar\nencoding:\n  x: {field: a, type: quantitative}\n")
@given(body=st.lists(st.one_of(st.sampled_from(CHART_PIECES), st.text(max_size=5)), max_size=10).map("".join))
def test_random_chart_yaml_gives_a_chart_or_positioned_errors(body: str, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Any text in a ```chart fence, compiled as in a build: a chart, or user errors in the page."""
    from site_builder.charts.build import new_chart_build
    from site_builder.markdown.fences import FenceBlock

    root = tmp_path_factory.mktemp("charts")
    (root / "content" / "data").mkdir(parents=True)
    (root / "content" / "data" / "x.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    build = new_chart_build(root, root / "content", {"x": [{"a": 1, "b": 2}]}, {"p.md": "p/"}, lambda message: None)
    try:
        html = build.handle(FenceBlock("chart", "", body, SourcePosition("content/p.md", 3), "p.md"))
        build.compile()
    except UserError as exc:
        build.errors.append(exc)
    else:
        assert html.startswith("<!--sb-chart:") or build.errors
    _assert_positioned(build.errors, "content/p.md", _last_line(body) + 3)
