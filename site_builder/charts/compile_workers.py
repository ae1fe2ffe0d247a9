"""Chart compiles in worker processes that the build can kill: a time limit and crash isolation.

vl-convert runs native code (Rust, V8) that no signal inside its process can interrupt, and a spec
can make it run for hours (a `loess` over a million rows) or abort its whole process (V8 out of
memory). So each chart compiles in a worker process fed one spec at a time over a pipe; the build's
process (on any thread: the preview builds on one) waits for all workers at once, with a timeout
set by the oldest running chart, and kills a worker whose chart runs over its time or notes the
one whose worker died. Either costs that one chart an error; a fresh worker takes what is left.
Unlike `concurrent.futures` (which cannot stop a running task), this keeps every failure to the
chart that caused it.
"""

from __future__ import annotations

import enum
import os
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any

from site_builder.charts.model import ChartOutput
from site_builder.charts.workers import start_worker, stop_worker

Compile = Callable[[dict[str, Any]], "ChartOutput | str"]


class Failed(enum.Enum):
    """Why a chart has no result: its worker died, or was killed after the time limit."""

    CRASHED = "crashed"
    TIMED_OUT = "timed out"


Result = ChartOutput | str | Failed


@dataclass(eq=False)  # compared by identity
class _Worker:
    process: BaseProcess
    conn: Connection
    job: int = -1
    """The index of the chart it is compiling."""
    started: float = 0.0


def compile_all(specs: list[dict[str, Any]], compile_one: Compile, workers: int,
                seconds: float) -> Iterator[Result]:
    """`compile_one(spec)` of every spec, in their order, as each is ready (later ones may be
    done first: they wait). At most `workers` run at once; each chart has `seconds`."""
    results: dict[int, Result] = {}
    todo = deque(range(len(specs)))
    busy: dict[Connection, _Worker] = {}
    try:
        for index in range(len(specs)):
            while index not in results:
                while todo and len(busy) < workers:
                    worker = _start(compile_one)
                    busy[worker.conn] = _give(worker, todo.popleft(), specs)
                for worker in _collect(busy, results, seconds):
                    if todo:  # the same worker takes the next chart: no process start per chart
                        _give(worker, todo.popleft(), specs)
                    else:
                        _stop(busy.pop(worker.conn))
            yield results.pop(index)
    finally:  # also when the caller stops early: no worker outlives the build's compile
        for worker in busy.values():
            _stop(worker, kill=True)


def _collect(busy: dict[Connection, _Worker], results: dict[int, Result], seconds: float) -> list[_Worker]:
    """Wait for a result, a dead worker or the oldest chart's time, whichever comes first; the
    workers now idle (a dead or killed one leaves `busy`)."""
    oldest = min(worker.started for worker in busy.values())
    ready = wait(list(busy), timeout=max(0.0, oldest + seconds - time.monotonic()))
    idle = []
    for worker in [w for w in busy.values() if w.conn in ready]:
        try:
            results[worker.job] = _result(worker.conn.recv())
            idle.append(worker)
        except (EOFError, OSError):  # the worker died: its chart ends the process
            results[worker.job] = Failed.CRASHED
            _stop(busy.pop(worker.conn), kill=True)
    now = time.monotonic()
    for worker in [w for w in busy.values() if w not in idle and now - w.started >= seconds]:
        results[worker.job] = Failed.TIMED_OUT
        _stop(busy.pop(worker.conn), kill=True)
    return idle


def _result(sent: ChartOutput | str | _WorkerBug) -> ChartOutput | str:
    if isinstance(sent, _WorkerBug):
        raise sent  # a bug in our code, not the author's: the build stops with its traceback
    return sent


def _start(compile_one: Compile) -> _Worker:
    return _Worker(*start_worker(_serve, compile_one, name="site-builder chart compile"))


def _give(worker: _Worker, job: int, specs: list[dict[str, Any]]) -> _Worker:
    worker.job, worker.started = job, time.monotonic()
    try:
        worker.conn.send(specs[job])
    except OSError:  # it died between charts (or could not start): the wait sees its end, CRASHED
        pass
    return worker


def _stop(worker: _Worker, kill: bool = False) -> None:
    stop_worker(worker.process, worker.conn, kill)


def _serve(conn: Connection, compile_one: Compile) -> None:
    """A worker: compile each spec it is sent until the build closes the pipe."""
    _silence_native_errors()
    while True:
        try:
            spec = conn.recv()
        except EOFError:
            return
        try:
            result: ChartOutput | str | _WorkerBug = compile_one(spec)
        except Exception:  # noqa: BLE001  # a bug: passed on whole (stderr is silenced)
            result = _WorkerBug(f"compiling a chart in a worker failed:\n{traceback.format_exc()}")
        conn.send(result)


class _WorkerBug(Exception):
    """An exception in a worker's compile, with the worker's traceback in its message."""


def _silence_native_errors() -> None:
    """A renderer that aborts dumps V8's C stack on stderr; the build reports it at the chart instead.
    (Python errors in a worker reach the build through its result, not through stderr.)"""
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
