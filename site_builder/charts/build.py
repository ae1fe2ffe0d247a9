"""One build's charts: fence handler, parallel compile with the cache, HTML, and written files.

Fences are handled while pages render (load + validate, synchronously, so errors carry the fence's
position) and leave a placeholder; once every page is rendered, `compile` turns all new charts
into outputs in worker processes (`compile_workers`: parallel, killable), and `fill` swaps placeholders for
figures. `write` puts the runtime and each chart's downloads under `assets/charts/` in the site.
The handler's effects on the build (a job, errors) go through `dependencies.effect`, so the live
preview can reuse a page's render and still compile and fill its charts.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.charts.cache import ChartCache, chart_key
from site_builder.charts.compile_workers import Failed, compile_all
from site_builder.charts.csv_download import to_csv
from site_builder.charts.html import ChartLinks, chart_figure, json_for_script
from site_builder.charts.load import ChartContext, inline_data, load_chart
from site_builder.charts.model import ChartJob, ChartOutput
from site_builder.charts.render import THEMES, compile_one, follows_column
from site_builder.charts.validate import channel_errors, field_errors, schema_errors
from site_builder.charts.workers import start_workers_early
from site_builder.content.yaml_source import ValidationErrors
from site_builder.dependencies import declares_inputs, effect
from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.engine import MarkdownOptions, render_markdown, shared_md
from site_builder.markdown.fences import FenceBlock
from site_builder.markdown.links import relative_url
from site_builder.memory import forgettable
from site_builder.output import write_or_link
from site_builder.render_pool import usable_cpus

ASSETS = Path(__file__).parent / "assets"
OUT_DIR = "assets/charts"
INLINE_SPEC_BYTES = 100_000
"""A compiled spec (with its data) bigger than this is fetched from a file instead of inlined."""
PROGRESS_FROM = 10
"""From this many new charts, the build says that it is compiling them."""
EFFECT = "chart"
"""The kind of effect a chart fence has on the build (`Site.effects`): its job and errors."""
_FIGURES: dict[tuple[Any, ...], str] = {}
_FIGURES_KEPT = 128
forgettable(_FIGURES.clear)
_FAILED: dict[str, Failed] = {}
"""Charts that crashed the renderer or ran over `CHART_SECONDS` in this process, by key: a preview
rebuild does not spend that time again on a chart the author has not changed (an edit changes its key)."""
forgettable(_FAILED.clear)
_NONCE = secrets.token_hex(8)
"""In placeholders, so an author's HTML comment cannot pose as one. Per process, not per build: the
preview reuses a page's render (placeholders included) across builds; it never reaches the output."""


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
    _on_page: dict[str, int] = field(default_factory=dict)
    """Charts so far per page: a chart's placeholder and element id number it within its page."""
    _workers_started: bool = False
    """Whether a chart not in the cache was added, which started the compile workers early."""
    seconds: dict[str, float] = field(default_factory=lambda: {"validate": 0.0, "compile": 0.0})
    """Time spent per stage, for `bench/charts.py`."""

    @declares_inputs  # the chart loader records every file and data value it reads
    def handle(self, block: FenceBlock) -> str:
        """The `chart` fence handler: validate now, leave a placeholder for the compiled figure."""
        started = time.perf_counter()
        problems: list[UserError] = []
        job = None
        try:
            job = self.job(block, problems)
        except UserError as exc:
            problems.append(exc)
        except ValidationErrors as exc:
            problems.extend(exc.errors)
        finally:
            self.seconds["validate"] += time.perf_counter() - started
        number = self._on_page.get(block.page, 0)
        effect(EFFECT, (job, problems), self.add)
        return "" if job is None else f"<!--sb-chart:{_NONCE}:{number}-->"

    def add(self, found: tuple[ChartJob | None, list[UserError]]) -> None:
        """A chart fence's job and errors, into this build (also for a page the preview reused)."""
        job, problems = found
        self.errors.extend(problems)
        if job is not None:
            self.jobs.append(job)
            self._on_page[job.page] = self._on_page.get(job.page, 0) + 1
            # Here rather than in the handler: a page rendered in a worker process (render_pool)
            # reaches the build through this method.
            if not self._workers_started and not self.cache.has(job.key):
                self._workers_started = True
                start_workers_early()

    def job(self, block: FenceBlock, problems: list[UserError]) -> ChartJob | None:
        """The fence's chart, or None with its `problems` added."""
        loaded = load_chart(block.body, block.args, block.position, self.context)
        # JSON round trip: YAML dates and the like become the strings Vega-Lite expects.
        spec = json.loads(json.dumps(inline_data(loaded.spec, loaded.locator, self.context), default=str))
        key = chart_key(spec)
        if not self.cache.has(key):  # a cached chart was valid when it was compiled
            found = schema_errors(loaded.spec, loaded.locator) or channel_errors(loaded.spec, loaded.locator)
            found += [] if found else field_errors(spec, loaded.locator)
            if found:
                problems.extend(found)
                return None
        return ChartJob(key, spec, loaded.meta, block.position, block.page, main_rows(spec))

    def compile(self) -> None:
        """Compile every chart not in the cache, in parallel when there are several."""
        self.context.modules.close()  # pages are rendered: no chart module is left to run
        started = time.perf_counter()
        todo = self._to_compile()
        if len(todo) >= PROGRESS_FROM:
            self.progress(f"compiling {len(todo)} charts ({len(self.jobs)} on pages) with {self.workers} workers")
        # Always in worker processes, even for one chart: see `compile_workers`.
        results = compile_all([job.spec for job in todo.values()], compile_one, self.workers, CHART_SECONDS)
        for job, result in zip(todo.values(), results, strict=True):
            if not isinstance(result, ChartOutput):
                self.errors.append(compile_error(result, job.position))
                if isinstance(result, Failed):
                    _FAILED[job.key] = result
            else:
                self.outputs[job.key] = result
                self.cache.put(job.key, result)
        self.seconds["compile"] += time.perf_counter() - started

    def _to_compile(self) -> dict[str, ChartJob]:
        """The charts neither compiled nor cached, by key; a chart that crashed the renderer or ran
        over its time earlier in this process (a preview session) is reported again at once."""
        todo: dict[str, ChartJob] = {}
        failed: set[str] = set()
        for job in self.jobs:
            if job.key in self.outputs or job.key in todo or job.key in failed:
                continue
            if (cached := self.cache.get(job.key)) is not None:
                self.outputs[job.key] = cached
            elif job.key in _FAILED:
                failed.add(job.key)
                self.errors.append(compile_error(_FAILED[job.key], job.position))
            else:
                todo[job.key] = job
        return todo

    def fill(self, page: str, html: str) -> str:
        """A page's HTML with its placeholders replaced by figures (runtime tags before the first)."""
        marker = f"<!--sb-chart:{_NONCE}:"
        if page not in self._on_page or marker not in html:
            return html
        first = True
        for number, job in enumerate(job for job in self.jobs if job.page == page):
            placeholder = f"{marker}{number}-->"
            if placeholder not in html:
                continue
            figure = self.figure(number, job)
            html = html.replace(placeholder, (self.runtime_tags(page) if first else "") + figure)
            first = False
        return html

    def figure(self, number: int, job: ChartJob) -> str:
        """The chart's `<figure>`; remembered by all it is made of (the live preview fills the same
        charts in every build, and scoping the SVGs' ids is most of it)."""
        output = self.outputs.get(job.key)
        if output is None:
            return ""
        # The key names the spec with its data (so the table and the outputs); the rest is the
        # page's URL, the texts around the chart and how captions render.
        key = (number, job.key, job.meta.model_dump_json(), self.page_url(job.page), self.caption_html)
        if (html := _FIGURES.get(key)) is None:
            html = _FIGURES[key] = self._figure(number, job, output)
            while len(_FIGURES) > _FIGURES_KEPT:
                del _FIGURES[next(iter(_FIGURES))]  # the oldest
        return html

    def _figure(self, number: int, job: ChartJob, output: ChartOutput) -> str:
        rel = self.url_from(job.page)
        spec_url = rel(f"{job.key}.vg.json") if len(json_for_script(output.vega)) > INLINE_SPEC_BYTES else None
        links = ChartLinks(csv=rel(f"{job.key}.csv") if job.table else None, svg=rel(f"{job.key}.svg"),
                           png=rel(f"{job.key}.png"), spec=spec_url)
        return chart_figure(f"sb-chart-{number}", output, job.meta, job.table, links,
                            follows_column(job.spec), self.caption_html)

    def url_from(self, page: str) -> Callable[[str], str]:
        page_url = self.page_url(page)
        return lambda name: relative_url(page_url, f"{OUT_DIR}/{name}")

    def runtime_tags(self, page: str) -> str:
        rel = self.url_from(page)
        return (f'<link rel="stylesheet" href="{rel("sb-charts.css")}">'
                f'<script src="{rel("sb-charts.js")}" defer></script>\n')

    def write(self, site_dir: Path, previous: Path | None = None) -> None:
        """The runtime (only if some page has a chart) and each chart's downloads; a download already
        in `previous` (the live preview's last output) is hard-linked: its name is its content hash."""
        if not self.jobs:
            return
        out = site_dir / OUT_DIR
        for file in sorted(f for f in ASSETS.rglob("*") if f.is_file()):
            rel = file.relative_to(ASSETS)
            data = file.read_bytes()
            if rel.as_posix() == "sb-charts.js":
                data = data.replace(b"__SB_THEMES__", json.dumps(THEMES).encode("utf-8"))
            write_or_link(out / rel, data, previous / OUT_DIR / rel if previous else None)
        for job in self.jobs:
            output = self.outputs.get(job.key)
            if output is None or (out / f"{job.key}.svg").exists():
                continue
            for name, content in _downloads(job, output):
                target, earlier = out / name, (previous / OUT_DIR / name if previous else None)
                if earlier is not None and earlier.is_file():
                    os.link(earlier, target)
                elif isinstance(content, bytes):
                    target.write_bytes(content)
                else:
                    target.write_text(content(), encoding="utf-8", newline="")  # the CSV's CRLF as made

    def prune_cache(self) -> int:
        """After a full build: drop cache entries this build did not use and none used for a month."""
        return self.cache.prune({job.key for job in self.jobs})


