"""Charts in a build: cache hits on rebuild, emitted HTML (golden), hostile strings stay text."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

import site_builder.charts.build as chart_build
import site_builder.charts.load as chart_load
import site_builder.charts.render as chart_render
from site_builder.charts import chart_block
from site_builder.charts.build import new_chart_build
from site_builder.charts.html import ChartLinks, chart_figure
from site_builder.charts.model import ChartMeta, ChartOutput, ChartSource
from site_builder.errors import SourcePosition
from site_builder.markdown.fences import FenceBlock
from tests.charts_helpers import BAR_CHART, chart_site, compile_or_abort

GOLDEN = Path(__file__).parent / "golden"


def fence(body: str, page: str = "p.md") -> FenceBlock:
    return FenceBlock("chart", "", body, SourcePosition(f"content/{page}", 3), page)


def make_build(root: Path, data: dict[str, object] | None = None) -> chart_build.ChartBuild:
    return new_chart_build(root, root / "content", data or {}, {"p.md": "p/"}, lambda message: None)


def spec(n: int) -> str:
    return json.dumps({"data": {"values": [{"x": i, "y": i * n} for i in range(5)]}, "mark": "line",
                       "encoding": {"x": {"field": "x", "type": "quantitative"},
                                    "y": {"field": "y", "type": "quantitative"}}})


def test_rebuild_takes_every_chart_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = make_build(tmp_path)
    for n in range(3):
        first.handle(fence(spec(n)))
    first.compile()
    assert (first.cache.hits, first.cache.misses, first.errors) == (0, 3, [])

    def no_compile(spec: object) -> object:
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(chart_render, "render_chart", no_compile)
    second = make_build(tmp_path)
    placeholders = [second.handle(fence(spec(n))) for n in range(3)]
    second.compile()
    assert (second.cache.hits, second.cache.misses) == (3, 0)
    html = second.fill("p.md", "\n".join(placeholders))
    assert html.count('<figure class="sb-chart"') == 3
    assert html.count("sb-charts.js") == 1


def test_changed_data_misses_the_cache(tmp_path: Path) -> None:
    first = make_build(tmp_path)
    first.handle(fence(spec(1)))
    first.compile()
    second = make_build(tmp_path)
    second.handle(fence(spec(1)))
    second.handle(fence(spec(2)))
    second.compile()
    assert (second.cache.hits, second.cache.misses) == (1, 1)


def test_parallel_compile_gives_the_same_output(tmp_path: Path) -> None:
    build = make_build(tmp_path / "a")
    build.workers = 2
    for n in range(2):
        build.handle(fence(spec(n)))
    build.compile()
    serial = make_build(tmp_path / "b")
    serial.workers = 1
    serial.handle(fence(spec(0)))
    serial.compile()
    key = build.jobs[0].key
    assert build.outputs[key].svg_light == serial.outputs[key].svg_light
    assert len(build.outputs) == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_a_chart_that_kills_the_renderer_is_an_error_and_the_others_compile(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int) -> None:
    monkeypatch.setattr(chart_build, "compile_one", compile_or_abort)  # workers import it by name
    build = make_build(tmp_path)
    build.workers = workers
    crashing = json.loads(spec(1)) | {"name": "abort"}
    for body, line in ((spec(0), 3), (json.dumps(crashing), 9), (spec(2), 3), (spec(3), 3)):
        build.handle(FenceBlock("chart", "", body, SourcePosition("content/p.md", line), "p.md"))
    build.compile()
    assert [(e.position.line, e.message.split(": ")[1], e.hint.split(":")[0]) for e in build.errors] == [
        (9, "the chart renderer crashed on it, most likely out of memory", "make it smaller")]
    assert len(build.outputs) == 3


def test_figure_html_matches_golden() -> None:
    output = ChartOutput(vega={"marks": [], "description": "</script><b>"}, width=640, height=300, png=b"",
                         svg_light='<svg width="640" height="300"><clipPath id="clip1"/>'
                                   '<g clip-path="url(#clip1)"/></svg>',
                         svg_dark='<svg width="640" height="300"></svg>')
    meta = ChartMeta(title='Downloads <script>alert(1)</script>', description='Share "by" origin',
                     source=ChartSource(text="Hugging Face", url="https://huggingface.co/?a=1&b=2"),
                     caption="Monthly *downloads*")
    rows = [{"origin": "China", "share": 0.6}, {"origin": '"><img src=x onerror=alert(1)>', "share": None}]
    links = ChartLinks(csv="../assets/charts/k.csv", svg="../assets/charts/k.svg", png="../assets/charts/k.png")
    html = chart_figure("sb-chart-0", output, meta, rows, links, True, lambda text: f"<p>{text}</p>")
    golden = GOLDEN / "chart_figure.html"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(html + "\n", encoding="utf-8")
    assert html + "\n" == golden.read_text(encoding="utf-8")


class Elements(HTMLParser):
    """Every element and attribute of a document, to look for injected ones."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_hostile_strings_in_data_title_and_caption_stay_text(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    hostile_chart = BAR_CHART.replace("title: Population by city", 'title: "</script><script>alert(3)</script>"') \
        .replace("caption: Millions of people, *2020*.", "caption: '<img src=x onerror=alert(4)> [x](javascript:alert(5))'")
    root = chart_site(tmp_path, {"sub/page.md": "# Charts\n\n" + hostile_chart})
    assert run_cli(root, "build").code == 0
    html = (root / "site/sub/page/index.html").read_text(encoding="utf-8")
    parser = Elements()
    parser.feed(html)
    inside = [(t, a) for t, a in parser.tags if t in {"img", "b"} or any(k.startswith("on") for k in a)]
    assert inside == []
    scripts = [a for t, a in parser.tags if t == "script"]
    assert [a.get("src") for a in scripts if "sb-charts" in (a.get("src") or "")] == ["../../assets/charts/sb-charts.js"]
    assert not any("alert" in code for code in re.findall(r"<script[^>]*>(.*?)</script>", html, re.DOTALL))
    assert not any("javascript:" in (a.get("href") or "") for _, a in parser.tags)


