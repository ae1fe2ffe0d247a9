"""Chart modules (`charts/NAME.py`) run outside the build's process, with a time limit.

An author's `chart(data)` can loop, end its process (`os._exit`, a crash in C code) or change
global state (monkeypatch `json`, `os.chdir`). So one build has one worker process (started from
the charts' fork server, altair already imported) that is sent the site's data once; for each
module it forks a child that imports the module, calls `chart(data)` and writes back the spec as
JSON or a positioned error, then exits, so no module sees what another changed. The worker stops
a child that runs over its time (first a signal that raises at the line it is on, then a kill),
and the build's process, on any thread, waits for the worker with a timeout too and kills it if
it does not answer. This is about robustness, not a sandbox: a module can still read and write
files like any program its author runs.
"""

from __future__ import annotations

import contextlib
import faulthandler
import importlib.util
import multiprocessing
import os
import re
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from json import dumps as json_dumps  # json's and pickle's functions bound now: a module may replace them
from json import loads as json_loads
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from pickle import HIGHEST_PROTOCOL
from pickle import dumps as pickle_dumps
from pickle import loads as pickle_loads
from typing import Any

import altair as alt

from site_builder.charts.workers import start_worker, stop_worker
from site_builder.dependencies import BuildProcessOnly
from site_builder.errors import SourcePosition, UserError
from site_builder.xmltext import SURROGATE_ESCAPE, encodable

GRACE_SECONDS = 2.0
"""After its time is up, how long a module has to stop at its line before it is killed."""
MEMORY_BYTES = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
"""A module's process may use half the machine's memory: beyond, its allocation fails (MemoryError at
its line) instead of the system killing a process to make room, maybe the build or the preview."""
MAX_SPEC_BYTES = 20_000_000
"""A module's spec, its data inlined, may be at most this big as JSON (a data file may have 10 MB,
`load.MAX_DATA_BYTES`): 400,000 rows made a 190 MB page, 4 GB of memory and 75 s of build."""
_FIX_HINT = "fix the Python code at this line"
_LOOP_HINT = "check the loop at this line; aggregate big data before charting it"
_ENDED_HINT = ("a chart module must return its chart: do not call `os._exit`, and check what C code it calls "
               "(a crash or running out of memory also ends it)")
Reply = tuple[Any, ...]
"""From the worker: ("spec", JSON text), ("error", message, line, column, hint), ("ended", why, line),
or ("stopped",) for a module killed after its time and grace."""
_LENGTH = 8
"""Bytes of the reply's length, written before it."""
_FRAME = re.compile(r'^\s*File "(.*)", line (\d+)', re.MULTILINE)
"""A frame in faulthandler's dump of a crashed process (innermost first)."""


@dataclass(frozen=True)
class Request:
    """One module to run. The limits travel with it: the worker does not see this process's settings."""

    file: Path
    rel: str
    cwd: str
    """The build's current folder, the module's too (the worker's is the fork server's)."""
    seconds: float
    grace: float
    memory: int


class ModuleRunner:
    """The chart modules of one build: one worker process, started at the first module."""

    def __init__(self) -> None:
        self._worker: tuple[BaseProcess, Connection] | None = None
        self._data: object = None
        """The data the worker holds (compared by identity: one build's data is one object)."""

    def run(self, file: Path, rel: str, data: dict[str, Any], seconds: float) -> dict[str, Any]:
        """The spec `chart(data)` in `file` returns, or a UserError at the module's line."""
        if multiprocessing.parent_process() is not None:
            raise BuildProcessOnly(rel)
        try:
            conn = self._worker_for(data)
            conn.send(Request(file, rel, os.getcwd(), seconds, GRACE_SECONDS, MEMORY_BYTES))
            # The worker answers within the module's time and the grace; later, it is stuck itself.
            if conn.poll(seconds + 2 * GRACE_SECONDS + 1):
                reply = conn.recv()
            else:
                self.close()
                reply = ("stopped",)
        except (EOFError, OSError):  # the worker itself died (the system ran out of memory)
            reply = ("ended", how_it_ended(self.close()), 1)
        return _spec_or_error(reply, rel, seconds)

    def _worker_for(self, data: dict[str, Any]) -> Connection:
        if self._worker is not None and self._data is not data:
            self.close()
        if self._worker is None:
            process, conn = start_worker(serve_modules, name="site-builder chart modules")
            self._worker, self._data = (process, conn), data
            conn.send_bytes(pickle_dumps(data, HIGHEST_PROTOCOL))
            conn.recv()  # ready: a module's time starts once the worker has the data
        return self._worker[1]

    def close(self) -> int | None:
        """End the worker (at the end of the build's modules, or when it is stuck); its exit code."""
        if self._worker is None:
            return None
        process, conn = self._worker
        self._worker, self._data = None, None
        return stop_worker(process, conn, kill=True)


