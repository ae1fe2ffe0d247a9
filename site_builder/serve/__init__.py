"""`site-builder serve`: build, serve and watch; rebuild what changed; tell the browser.

The pieces know little of each other: `PreviewBuilder` (host) builds a generation into a folder,
`Generations` holds the complete trees and the pointer to the served one, `PreviewServer` serves
it, `ReloadHub` tells browsers what changed or what is wrong, `SourceWatcher` calls `rebuild`
once per burst of edits. A content error never stops the server: the last good site stays up and
the errors show in the browser and the terminal.
"""

from __future__ import annotations

import signal
import sys
import threading
import time
import traceback
import webbrowser
from pathlib import Path
from types import FrameType

import site_builder
from site_builder.errors import format_error
from site_builder.host.incremental import PreviewBuilder, watched_sources
from site_builder.serve.generations import Generations
from site_builder.serve.overlay import error_payload, internal_error_payload
from site_builder.serve.reload import ReloadHub
from site_builder.serve.server import PreviewServer
from site_builder.serve.watch import SourceWatcher


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def package_sources() -> list[Path]:
    """site-builder's own templates and assets, so editing the tool itself also reloads (not the
    templates `site-builder new` copies into new projects)."""
    package = Path(site_builder.__file__).parent
    return sorted(p for p in package.rglob("*")
                  if p.is_dir() and p.name in {"templates", "assets"} and "scaffold" not in p.parts)


def parse_address(dev_addr: str) -> tuple[str, int]:
    host, _, port = dev_addr.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise ValueError(f"`{dev_addr}` is not HOST:PORT with a port from 0 to 65535 — e.g. -a 127.0.0.1:8000")
    return host.strip("[]"), int(port)


class PreviewSession:
    """One site being previewed: the builder, the served trees and the browsers' hub."""

    def __init__(self, config_file: Path, strict: bool = True, verbose: bool = False) -> None:
        self.config_file = config_file
        self.root = config_file.parent
        self.verbose = verbose
        self.builder = PreviewBuilder(config_file, strict=strict)
        self.generations = Generations()
        self.hub = ReloadHub()
        self._lock = threading.Lock()

    def rebuild(self, paths: set[str] | None = None) -> bool:
        """Build a new generation (`paths`: what the watcher saw change, for the message); publish it
        if it succeeded. Never raises for a content error."""
        with self._lock:
            start = time.perf_counter()
            current = self.generations.current
            folder = self.generations.new_folder()
            try:
                result = self.builder.build(folder, current.root if current else None)
            except Exception as exc:  # noqa: BLE001 - a bug in site-builder or a plugin: show it, keep serving
                self.hub.failed(internal_error_payload(exc))
                traceback.print_exc()
                self.generations.discard(folder)
                return False
            seconds = time.perf_counter() - start
            cause = f"{_changed(paths, self.root)}: " if paths else ""
            if not result.ok:
                problems = result.errors + (result.warnings if result.strict else [])
                self.hub.failed(error_payload(problems, self.root))
                for problem in problems:
                    _say(format_error(problem, self.root))
                _say(f"{cause}build failed: {len(problems)} error(s) in {seconds:.2f}s — serving the last good version")
                self.generations.discard(folder)
                return False
            generation = self.generations.publish(folder, self.builder.mount)
            self.hub.published(generation.number, self.builder.changed)
            self.generations.reap()
            _say(f"{cause}built in {seconds:.2f}s: {self.builder.rendered_pages} page(s) rendered, "
                 f"{len(self.builder.changed)} output(s) changed")
            return True

    def sources(self) -> tuple[list[Path], list[Path]]:
        folders, files = watched_sources(self.config_file, self.builder.config)
        return folders + package_sources(), files

    def close(self) -> None:
        self.hub.close()
        self.builder.close()
        self.generations.close()


def _raise_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(config_file: Path, dev_addr: str, open_browser: bool = False, verbose: bool = False,
          strict: bool = True) -> int:
    """Serve until Ctrl-C (or SIGTERM); returns the exit code."""
    try:
        host, port = parse_address(dev_addr)
    except ValueError as exc:
        _say(f"site-builder serve: {exc}")
        return 2
    session = PreviewSession(config_file, strict=strict, verbose=verbose)
    try:
        server = PreviewServer((host, port), session.generations, session.hub)
    except OSError as exc:
        session.close()
        _say(f"site-builder serve: cannot listen on {dev_addr} ({exc.strerror}) — pass another with -a, "
             f"e.g. -a {host}:{port + 1}")
        return 1
    watcher: SourceWatcher | None = None
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        threading.Thread(target=server.serve_forever, name="site-builder-http", daemon=True).start()
        url = f"http://{'[' + host + ']' if ':' in host else host}:{server.server_address[1]}/"
        _say(f"serving {url} (Ctrl-C to stop); building …")
        session.rebuild()
        watcher = _start_watching(session)
        if open_browser:
            webbrowser.open(url)
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        _say("stopping …")
    finally:
        if watcher is not None:
            watcher.stop()
        session.hub.close()
        server.shutdown()
        server.server_close()
        session.close()
    return 0


def _start_watching(session: PreviewSession) -> SourceWatcher:
    def on_change(paths: set[str]) -> None:
        session.rebuild(paths)
        watcher.retarget(*session.sources())  # mkdocs.yml may have moved docs_dir or custom_dir

    watcher = SourceWatcher(*session.sources(), on_change=on_change, report=_say)
    watcher.start()
    own = set(package_sources())
    shown = [_shown(p, session.root) for p in watcher.folders + sorted(watcher.files) if p not in own]
    _say("watching " + ", ".join(shown) + (" and site-builder's own templates" if own else ""))
    return watcher


def _changed(paths: set[str], root: Path) -> str:
    names = sorted(_shown(p, root) for p in paths)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _shown(path: Path | str, root: Path) -> str:
    path = Path(path)
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
