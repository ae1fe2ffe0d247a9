"""Watching the sources: file events become one call per burst, with a polling fallback that says so.

Editors save in many ways — write in place, write a temp file and rename it over the original,
keep swap and lock files beside it. Events on swap, backup and lock files are ignored; a rename's
destination counts as a change; a burst of events (a save, a `git checkout`) becomes one call once
things are quiet. How long "quiet" is depends on the last event: after one that completes a change
— a file closed after writing, renamed into place or deleted — `settle` seconds (10 ms: the events
of one `git checkout` of 26 files come at most 1.3 ms apart, an atomic save's rename 0.02 ms after
its write); after one that may be followed by more of the same write (a file created or modified,
still open), `debounce` seconds (50 ms). The builder then compares the sources themselves, so a
missed or doubled event cannot make the preview wrong, only a rebuild more or less.

Where native events do not arrive (network mounts, some containers, exhausted inotify watches) the
watcher falls back to polling and says so. A probe file written at start-up checks that events
really arrive; `SITE_BUILDER_POLL=1` forces polling.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

_PROBE_PREFIX = ".site-builder-probe-"
# Vim swap/backup/test files, Emacs lock and backup files, JetBrains and GNOME safe-write temps.
_IGNORED = re.compile(
    r"(^\.#|~$|\.sw[a-p]$|^4913$|___jb_(tmp|old)___$|^\.goutputstream-|\.tmp$|\.crdownload$|^\.DS_Store$|"
    + re.escape(_PROBE_PREFIX) + ")"
)
_MAX_WAIT = 1.0
"""Seconds after the first event of a burst by which a rebuild starts even if events keep coming."""
_COMPLETE = {"closed", "moved", "deleted"}
"""Event types after which the file is in its final state (polling sees only created/modified/…)."""


def ignored(path: str) -> bool:
    return bool(_IGNORED.search(os.path.basename(path)))


class _Collector(FileSystemEventHandler):
    def __init__(self, watcher: SourceWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in {"opened", "closed_no_write"} or (event.is_directory and event.event_type == "modified"):
            return  # a folder's own "modified" comes with the event of the file that changed in it
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        self.watcher.notice([os.fsdecode(p) for p in paths if p], event.event_type in _COMPLETE)


class SourceWatcher:
    """Calls `on_change(paths)` in its own thread, once per burst of relevant events."""

    def __init__(self, folders: Iterable[Path], files: Iterable[Path], on_change: Callable[[set[str]], None],
                 debounce: float = 0.05, report: Callable[[str], None] = print, settle: float = 0.01) -> None:
        self.folders = [f for f in folders if f.is_dir()]
        self.files = {str(f) for f in files}
        self.on_change = on_change
        self.debounce = debounce
        self.settle = settle
        self.report = report
        self.polling = False
        self._pending: set[str] = set()
        self._first = self._last = 0.0
        self._quiet = debounce
        """The quiet time the last relevant event asks for (`settle` or `debounce`)."""
        self._wake = threading.Condition()
        self._stopping = False
        self._observer: BaseObserver | None = None
        self._probing: str | None = None
        self._probe_seen = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="site-builder-rebuild", daemon=True)

    def _relevant(self, path: str) -> bool:
        if ignored(path):
            return False
        return path in self.files or any(Path(path).is_relative_to(f) for f in self.folders)

    def notice(self, paths: list[str], complete: bool = False) -> None:
        """Relevant paths among `paths` join the pending burst; `complete`: the event ended a change."""
        if self._probing is not None and any(os.path.basename(p) == self._probing for p in paths):
            self._probe_seen.set()
        relevant = [p for p in paths if self._relevant(p)]
        if not relevant:
            return
        with self._wake:
            now = time.monotonic()
            if not self._pending:
                self._first = now
            self._pending.update(relevant)
            self._last = now
            self._quiet = self.settle if complete else self.debounce
            self._wake.notify()

    def start(self) -> None:
        self._observer = self._start_observer(os.environ.get("SITE_BUILDER_POLL") == "1")
        self._thread.start()

    def retarget(self, folders: Iterable[Path], files: Iterable[Path]) -> None:
        """Watch other sources (mkdocs.yml changed `docs_dir` or `custom_dir`)."""
        dirs, names = [f for f in folders if f.is_dir()], {str(f) for f in files}
        if (dirs, names) == (self.folders, self.files) or self._observer is None:
            return
        self.folders, self.files = dirs, names
        self._observer.unschedule_all()
        self._schedule(self._observer)

    def _schedule(self, observer: BaseObserver) -> None:
        handler = _Collector(self)
        for folder in self.folders:
            observer.schedule(handler, str(folder), recursive=True)
        for parent in {str(Path(f).parent) for f in self.files}:
            observer.schedule(handler, parent, recursive=False)

    def _start_observer(self, force_polling: bool) -> BaseObserver:
        if force_polling:
            self._fallback("SITE_BUILDER_POLL=1 is set")
        else:
            observer = Observer()
            try:
                self._schedule(observer)
                observer.start()
            except OSError as exc:
                self._fallback(f"file events are not available ({exc})")
            else:
                if self._events_arrive():
                    return observer
                observer.stop()
                self._fallback("file events did not arrive (a network or container mount?)")
        self.polling = True
        observer = PollingObserver(timeout=0.5)
        self._schedule(observer)
        observer.start()
        return observer

    def _fallback(self, why: str) -> None:
        self.report(f"site-builder: {why}; watching by polling every 0.5 s instead")

    def _events_arrive(self) -> bool:
        """Write a probe file beside the first watched file and wait for its event."""
        folder = Path(next(iter(self.files))).parent if self.files else self.folders[0]
        self._probing = f"{_PROBE_PREFIX}{os.getpid()}"
        self._probe_seen = threading.Event()
        probe = folder / self._probing
        try:
            probe.write_text("probe\n", encoding="utf-8")
        except OSError:
            self._probing = None
            return True  # a read-only folder cannot be probed: trust the native events
        try:
            return self._probe_seen.wait(2.0)
        finally:
            probe.unlink(missing_ok=True)
            self._probing = None

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                # Wait for quiet (or the longest a burst may delay a rebuild).
                while not self._stopping:
                    now = time.monotonic()
                    due = min(self._last + self._quiet, self._first + _MAX_WAIT)
                    if now >= due:
                        break
                    self._wake.wait(due - now)
                if self._stopping:
                    return
                paths, self._pending = self._pending, set()
            self.on_change(paths)

    def stop(self) -> None:
        """Stop watching; waits for a rebuild in progress to finish."""
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread.is_alive():
            self._thread.join(timeout=30)