def how_it_ended(exit_code: int | None) -> str:
    """A process's end as authors read it (negative exit codes are signals, as multiprocessing has them)."""
    return f"killed by signal {-exit_code}" if exit_code is not None and exit_code < 0 else f"exit code {exit_code}"


def _spec_or_error(reply: Reply, rel: str, seconds: float) -> dict[str, Any]:
    kind, *rest = reply
    if kind == "spec":
        spec: dict[str, Any] = json_loads(rest[0])
        return encodable(spec) if SURROGATE_ESCAPE.search(rest[0]) else spec
    if kind == "error":
        message, line, column, hint = rest
        raise UserError(message, SourcePosition(rel, line, column), hint)
    if kind == "ended":
        raise UserError(f"chart module ended the process ({rest[0]})", SourcePosition(rel, rest[1]), _ENDED_HINT)
    raise UserError(_too_long(seconds), SourcePosition(rel), _LOOP_HINT)


def _too_long(seconds: float) -> str:
    return f"chart module ran for over {seconds:g} s and was stopped"


def serve_modules(conn: Connection) -> None:
    """The worker: the site's data once, then requests until the build ends."""
    try:
        data = pickle_loads(conn.recv_bytes())
        _warm_up()
        conn.send("ready")
        while True:
            conn.send(_in_child(conn.recv(), data))
    except (EOFError, OSError):  # the build closed its end
        return


def _warm_up() -> None:
    """The first Altair chart in a process compiles Altair's patterns and the like (about 10 ms of
    a typical module's 25 ms); made once here, every module's fork starts with them."""
    alt.Chart(alt.InlineData(values=[{"a": 1}])).mark_bar().encode(x="a:Q", y="count():Q").to_dict(validate=False)


def _in_child(request: Request, data: Any) -> Reply:
    """Run one module in a child of the worker, which has the data without copying it (the child's
    changes to it are its own)."""
    read_end, write_end = os.pipe()
    with tempfile.TemporaryFile() as crash_log:
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read_end)
            faulthandler.enable(crash_log)  # on a crash, the Python stack: the module's line
            _child_main(write_end, request, data)
        os.close(write_end)
        try:
            output, killed = _read_within(read_end, pid, request)
            status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        finally:
            # What the module started (a fork, a subprocess) is in the child's group: it ends with it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)
        if killed:
            return ("stopped",)
        if status == 0 and output:
            reply: Reply = pickle_loads(output)
            return reply
        crash_log.seek(0)
        return ("ended", how_it_ended(status), _crash_line(crash_log.read().decode(errors="replace"), request.file))


def _crash_line(dump: str, file: Path) -> int:
    """The module's innermost line in faulthandler's dump (1 if it has none: `os._exit` dumps nothing)."""
    return next((int(line) for name, line in _FRAME.findall(dump) if Path(name) == file), 1)


def _read_within(fd: int, pid: int, request: Request) -> tuple[bytes, bool]:
    """The child's reply (its length first: a process the module forked may hold the pipe open long
    after); after its time it is asked to stop at its line, after the grace killed."""
    received = bytearray()
    deadline, asked = time.monotonic() + request.seconds, False
    with os.fdopen(fd, "rb", buffering=0) as pipe:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                if asked:
                    os.kill(pid, signal.SIGKILL)
                    return b"", True
                os.kill(pid, signal.SIGUSR1)
                deadline, asked = time.monotonic() + request.grace, True
                continue
            if select.select([pipe], [], [], left)[0]:
                chunk = pipe.read(1 << 20)
                received += chunk
                size = int.from_bytes(received[:_LENGTH], "big") if len(received) >= _LENGTH else -1
                if not chunk or len(received) == _LENGTH + size:
                    return bytes(received[_LENGTH:]), False


