"""A chart whose compile runs over `CHART_SECONDS` is an error at its fence: its worker process is
killed, the other charts compile, and neither `build` nor the live preview (on its thread) hangs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

import site_builder.charts.build as chart_build
from site_builder.charts import compile_workers
from site_builder.charts.build import new_chart_build
from site_builder.errors import SourcePosition
from site_builder.markdown.fences import FenceBlock
from site_builder.memory import forget
from tests.charts_helpers import BAR_CHART, chart_site, compile_or_abort
from tests.test_chart_modules import Preview
from tests.test_serve_equivalence import preview_config

LIMIT = 2.0
# Valid and small to write, but Vega's loess over a million rows runs for hours (one core busy).
HANGS = {"data": {"sequence": {"start": 0, "stop": 1000000, "step": 1, "as": "x"}},
         "transform": [{"calculate": "datum.x % 1000", "as": "k"}, {"loess": "x", "on": "k", "bandwidth": 0.9}],
         "mark": "line", "encoding": {"x": {"field": "k", "type": "quantitative"},
                                      "y": {"field": "x", "type": "quantitative"}}}
HANGING_PAGE = """\
# Slow

```chart
title: Slow
description: Never done.
source: {text: s}
data: {sequence: {start: 0, stop: 1000000, step: 1, as: x}}
transform:
  - {calculate: "datum.x % 1000", as: k}
  - {loess: x, "on": k, bandwidth: 0.9}
mark: line
encoding: {x: {field: k, type: quantitative}, y: {field: x, type: quantitative}}
```
"""
SLOW_ERROR = ("content/slow.md:3:1: Vega-Lite could not compile this chart in 2 s — make it cheaper: fewer rows or "
              "`sequence` values, or a cheaper transform")


@pytest.fixture(autouse=True)
def short_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_build, "CHART_SECONDS", LIMIT)
    forget()  # what an earlier test's slow chart left remembered in this process


@pytest.fixture
def workers_started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The process id of every compile worker started."""
    pids: list[int] = []
    real = compile_workers._start

    def start(compile_one: compile_workers.Compile) -> compile_workers._Worker:
        worker = real(compile_one)
        pids.append(worker.process.pid or 0)
        return worker

    monkeypatch.setattr(compile_workers, "_start", start)
    return pids


def assert_all_gone(pids: list[int]) -> None:
    """No worker is left running or unreaped (a killed one is reaped by the fork server)."""
    deadline = time.monotonic() + 5
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [pid for pid in pids if Path(f"/proc/{pid}").exists()] == []


def small(n: int) -> str:
    return json.dumps({"data": {"values": [{"x": i, "y": i * n} for i in range(5)]}, "mark": "point",
                       "encoding": {"x": {"field": "x", "type": "quantitative"},
                                    "y": {"field": "y", "type": "quantitative"}}})


@pytest.mark.parametrize("workers", [1, 2])
def test_a_chart_over_its_time_is_an_error_its_worker_is_killed_and_the_others_compile(
        tmp_path: Path, workers: int, workers_started: list[int]) -> None:
    build = new_chart_build(tmp_path, tmp_path / "content", {}, {"p.md": "p/"}, lambda message: None)
    build.workers = workers
    for body, line in ((small(0), 3), (json.dumps(HANGS), 9), (small(2), 3), (small(3), 3)):
        build.handle(FenceBlock("chart", "", body, SourcePosition("content/p.md", line), "p.md"))
    started = time.monotonic()
    build.compile()
    assert time.monotonic() - started < LIMIT + 20  # not forever: the limit, and three small charts
    assert [(e.position.line, e.message, e.hint.split(":")[0]) for e in build.errors] == [
        (9, "Vega-Lite could not compile this chart in 2 s", "make it cheaper")]
    assert len(build.outputs) == 3
    # One worker alone: a fresh one takes the charts left after the killed one. Two: the other one
    # compiles the three small charts while the slow one runs, so none is left for a fresh worker.
    assert len(workers_started) == 2
    assert_all_gone(workers_started)