def _downloads(job: ChartJob, output: ChartOutput) -> list[tuple[str, bytes | Callable[[], str]]]:
    """A chart's files: name → bytes, or a function making the text (only called when written)."""
    files: list[tuple[str, bytes | Callable[[], str]]] = [
        (f"{job.key}.svg", lambda: output.svg_light), (f"{job.key}.png", output.png)]
    if job.table:
        files.append((f"{job.key}.csv", lambda: to_csv(job.table)))
    if len(json_for_script(output.vega)) > INLINE_SPEC_BYTES:
        files.append((f"{job.key}.vg.json", lambda: json_for_script(output.vega)))
    return files

def main_rows(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the chart's top-level data (inline or a named dataset), for table and CSV."""
    data = spec.get("data") or {}
    values = data.get("values") if isinstance(data, dict) else None
    if values is None and isinstance(data, dict) and isinstance(data.get("name"), str):
        values = (spec.get("datasets") or {}).get(data["name"])
    if not isinstance(values, list) or not all(isinstance(row, dict) for row in values):
        return []
    return values


def compile_error(failure: str | Failed, position: SourcePosition) -> UserError:
    """Why a chart did not compile, at its fence: vl-convert's message, a crash, or its time."""
    if failure is Failed.TIMED_OUT:
        return UserError(f"Vega-Lite could not compile this chart in {CHART_SECONDS:g} s", position, _SLOW_HINT)
    if failure is Failed.CRASHED:
        return UserError(f"Vega-Lite could not compile this chart: {CRASHED}", position, _CRASH_HINT)
    return UserError(f"Vega-Lite could not compile this chart: {failure}", position,
                     "check the spec against https://vega.github.io/vega-lite/docs/")


CHART_SECONDS = 60.0
"""How long one chart may compile; then its worker is killed and the chart is an error."""
CRASHED = "the chart renderer crashed on it, most likely out of memory"
_CRASH_HINT = ("make it smaller: a coarser `bin` step or fewer `maxbins`, fewer rows or `sequence` values, a smaller "
               "width or height")
_SLOW_HINT = ("make it cheaper: fewer rows or `sequence` values, or a cheaper transform (`loess`, `regression`, "
              "`density`, `window` over many rows are slow); aggregate the data first")


def default_workers() -> int:
    """Worker processes for compiling: the CPUs this process may use (at most 4)."""
    return max(1, min(4, usable_cpus()))


def caption_html(text: str) -> str:
    """A chart's caption: markdown with raw HTML off (captions are data, not trusted like a page)."""
    return render_markdown(shared_md(MarkdownOptions(raw_html=False)), text).html


def new_chart_build(root: Path, content_dir: Path, data: dict[str, Any], page_urls: dict[str, str],
                    progress: Callable[[str], None], data_dir: str = "data", files: Iterable[str] = ()) -> ChartBuild:
    """The charts of one build, caching under `.site-builder-cache/charts/` in the project root;
    `files`: the content's other files (a `.py` among them may be a chart module)."""
    if any(file.endswith(".py") for file in files):
        start_workers_early()  # chart modules run in a worker: its imports overlap the pages before one
    return ChartBuild(
        context=ChartContext(root=root, content_dir=content_dir.resolve(), data=data, data_dir=data_dir),
        cache=ChartCache(root / ".site-builder-cache" / "charts"),
        page_url=lambda page: page_urls.get(page, ""),
        caption_html=caption_html,
        workers=default_workers(),
        progress=progress,
    )
