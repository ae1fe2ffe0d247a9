"""How the charts' worker processes start: chart compiles (`build`) and chart modules (`modules`).

A fork server imports the program once; every worker it forks starts in milliseconds with those
imports done, and it stays up for the next build under `serve`.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from typing import Any

WORKER_PRELOAD = ["site_builder.cli", "site_builder.charts.render"]
"""What the fork server imports once, so every worker it forks has it: the renderer (and altair), and
the program that multiprocessing imports again in each worker as `__main__` (`site-builder`, and
`mkdocs` or the bench, which import the same modules)."""


def worker_context() -> ForkServerContext | SpawnContext:
    """How workers start: never `fork`, as vl-convert's runtime threads in this process would not
    survive it. With `spawn`, every worker of every build would import the program again (about
    0.6 s of a core each) before its first task."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


def start_workers_early() -> None:
    """Start the fork server now, so its imports run while pages still render (it does not wait).
    Not from a page worker of the parallel build (a child process): the build's own process compiles."""
    if multiprocessing.parent_process() is None and worker_context().get_start_method() == "forkserver":
        multiprocessing.forkserver.ensure_running()


def start_worker(target: Callable[..., None], *args: Any, name: str) -> tuple[BaseProcess, Connection]:
    """A worker running `target(its end of a pipe, *args)`, and the build's end of that pipe."""
    context = worker_context()
    conn, child_end = context.Pipe()
    process = context.Process(target=target, args=(child_end, *args), daemon=True, name=name)
    process.start()
    child_end.close()  # so the worker sees the end of the pipe when the build's end closes
    return process, conn


def stop_worker(process: BaseProcess, conn: Connection, kill: bool) -> int | None:
    """End a worker: an idle one leaves at the end of its pipe, a busy or stuck one is killed; its exit code."""
    conn.close()
    if kill:
        process.kill()
    process.join()
    return process.exitcode