def test_a_later_build_in_the_same_process_reports_the_slow_chart_at_once(
        tmp_path: Path, workers_started: list[int]) -> None:
    def build_with(bodies: list[str]) -> chart_build.ChartBuild:
        build = new_chart_build(tmp_path, tmp_path / "content", {}, {"p.md": "p/"}, lambda message: None)
        for line, body in enumerate(bodies, start=3):
            build.handle(FenceBlock("chart", "", body, SourcePosition("content/p.md", line), "p.md"))
        build.compile()
        return build

    build_with([json.dumps(HANGS)])
    first_workers = len(workers_started)
    started = time.monotonic()
    again = build_with([small(5), json.dumps(HANGS)])  # as a preview rebuild after another edit
    assert time.monotonic() - started < LIMIT
    assert [(e.position.line, e.message) for e in again.errors] == [(4, "Vega-Lite could not compile this chart in 2 s")]
    assert len(again.outputs) == 1 and len(workers_started) == first_workers + 1  # only the new chart compiled
    changed = build_with([json.dumps(HANGS | {"mark": "point"})])  # an edit: compiled (and timed) again
    assert [e.message for e in changed.errors] == ["Vega-Lite could not compile this chart in 2 s"]
    assert len(workers_started) > first_workers + 1
    assert_all_gone(workers_started)


def test_a_bug_in_a_workers_compile_stops_the_build_with_the_workers_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers_started: list[int]) -> None:
    monkeypatch.setattr(chart_build, "compile_one", compile_or_abort)
    build = new_chart_build(tmp_path, tmp_path / "content", {}, {"p.md": "p/"}, lambda message: None)
    for body in (small(0), json.dumps(json.loads(small(1)) | {"name": "bug"}), small(2)):
        build.handle(FenceBlock("chart", "", body, SourcePosition("content/p.md", 3), "p.md"))
    with pytest.raises(Exception, match=r"(?s)Traceback.*RuntimeError: a bug in the compile step"):
        build.compile()  # not an author's error at the chart, not a crash: the program's bug, with where it is
    assert_all_gone(workers_started)


def test_build_reports_the_slow_chart_at_its_fence_and_keeps_the_previous_output(
        tmp_path: Path, run_cli, workers_started: list[int]) -> None:  # type: ignore[no-untyped-def]
    root = chart_site(tmp_path, {"bar.md": "# Bar\n\n" + BAR_CHART})
    assert run_cli(root, "build").code == 0
    before = (root / "site/bar/index.html").read_bytes()
    (root / "content/slow.md").write_text(HANGING_PAGE, encoding="utf-8")
    (root / "content/other.md").write_text("# Other\n\n" + BAR_CHART.replace("mark: bar", "mark: point"))
    run = run_cli(root, "build")
    assert run.code == 1
    assert [line for line in run.err.splitlines() if line.startswith("content/")] == [
        SLOW_ERROR + " (`loess`, `regression`, `density`, `window` over many rows are slow); aggregate the data first"]
    assert (root / "site/bar/index.html").read_bytes() == before and not (root / "site/slow").exists()
    assert len(list((root / ".site-builder-cache/charts").rglob("*.json"))) == 2  # the other new chart compiled
    assert_all_gone(workers_started)


def test_the_preview_reports_a_slow_chart_and_recovers_when_it_is_fixed(tmp_path: Path) -> None:
    root = chart_site(tmp_path / "s", {"bar.md": "# Bar\n\n" + BAR_CHART},
                      {"mkdocs.yml": preview_config("Slow"), "templates/main.html": '{% extends "base.html" %}\n'})
    preview = Preview(root)
    try:
        assert preview.build().ok
        (root / "content/slow.md").write_text(HANGING_PAGE, encoding="utf-8")
        result = preview.build()
        assert [str(e) for e in result.errors if str(e).startswith(SLOW_ERROR)] and len(result.errors) == 1
        (root / "content/slow.md").write_text(HANGING_PAGE.replace("1000000", "100"), encoding="utf-8")
        result = preview.build()
        assert result.ok, result.errors
        assert 'class="sb-chart"' in (preview.previous / "slow/index.html").read_text(encoding="utf-8")  # type: ignore[operator]
    finally:
        preview.builder.close()
        preview.thread.shutdown()
