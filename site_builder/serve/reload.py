"""Telling browsers what changed: the event hub behind the SSE endpoint, and the injected client.

The server streams events (Server-Sent Events) to every open page: `changed` with the outputs a
new generation changed, `errors` with the current errors (an empty list clears the overlay). The
client decides whether to reload: only if its own page, or a file the page loaded, changed. A
client that (re)connects says which generation it was served, and gets what changed since then,
so a change made while it was away — or a server restart — is not missed.

The client script is injected into HTML responses by the server only; the files on disk stay
exactly what `site-builder build` writes.
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
from importlib import resources
from typing import Any

EVENTS_PATH = "__site_builder__/events"
_CLIENT_JS = resources.files(__package__).joinpath("client.js").read_text(encoding="utf-8")


def sse(event: str, data: Any) -> bytes:
    """One Server-Sent Event; the JSON is on one line, as SSE requires."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


class ReloadHub:
    """The current errors, what changed when, and a queue per connected browser."""

    def __init__(self) -> None:
        self.server_id = secrets.token_hex(8)
        self._lock = threading.Lock()
        self._clients: set[queue.Queue[bytes | None]] = set()
        self._changed_at: dict[str, int] = {}
        self.generation = 0
        self.errors: list[dict[str, Any]] = []

    def connect(self, served_generation: int, server_id: str) -> queue.Queue[bytes | None]:
        """A new browser connection; its queue starts with what it missed and the current errors."""
        inbox: queue.Queue[bytes | None] = queue.Queue()
        with self._lock:
            self._clients.add(inbox)
            if server_id != self.server_id and self.generation:
                missed: list[str] | None = None  # a restarted server cannot tell what changed: reload
            else:
                missed = sorted(p for p, g in self._changed_at.items() if g > served_generation)
            if missed is None or missed:
                inbox.put(sse("changed", {"generation": self.generation, "paths": missed}))
            inbox.put(sse("errors", self.errors))
        return inbox

    def disconnect(self, inbox: queue.Queue[bytes | None]) -> None:
        with self._lock:
            self._clients.discard(inbox)

    def published(self, generation: int, changed: set[str]) -> None:
        """A new generation is being served."""
        with self._lock:
            self.generation = generation
            for path in changed:
                self._changed_at[path] = generation
            cleared, self.errors = bool(self.errors), []
        if cleared:
            self._broadcast(sse("errors", []))
        if changed:
            self._broadcast(sse("changed", {"generation": generation, "paths": sorted(changed)}))

    def failed(self, errors: list[dict[str, Any]]) -> None:
        """A build failed: the last good generation stays, the errors go to every browser."""
        with self._lock:
            self.errors = errors
        self._broadcast(sse("errors", errors))

    def _broadcast(self, message: bytes) -> None:
        with self._lock:
            for inbox in self._clients:
                inbox.put(message)

    def close(self) -> None:
        """End every event stream (the server is stopping)."""
        with self._lock:
            for inbox in self._clients:
                inbox.put(None)

    def client_script(self, request_rel: str, page: str | None) -> str:
        """The `<script>` for `page` (None: a placeholder that reloads at the first build), requested at
        `request_rel` (decoded, relative to the site root)."""
        up = "../" * request_rel.count("/")
        config = {"root": up or "./", "events": EVENTS_PATH, "page": page, "generation": self.generation,
                  "server": self.server_id, "errors": self.errors}
        # `<` escaped so that no value can close the script element.
        payload = json.dumps(config, ensure_ascii=False).replace("<", "\\u003c")
        return f'<script id="site-builder-live">window.__siteBuilderLive={payload};\n{_CLIENT_JS}</script>'


def inject(html: bytes, script: str) -> bytes:
    """Put the client script before the last `</body>`, or at the end."""
    marker = html.rfind(b"</body>")
    tag = script.encode("utf-8")
    if marker < 0:
        return html + tag
    return html[:marker] + tag + html[marker:]