def _child_main(fd: int, request: Request, data: Any) -> None:
    """Run the module and write the reply; the process ends here whatever the module does."""
    code = 1
    try:
        os.setpgid(0, 0)  # a group of its own, so what the module starts can be ended with it
        signal.signal(signal.SIGUSR1, _stop)
        with contextlib.suppress(ValueError, OSError):  # not every system lets a process set it (macOS)
            resource.setrlimit(resource.RLIMIT_AS, (request.memory, request.memory))
        reply = _reply(request, data)
        signal.signal(signal.SIGUSR1, signal.SIG_IGN)
        with os.fdopen(fd, "wb") as pipe:
            payload = pickle_dumps(reply, HIGHEST_PROTOCOL)
            pipe.write(len(payload).to_bytes(_LENGTH, "big") + payload)
        code = 0
    finally:
        for stream in (sys.stdout, sys.stderr):  # what the module printed
            stream.flush()
        os._exit(code)


def _reply(request: Request, data: Any) -> Reply:
    file, rel = request.file, request.rel
    try:
        os.chdir(request.cwd)
        return ("spec", _spec_text(file, rel, data))
    except UserError as exc:
        return ("error", exc.message, exc.position.line, exc.position.column, exc.hint)
    except TooLong as exc:
        at = _failing_line(exc, file, rel)
        return ("error", _too_long(request.seconds), at.line, at.column, _LOOP_HINT)
    except MemoryError as exc:
        at = _failing_line(exc, file, rel)
        return ("error", f"chart module ran out of memory (a module may use {request.memory / 1e9:.1f} GB)",
                at.line, at.column, "aggregate big data before charting it; do not build huge lists or strings")
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - an author's code may raise anything: report it at their line
        at = _failing_line(exc, file, rel)
        return ("error", f"chart module raised {type(exc).__name__}: {exc}", at.line, at.column, _FIX_HINT)


def _spec_text(file: Path, rel: str, data: Any) -> str:
    """The module's spec as JSON (dates and the like as strings, as Vega-Lite expects them)."""
    module_spec = importlib.util.spec_from_file_location(f"site_builder_chart_{abs(hash(rel))}", file)
    assert module_spec is not None and module_spec.loader is not None
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    if not callable(getattr(module, "chart", None)):
        raise UserError("chart module has no `chart(data)` function", SourcePosition(rel),
                        "define `def chart(data):` returning an Altair chart")
    chart = module.chart(data)
    spec = chart.to_dict(validate=False) if hasattr(chart, "to_dict") else chart
    if not isinstance(spec, dict):
        raise UserError("`chart(data)` must return an Altair chart or a dict", SourcePosition(rel),
                        "return e.g. `alt.Chart(df).mark_bar().encode(...)`")
    try:
        text = json_dumps(spec, default=str)  # every later step walks the spec recursively
    except (ValueError, RecursionError):
        raise UserError("`chart(data)` returned a dict that contains itself (or is nested thousands deep)",
                        SourcePosition(rel), "return a plain spec: each value written out once") from None
    if len(text) > MAX_SPEC_BYTES:
        raise UserError(f"`chart(data)` returned a spec of {len(text) / 1e6:.0f} MB; a chart takes at most "
                        f"{MAX_SPEC_BYTES / 1e6:.0f} MB", SourcePosition(rel),
                        "aggregate or sample the data in `chart(data)`: a browser cannot draw that many points")
    return text


class TooLong(BaseException):
    """Raised at the line a module is running when its time is up; not an `Exception`, so the
    module's own `except Exception:` does not swallow it."""


def _stop(signum: int, frame: object) -> None:
    raise TooLong


def _failing_line(exc: BaseException, file: Path, rel: str) -> SourcePosition:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return SourcePosition(rel, exc.lineno, exc.offset or 1)
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if Path(f.filename) == file]
    return SourcePosition(rel, frames[-1].lineno or 1, 1) if frames else SourcePosition(rel)
