"""One build's charts: fence handler, parallel compile with the cache, HTML, and written files.

Fences are handled while pages render (load + validate, synchronously, so errors carry the fence's
position) and leave a placeholder; once every page is rendered, `compile` turns all new charts
into outputs in a process pool (vl-convert is CPU-bound), and `fill` swaps placeholders for
figures. `write` puts the runtime and each chart's downloads under `assets/charts/` in the site.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.forkserver
import os
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.charts.cache import ChartCache, chart_key
from site_builder.charts.csv_download import to_csv
from site_builder.charts.html import ChartLinks, chart_figure, json_for_script
from site_builder.charts.load import ChartContext, inline_data, load_chart
from site_builder.charts.model import ChartJob, ChartOutput
from site_builder.charts.render import THEMES, compile_one, follows_column
from site_builder.charts.validate import channel_errors, field_errors, schema_errors
from site_builder.content.yaml_source import ValidationErrors
from site_builder.errors import UserError
from site_builder.markdown.engine import MarkdownOptions, create_md, render_markdown
from site_builder.markdown.fences import FenceBlock
from site_builder.markdown.links import relative_url

ASSETS = Path(__file__).parent / "assets"
OUT_DIR = "assets/charts"
INLINE_SPEC_BYTES = 100_000
"""A compiled spec (with its data) bigger than this is fetched from a file instead of inlined."""
PARALLEL_FROM = 10
"""Fewer new charts than this compile in-process: starting a worker (about a second) would cost more."""


@dataclass
class ChartBuild:
    context: ChartContext
    cache: ChartCache
    page_url: Callable[[str], str]
    """A page's source path (relative to the content root) → its URL relative to the site root."""
    caption_html: Callable[[str], str]
    workers: int = 2
    progress: Callable[[str], None] = lambda message: None
    jobs: list[ChartJob] = field(default_factory=list)
    outputs: dict[str, ChartOutput] = field(default_factory=dict)
    errors: list[UserError] = field(default_factory=list)
    new_charts: int = 0
    """Charts handled so far that are not in the cache."""
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))
    seconds: dict[str, float] = field(default_factory=lambda: {"validate": 0.0, "compile": 0.0})
    """Time spent per stage, for `bench/charts.py`."""

    def handle(self, block: FenceBlock) -> str:
        """The `chart` fence handler: validate now, leave a placeholder for the compiled figure."""
        started = time.perf_counter()
        try:
            job = self.job(block)
        except UserError as exc:
            self.errors.append(exc)
            return ""
        except ValidationErrors as exc:
            self.errors.extend(exc.errors)
            return ""
        finally:
            self.seconds["validate"] += time.perf_counter() - started
        if job is None:
            return ""
        self.jobs.append(job)
        return f"<!--sb-chart:{self.nonce}:{len(self.jobs) - 1}-->"

    def job(self, block: FenceBlock) -> ChartJob | None:
        loaded = load_chart(block.body, block.args, block.position, self.context)
        # JSON round trip: YAML dates and the like become the strings Vega-Lite expects.
        spec = json.loads(json.dumps(inline_data(loaded.spec, loaded.locator, self.context), default=str))
        key = chart_key(spec)
        if not self.cache.has(key):  # a cached chart was valid when it was compiled
            self.new_charts += 1
            if self.new_charts == PARALLEL_FROM and self.workers > 1:
                start_workers_early()
            problems = schema_errors(loaded.spec, loaded.locator) or channel_errors(loaded.spec, loaded.locator)
            problems += [] if problems else field_errors(spec, loaded.locator)
            if problems:
                self.errors.extend(problems)
                return None
        return ChartJob(key, spec, loaded.meta, block.position, block.page, main_rows(spec))

    def compile(self) -> None:
        """Compile every chart not in the cache, in parallel when there are several."""
        started = time.perf_counter()
        todo: dict[str, ChartJob] = {}
        for job in self.jobs:
            if job.key not in self.outputs and job.key not in todo:
                if (cached := self.cache.get(job.key)) is not None:
                    self.outputs[job.key] = cached
                else:
                    todo[job.key] = job
        if len(todo) >= PARALLEL_FROM:
            self.progress(f"compiling {len(todo)} charts ({len(self.jobs)} on pages) with {self.workers} workers")
        for job, result in zip(todo.values(), self._run(list(todo.values())), strict=True):
            if isinstance(result, str):
                self.errors.append(UserError(f"Vega-Lite could not compile this chart: {result}", job.position,
                                             "check the spec against https://vega.github.io/vega-lite/docs/"))
            else:
                self.outputs[job.key] = result
                self.cache.put(job.key, result)
        self.seconds["compile"] += time.perf_counter() - started

    def _run(self, jobs: list[ChartJob]) -> Iterator[ChartOutput | str]:
        """Outputs in the order of `jobs`, as they come (the caller caches each while others compile)."""
        specs = [job.spec for job in jobs]
        if len(jobs) < PARALLEL_FROM or self.workers < 2:
            yield from map(compile_one, specs)
            return
        with ProcessPoolExecutor(min(self.workers, len(jobs)), mp_context=worker_context()) as pool:
            # One chart per task: workers finish within a chart of each other (chunks of 12 left one
            # worker idle for half a second at the end), and a chart's IPC is small beside its compile.
            yield from pool.map(compile_one, specs)

    def fill(self, page: str, html: str) -> str:
        """A page's HTML with its placeholders replaced by figures (runtime tags before the first)."""
        marker = f"<!--sb-chart:{self.nonce}:"
        if marker not in html:
            return html
        first = True
        for index, job in enumerate(self.jobs):
            placeholder = f"{marker}{index}-->"
            if job.page != page or placeholder not in html:
                continue
            figure = self.figure(index, job)
            html = html.replace(placeholder, (self.runtime_tags(page) if first else "") + figure)
            first = False
        return html

    def figure(self, index: int, job: ChartJob) -> str:
        output = self.outputs.get(job.key)
        if output is None:
            return ""
        rel = self.url_from(job.page)
        spec_url = rel(f"{job.key}.vg.json") if len(json_for_script(output.vega)) > INLINE_SPEC_BYTES else None
        links = ChartLinks(csv=rel(f"{job.key}.csv") if job.table else None, svg=rel(f"{job.key}.svg"),
                           png=rel(f"{job.key}.png"), spec=spec_url)
        return chart_figure(f"sb-chart-{index}", output, job.meta, job.table, links,
                            follows_column(job.spec), self.caption_html)

    def url_from(self, page: str) -> Callable[[str], str]:
        page_url = self.page_url(page)
        return lambda name: relative_url(page_url, f"{OUT_DIR}/{name}")

    def runtime_tags(self, page: str) -> str:
        rel = self.url_from(page)
        return (f'<link rel="stylesheet" href="{rel("sb-charts.css")}">'
                f'<script src="{rel("sb-charts.js")}" defer></script>\n')

    def write(self, site_dir: Path) -> None:
        """The runtime (only if some page has a chart) and each chart's downloads."""
        if not self.jobs:
            return
        out = site_dir / OUT_DIR
        shutil.copytree(ASSETS, out, dirs_exist_ok=True)
        runtime = (ASSETS / "sb-charts.js").read_text(encoding="utf-8")
        (out / "sb-charts.js").write_text(runtime.replace("__SB_THEMES__", json.dumps(THEMES)), encoding="utf-8")
        for job in self.jobs:
            output = self.outputs.get(job.key)
            if output is None or (out / f"{job.key}.svg").exists():
                continue
            (out / f"{job.key}.svg").write_text(output.svg_light, encoding="utf-8")
            (out / f"{job.key}.png").write_bytes(output.png)
            if job.table:
                (out / f"{job.key}.csv").write_text(to_csv(job.table), encoding="utf-8", newline="")
            if len(json_for_script(output.vega)) > INLINE_SPEC_BYTES:
                (out / f"{job.key}.vg.json").write_text(json_for_script(output.vega), encoding="utf-8")

    def prune_cache(self) -> int:
        """After a full build: drop cache entries this build did not use and none used for a month."""
        return self.cache.prune({job.key for job in self.jobs})


