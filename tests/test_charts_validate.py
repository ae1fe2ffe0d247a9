"""Chart mistakes are errors at the author's line: schema, fields, data files, chart modules, extras."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import site_builder.charts.load as chart_load
from site_builder.charts.build import new_chart_build
from site_builder.charts.load import ChartContext, inline_data, load_chart
from site_builder.charts.validate import channel_errors, field_errors, schema_errors
from site_builder.content.yaml_source import ValidationErrors
from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.fences import FenceBlock
from tests.charts_helpers import chart_site


def problems(body: str, tmp_path: Path, args: str = "") -> list[str]:
    """Messages (with positions) for a fence whose opening line is line 10 of content/p.md."""
    ctx = ChartContext(root=tmp_path, content_dir=tmp_path / "content",
                       data={"cities": [{"city": "Paris", "pop": 2.1}]})
    try:
        loaded = load_chart(body, args, SourcePosition("content/p.md", 10), ctx)
        found = schema_errors(loaded.spec, loaded.locator) or channel_errors(loaded.spec, loaded.locator)
        return [str(e) for e in found or field_errors(inline_data(loaded.spec, loaded.locator, ctx),
                                                      loaded.locator)]
    except UserError as exc:
        return [str(exc)]
    except ValidationErrors as exc:
        return [str(e) for e in exc.errors]


def test_misspelled_mark_is_reported_at_its_value(tmp_path: Path) -> None:
    body = "data: {values: [{a: 1}]}\nmark: bars\nencoding: {x: {field: a, type: quantitative}}\n"
    [message] = problems(body, tmp_path)
    assert message.startswith("content/p.md:12:7: invalid Vega-Lite at `mark`: 'bars' is not one of")
    assert "'bar'" in message


def test_unknown_property_names_the_key(tmp_path: Path) -> None:
    body = "data: {values: [{a: 1}]}\nmark: bar\nencoding:\n  x: {field: a, typ: quantitative}\n"
    [message] = problems(body, tmp_path)
    assert message.startswith("content/p.md:14:")
    assert "unknown Vega-Lite property `typ` in encoding.x" in message


def test_unknown_fields_list_the_columns_the_data_has(tmp_path: Path) -> None:
    body = ("data: {url: data/cities.csv}\nmark: bar\nencoding:\n  x: {field: cty, type: nominal}\n"
            "  tooltip: [{field: city}, {field: popp}]\n")
    (tmp_path / "content/data").mkdir(parents=True)
    (tmp_path / "content/data/cities.csv").write_text("city,pop\nParis,2.1\n")
    assert problems(body, tmp_path) == [
        "content/p.md:14:14: field `cty` is not in the chart's data — the data has: `city`, `pop`",
        "content/p.md:15:36: field `popp` is not in the chart's data — the data has: `city`, `pop`",
    ]


def test_fields_made_by_transforms_are_known(tmp_path: Path) -> None:
    body = ("data: {values: [{a: 1, b: 2}]}\ntransform:\n  - {calculate: datum.a * 2, as: double}\n"
            "  - {fold: [a, b]}\nmark: bar\nencoding:\n  x: {field: double, type: quantitative}\n"
            "  y: {field: key, type: nominal}\n  color: {field: value, type: quantitative}\n")
    assert problems(body, tmp_path) == []


def test_yes_no_on_off_are_text_in_a_chart_as_in_json(tmp_path: Path) -> None:
    body = ("data: {values: [{a: 1, k: 2, answer: yes}, {a: 2, k: 2, answer: No}]}\n"
            "transform:\n  - {loess: a, on: k}\nmark: {type: point, tooltip: true}\n"
            "encoding: {x: {field: k, type: quantitative}, y: {field: a, type: quantitative}}\n")
    assert problems(body, tmp_path) == []  # YAML 1.1 would make `on` the key `True`: not allowed in loess
    ctx = ChartContext(root=tmp_path, content_dir=tmp_path / "content", data={})
    spec = load_chart(body, "", SourcePosition("content/p.md", 10), ctx).spec
    assert spec["transform"] == [{"loess": "a", "on": "k"}] and spec["mark"]["tooltip"] is True
    assert [row["answer"] for row in spec["data"]["values"]] == ["yes", "No"]


def test_layers_inherit_data(tmp_path: Path) -> None:
    body = ('{"data": {"values": [{"a": 1}]}, "layer": [\n'
            '  {"mark": "bar", "encoding": {"x": {"field": "a", "type": "quantitative"}}},\n'
            '  {"mark": "rule", "encoding": {"x": {"field": "b", "type": "quantitative"}}}]}\n')
    [message] = problems(body, tmp_path)
    assert message.startswith("content/p.md:13:") and "field `b`" in message


def test_missing_data_file_is_an_error_at_the_url(tmp_path: Path) -> None:
    (tmp_path / "content").mkdir()
    [message] = problems("data: {url: data/nope.csv}\nmark: bar\n", tmp_path)
    assert message.startswith("content/p.md:11:13: data file `data/nope.csv` does not exist")


@pytest.mark.parametrize("url", ["https://example.org/x.csv", "/data/x.csv", "../x.csv"])
def test_data_must_be_a_local_relative_file(tmp_path: Path, url: str) -> None:
    [message] = problems(f"data: {{url: '{url}'}}\nmark: bar\n", tmp_path)
    assert "must be a path relative to the content folder" in message


def test_extra_keys_are_validated(tmp_path: Path) -> None:
    body = ("title: T\nsource: {text: S, url: 'javascript:alert(1)'}\ncaption: [not, text]\n"
            "data: {values: [{a: 1}]}\nmark: bar\n")
    found = problems(body, tmp_path)
    assert any(m.startswith("content/p.md:12:") and "source.url" in m and "http" in m for m in found)
    assert any(m.startswith("content/p.md:13:") and "caption" in m for m in found)


def test_chart_file_beside_vega_lite_keys_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/c.yaml").write_text("mark: bar\n")
    [message] = problems("title: ok\nmark: line\n", tmp_path, "charts/c.yaml")
    assert message.startswith("content/p.md:12:") and "`mark` is not allowed beside a chart file" in message


def test_errors_in_a_chart_file_point_into_that_file(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/c.yaml").write_text("data: {values: [{a: 1}]}\nmark: lines\n")
    [message] = problems("", tmp_path, "charts/c.yaml")
    assert message.startswith("content/charts/c.yaml:2:7: invalid Vega-Lite at `mark`")


def test_exception_in_chart_module_is_at_the_modules_line(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/m.py").write_text(
        "import altair as alt\n\n\ndef chart(data):\n    rows = data['missing']\n    return alt.Chart(rows)\n")
    [message] = problems("", tmp_path, "charts/m.py")
    assert message == ("content/charts/m.py:5:1: chart module raised KeyError: 'missing' — "
                       "fix the Python code at this line")


def test_chart_module_that_exits_is_an_error_not_a_silent_exit(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/m.py").write_text("import sys\n\n\ndef chart(data):\n    sys.exit(3)\n")
    [message] = problems("", tmp_path, "charts/m.py")
    assert message == "content/charts/m.py:5:1: chart module raised SystemExit: 3 — fix the Python code at this line"


def test_chart_module_that_loops_is_stopped_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_load, "MODULE_SECONDS", 0.3)
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/m.py").write_text("def chart(data):\n    while True:\n        pass\n")
    [message] = problems("", tmp_path, "charts/m.py")
    assert re.match(r"content/charts/m.py:[23]:1: chart module ran for over 0.3 s and was stopped — ", message)


def test_chart_module_returning_a_self_containing_dict_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/m.py").write_text("def chart(data):\n    d = {'mark': 'bar'}\n    d['usermeta'] = d\n"
                                                 "    return d\n")
    [message] = problems("", tmp_path, "charts/m.py")
    assert message.startswith("content/charts/m.py:1:1: `chart(data)` returned a dict that contains itself")


def test_chart_module_gets_the_site_data(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/m.py").write_text(
        "import altair as alt\n\n\ndef chart(data):\n"
        "    return alt.Chart(alt.Data(values=data['cities'])).mark_bar().encode(x='city:N', y='pops:Q')\n")
    [message] = problems("", tmp_path, "charts/m.py")
    assert message.startswith("content/charts/m.py:1:1: field `pops` is not in the chart's data")


def test_build_reports_every_chart_error_and_keeps_old_output(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = chart_site(tmp_path, {"a.md": "# A\n\n```chart\nmark: bars\n```\n\n```chart\ndata: {url: data/x.csv}\n```\n"})
    run = run_cli(root, "build")
    assert run.code == 1
    assert "content/a.md:4:7: invalid Vega-Lite at `mark`" in run.err
    assert "content/a.md:8:13: data file `data/x.csv` does not exist" in run.err
    assert "Traceback" not in run.err
    assert not (root / "site").exists()


def test_fence_keys_override_a_chart_files_and_are_checked_in_the_fence(tmp_path: Path) -> None:
    (tmp_path / "content/charts").mkdir(parents=True)
    (tmp_path / "content/charts/c.yaml").write_text("title: From file\ncaption: File caption\nmark: bar\n")
    ctx = ChartContext(root=tmp_path, content_dir=tmp_path / "content", data={})
    loaded = load_chart("caption: Fence caption\n", "charts/c.yaml", SourcePosition("content/p.md", 10), ctx)
    assert (loaded.meta.title, loaded.meta.caption) == ("From file", "Fence caption")
    assert loaded.spec == {"mark": "bar"}
    [message] = problems("source: {text: x, url: 'ftp://x'}\n", tmp_path, "charts/c.yaml")
    assert message.startswith("content/p.md:11:")


def test_channels_that_would_reach_the_network_are_refused(tmp_path: Path) -> None:
    body = ("data: {values: [{a: 1, u: 'https://example.org/x.png'}]}\nlayer:\n  - mark: image\n"
            "    encoding:\n      x: {field: a, type: quantitative}\n      url: {field: u}\n")
    [message] = problems(body, tmp_path)
    assert message.startswith("content/p.md:16:12: the `url` channel is not supported — remove it")


_KEYS = ["data", "url", "values", "mark", "encoding", "x", "field", "type", "layer", "transform",
         "as", "fold", "title", "caption", "source", "text", "condition", "href"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8),
                     st.sampled_from(["bar", "line", "quantitative", "data/x.csv", "a", "<script>"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                         st.dictionaries(st.sampled_from(_KEYS), inner, max_size=4)),
                       max_leaves=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(_KEYS), _values, max_size=5))
def test_any_chart_mapping_gives_a_chart_or_user_errors(tmp_path: Path, spec: dict[str, object]) -> None:
    (tmp_path / "content/data").mkdir(parents=True, exist_ok=True)
    (tmp_path / "content/data/x.csv").write_text("a,b\n1,2\n")
    build = new_chart_build(tmp_path, tmp_path / "content", {"x": [{"a": 1, "b": 2}]}, {"p.md": "p/"},
                            lambda message: None)
    html = build.handle(FenceBlock("chart", "", json.dumps(spec), SourcePosition("content/p.md", 3), "p.md"))
    assert html.startswith("<!--sb-chart:") or build.errors
