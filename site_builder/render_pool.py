"""A full build's pages rendered in worker processes before the host's page loop asks for them.

MkDocs renders pages one after another; a big site renders faster across cores. Just before its
page loop, the host hands every page here: forked workers inherit the loaded site (data, links,
parser, fence handlers: nothing is pickled on the way in), each reads, parses and renders pages
with a dependency record (`site_builder.dependencies`), and sends back the rendered page, the
sources it cited and its effects on the build (chart jobs, errors). The host's loop then takes each
result instead of rendering, and `replay` applies the cited sources and effects in page order, as
the live preview does for a reused render; the output is the same as a serial build's.

Anything a worker cannot vouch for renders in the host's process as before: a page whose record
is opaque (a fence handler that does not declare its inputs), one using a feature that runs only
there (`BuildProcessOnly`: chart modules), one whose result does not pickle,
one whose text changed since (another plugin's `on_page_markdown`), and every page a dead worker
left. Workers are forked only when that is safe (no other threads in this process) and worth it
(several usable cores, at least `MIN_PAGES` pages), else the build is serial. Workers never
compile charts: a chart fence only creates the job, which the host's process compiles later.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import pickle
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from site_builder.content.data import read_text
from site_builder.content.frontmatter import PageSource, parse_page
from site_builder.dependencies import BuildProcessOnly
from site_builder.errors import SourcePosition, UserError
from site_builder.page_cache import render_recorded, replay, source_key
from site_builder.pages import RenderedPage, Site

WORKERS_ENV = "SITE_BUILDER_WORKERS"
"""Environment variable: how many processes render pages, whatever the site's size (1: serial)."""
MIN_PAGES = 24
"""Fewer pages render serially. Measured on 2 cores: starting two workers and their first page cost
about 35 ms, a page of bench/pages.py about 4 ms of CPU, so two workers break even near 18 pages."""
MAX_WORKERS = 8
"""A cap: the build's own process takes every result in, alone."""
CHUNKS_PER_WORKER = 4
"""Pages go out in this many batches per worker, so workers finish close together."""


@dataclass(frozen=True)
class PageTask:
    """What reading and rendering one page needs besides the site."""

    page: str
    """The page's path relative to the content root."""
    source_path: str
    """Its path relative to the project root, for positions."""
    file: Path | None
    text: str = ""
    """A generated page's text (when `file` is None)."""

    def read(self) -> str:
        return self.text if self.file is None else read_text(self.file, self.source_path)


@dataclass
class Prerendered:
    rendered: RenderedPage
    cited: set[str]
    effects: list[tuple[str, Any]]


class Prerenders:
    """The workers' results, each taken once by the page loop."""

    def __init__(self, results: dict[str, Prerendered]) -> None:
        self._results = results

    def take(self, source: PageSource, page: str, site: Site) -> RenderedPage | None:
        """The page's render with its effects replayed into `site`, if a worker rendered this very source."""
        found = self._results.pop(page, None)
        if found is None or source_key(found.rendered.source) != source_key(source):
            return None
        replay(site, found.cited, found.effects)
        return dataclasses.replace(found.rendered, source=source)


def usable_cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def worker_count(pages: int) -> int:
    """Processes to render `pages` pages with; 1 means serially in this process."""
    forced = os.environ.get(WORKERS_ENV, "").strip()
    if forced and not (forced.isdigit() and int(forced) >= 1):
        raise UserError(f"{WORKERS_ENV} must be a whole number of processes, not `{forced}`",
                        SourcePosition(WORKERS_ENV), f"unset it, or set {WORKERS_ENV}=1 to render pages one by one")
    wanted = int(forced) if forced else min(MAX_WORKERS, usable_cpus()) if pages >= MIN_PAGES else 1
    # Threads do not survive a fork (a lock one holds stays locked in the child); macOS's system
    # libraries are not fork-safe either, which is why Python does not fork there by default.
    fork_safe = ("fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
                 and threading.active_count() == 1)
    return max(1, min(wanted, pages)) if fork_safe else 1


_WORK: tuple[Site, list[PageTask]] | None = None
"""Set just before forking: the workers inherit it."""


def prerender(tasks: list[PageTask], site: Site, workers: int) -> Prerenders:
    """Render `tasks` in `workers` forked processes; a page without a result renders in the caller."""
    global _WORK
    if workers < 2:
        return Prerenders({})
    _WORK = (site, tasks)
    size = max(1, len(tasks) // (workers * CHUNKS_PER_WORKER))
    gc.freeze()  # the workers' collections then leave the inherited objects' pages shared
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_render_chunk, start, start + size) for start in range(0, len(tasks), size)]
            loaded = ((page, _loaded(data)) for page, data in _finished(futures))
            return Prerenders({page: found for page, found in loaded if found is not None})
    finally:
        gc.unfreeze()
        _WORK = None


def _finished(futures: list[Future[list[tuple[str, bytes | None]]]]) -> list[tuple[str, bytes | None]]:
    """The results of the batches that completed: if a worker died, the pool is broken and the
    batches not done raise; their pages are left to the caller."""
    return [item for future in futures if future.exception() is None for item in future.result()]


def _loaded(data: bytes | None) -> Prerendered | None:
    """A worker's result, or None if it does not unpickle (an exception class whose `__init__` does
    not take its `args`, say): the caller renders the page."""
    try:
        return pickle.loads(data) if data is not None else None
    except Exception:  # noqa: BLE001 - what fails to unpickle is only known by trying
        return None


def _render_chunk(start: int, end: int) -> list[tuple[str, bytes | None]]:
    assert _WORK is not None, "runs in a worker forked by `prerender`"
    site, tasks = _WORK
    return [(task.page, _render_one(task, site)) for task in tasks[start:end]]


def _render_one(task: PageTask, site: Site) -> bytes | None:
    """A page's pickled `Prerendered`, or None to leave it to the caller."""
    try:
        source, _errors = parse_page(task.read(), task.source_path)  # the caller parses too and reports them
        rendered, cited, record = render_recorded(source, task.page, site, track_data=False)
        if record.opaque:
            return None
        return pickle.dumps(Prerendered(rendered, cited, record.effects), protocol=pickle.HIGHEST_PROTOCOL)
    except BuildProcessOnly:  # e.g. a chart module: the caller's process runs it
        return None
    except Exception:  # noqa: BLE001 - unreadable, unpicklable or a bug: the caller's render reports it
        return None