def main_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the chart's top-level data (inline or a named dataset), for table and CSV."""
    data = spec.get("data") or {}
    values = data.get("values") if isinstance(data, dict) else None
    if values is None and isinstance(data, dict) and isinstance(data.get("name"), str):
        values = (spec.get("datasets") or {}).get(data["name"])
    if not isinstance(values, list) or not all(isinstance(row, dict) for row in values):
        return []
    return values


WORKER_PRELOAD = ["site_builder.cli", "site_builder.charts.render"]
"""What the fork server imports once, so every worker it forks has it: the renderer, and the program
that multiprocessing imports again in each worker as `__main__` (`site-builder`, and `mkdocs` or
the bench, which import the same modules)."""


def worker_context() -> multiprocessing.context.BaseContext:
    """How compile workers start: never `fork`, as vl-convert's runtime threads in this process would
    not survive it. A fork server forks each worker in milliseconds with the imports done, and stays
    up for the next build under `serve`; with `spawn`, every worker of every build would import the
    program again (about 0.6 s of a core each) before its first chart."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def start_workers_early() -> None:
    """Start the fork server now, so its imports run while pages still render (it does not wait)."""
    if worker_context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def default_workers() -> int:
    """Worker processes for compiling: the CPUs this process may use (at most 4)."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(4, usable))


def new_chart_build(root: Path, content_dir: Path, data: dict[str, Any], page_urls: dict[str, str],
                    progress: Callable[[str], None], data_dir: str = "data") -> ChartBuild:
    """The charts of one build, caching under `.site-builder-cache/charts/` in the project root."""
    caption_md = create_md(MarkdownOptions(raw_html=False))  # captions are data, not trusted like a page
    return ChartBuild(
        context=ChartContext(root=root, content_dir=content_dir.resolve(), data=data, data_dir=data_dir),
        cache=ChartCache(root / ".site-builder-cache" / "charts"),
        page_url=lambda page: page_urls.get(page, ""),
        caption_html=lambda text: render_markdown(caption_md, text).html,
        workers=default_workers(),
        progress=progress,
    )