def test_chart_page_gets_runtime_and_downloads_chart_free_page_does_not(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = chart_site(tmp_path, {"sub/deep/page.md": "# Charts\n\n" + BAR_CHART})
    run = run_cli(root, "build")
    assert run.code == 0 and "1 chart" in run.err
    page = (root / "site/sub/deep/page/index.html").read_text(encoding="utf-8")
    assert 'src="../../../assets/charts/sb-charts.js"' in page
    [csv_link] = re.findall(r'href="([^"]+\.csv)" download', page)
    csv = (root / "site/sub/deep/page" / csv_link).resolve().read_text(encoding="utf-8")
    assert csv.splitlines()[0] == "city,pop,note" and "<script>alert(1)</script>" in csv
    assert csv.splitlines()[-1] == 'Brest,-0.1,"\'=HYPERLINK(""http://evil.example"",""x"")"'  # no live formula
    assert "sb-charts" not in (root / "site/index.html").read_text(encoding="utf-8")
    assert "Data for" not in (root / "site/search/search_index.json").read_text(encoding="utf-8")  # lean index


def test_inline_json_chart_as_generated_markdown_renders(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    """The timeline feature writes a `chart` fence with JSON and inline values into generated markdown."""
    body = json.dumps({"title": "Events per year", "data": {"values": [{"year": 2023, "events": 4}]},
                       "mark": "bar", "encoding": {"x": {"field": "year", "type": "ordinal"},
                                                   "y": {"field": "events", "type": "quantitative"}}})
    root = chart_site(tmp_path, {"t.md": f"# Timeline\n\n```chart\n{body}\n```\n"})
    assert run_cli(root, "build").code == 0
    assert "Events per year" in (root / "site/t/index.html").read_text(encoding="utf-8")


def test_big_data_is_fetched_from_a_file_relative_to_the_page(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    rows = "\n".join(f"{i},{i % 7},{'x' * 20}" for i in range(4000))
    chart = "```chart\ndata: {url: data/big.csv}\nmark: point\nencoding:\n  x: {field: a, type: quantitative}\n```\n"
    root = chart_site(tmp_path, {"sub/big.md": "# Big\n\n" + chart},
                      {"content/data/big.csv": "a,b,c\n" + rows + "\n"})
    assert run_cli(root, "build").code == 0
    page = (root / "site/sub/big/index.html").read_text(encoding="utf-8")
    [spec_url] = re.findall(r'data-sb-spec-url="([^"]+)"', page)
    assert spec_url.startswith("../../assets/charts/") and "sb-chart__spec" not in page
    spec = json.loads((root / "site/sub/big" / spec_url).resolve().read_text(encoding="utf-8"))
    assert len(spec["data"][0]["values"]) == 4000
    assert "First 500 of 4000 rows" in page


def test_a_spec_vega_lite_cannot_compile_is_an_error_at_the_fence(tmp_path: Path) -> None:
    build = make_build(tmp_path)
    build.handle(fence('{"data": {"values": [{"a": 1}]}, "transform": [{"calculate": "datum.a +* 2", "as": "b"}],'
                       ' "mark": "bar", "encoding": {"x": {"field": "b", "type": "quantitative"}}}'))
    build.compile()
    [error] = build.errors
    assert str(error).startswith("content/p.md:3:1: Vega-Lite could not compile this chart: ")
    assert "Unexpected token *" in str(error) and " at " not in str(error).split("—")[0]


def test_another_fence_handler_can_embed_a_chart(tmp_path: Path) -> None:
    """How the timeline draws its events-per-year chart from its own fence handler."""
    build = make_build(tmp_path)
    spec = {"title": "Events per year", "data": {"values": [{"year": 2024, "n": 3}]}, "mark": "bar",
            "encoding": {"x": {"field": "year", "type": "ordinal"}, "y": {"field": "n", "type": "quantitative"}}}
    events = FenceBlock("events", "", "", SourcePosition("content/p.md", 7), "p.md")
    html = "<div class=timeline>" + build.handle(chart_block(spec, events.position, events.page)) + "</div>"
    build.compile()
    filled = build.fill("p.md", html)
    assert build.errors == [] and "Events per year" in filled and 'class="sb-chart"' in filled


def test_yaml_dates_in_inline_values_chart_as_dates(tmp_path: Path) -> None:
    build = make_build(tmp_path)
    build.handle(fence("data: {values: [{day: 2024-01-31, n: 2}, {day: 2024-02-29, n: 3}]}\nmark: line\n"
                       "encoding:\n  x: {field: day, type: temporal}\n  y: {field: n, type: quantitative}\n"))
    build.compile()
    assert build.errors == [] and "Feb" in next(iter(build.outputs.values())).svg_light


def test_format_property_picks_the_rows_of_a_nested_data_file(tmp_path: Path) -> None:
    data = {"timeline": {"categories": {}, "events": [{"date": "2023-05-01"}, {"date": "2024-01-02"},
                                                      {"date": "2024-03-04"}]}}
    (tmp_path / "content" / "data").mkdir(parents=True)
    (tmp_path / "content" / "data" / "timeline.yaml").write_text("events: []\n", encoding="utf-8")
    body = ("data: {url: data/timeline.yaml, format: {type: json, property: %s}}\n"
            "transform: [{calculate: 'substring(datum.date, 0, 4)', as: year}]\nmark: bar\n"
            "encoding:\n  x: {field: year, type: ordinal}\n  y: {aggregate: count, type: quantitative}\n")
    build = make_build(tmp_path, data)
    build.handle(fence(body % "events"))
    build.compile()
    svg = next(iter(build.outputs.values())).svg_light
    assert build.errors == [] and "2023" in svg and "2024" in svg and "undefined" not in svg
    wrong = make_build(tmp_path, data)
    wrong.handle(fence(body % "rows"))
    wrong.compile()
    assert any("has no `rows`" in str(e) and ":4:" in str(e) for e in wrong.errors), [str(e) for e in wrong.errors]


def test_a_chart_file_over_the_data_limit_is_an_error_at_the_fence(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_load, "MAX_DATA_BYTES", 1000)
    (tmp_path / "content" / "charts").mkdir(parents=True)
    (tmp_path / "content" / "charts" / "big.json").write_text(spec(1) + " " * 1000, encoding="utf-8")
    build = make_build(tmp_path)
    build.handle(FenceBlock("chart", "charts/big.json", "", SourcePosition("content/p.md", 3), "p.md"))
    [error] = build.errors
    assert str(error).startswith("content/p.md:3:1: chart file `charts/big.json` is 0.0 MB; a chart takes at most 0.0 MB")
