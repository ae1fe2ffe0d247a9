"""The preview HTTP server: serves the current output tree, safely, and the live-reload events.

It knows nothing about building: it serves whatever generation `Generations` points at, injects
the reload client into HTML, and streams the hub's events. Safe by default: only files inside
the output tree are served (`..`, encoded or not, answers 404), and a request whose `Host` is not
this machine is refused, so a web page cannot reach the preview through DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import mimetypes
import os
import posixpath
import queue
import socket
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from site_builder.serve.generations import Generation, Generations
from site_builder.serve.reload import EVENTS_PATH, ReloadHub, inject

_KEEPALIVE_SECONDS = 15.0
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
_WAITING = b"""<!doctype html><html><head><meta charset="utf-8"><title>site-builder preview</title></head>
<body><p>site-builder is building the site; this page reloads when it is ready.</p></body></html>"""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def allowed_host(header: str | None, bound_host: str) -> bool:
    """Loopback names, the bound address, or (when bound to all interfaces) any IP literal."""
    if not header or any(c in header for c in "@/\\?# "):
        return False
    try:
        host = urlsplit(f"//{header}").hostname or ""
    except ValueError:
        return False
    if host in _LOOPBACK_NAMES or host == bound_host.strip("[]").lower():
        return True
    return bound_host in {"0.0.0.0", "::", ""} and _is_ip(host)


def url_path(raw_path: str) -> str:
    """The request target without query or fragment (not `urlsplit`: `//x/y` is a path here)."""
    return raw_path.split("?", 1)[0].split("#", 1)[0]


def safe_relative_path(raw_path: str) -> str | None:
    """The decoded path relative to the output root, or None if it could leave it."""
    if not raw_path.startswith("/"):
        return None
    try:
        path = unquote(url_path(raw_path), errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in path or "\\" in path:
        return None
    parts = path.split("/")[1:]
    if any(part in {".", ".."} for part in parts):
        return None
    return "/".join(parts)


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], generations: Generations, hub: ReloadHub) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.generations = generations
        self.hub = hub
        super().__init__(address, PreviewHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that goes away mid-request is normal; anything else is reported (without stopping)."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the build messages

    def do_HEAD(self) -> None:
        self._handle(send_body=False)

    def do_GET(self) -> None:
        self._handle(send_body=True)

    def _handle(self, send_body: bool) -> None:
        self._request_rel = ""  # this request's path under the site root, for the live client's relative URLs
        if not allowed_host(self.headers.get("Host"), str(self.server.server_address[0])):
            self._send(HTTPStatus.FORBIDDEN, b"site-builder: this Host is not allowed (serving local addresses only)\n",
                       "text/plain; charset=utf-8", send_body)
            return
        rel = safe_relative_path(self.path)
        if rel is None:
            self._not_found(None, send_body)
            return
        mount = self.server.generations.mount.lstrip("/")  # the site_url's path, as `mkdocs serve` does
        if rel in {EVENTS_PATH, mount + EVENTS_PATH}:
            self._events()
            return
        if not rel.startswith(mount):
            if rel in {"", mount.rstrip("/")}:
                self._redirect("/" + mount)
            else:
                self._send(HTTPStatus.NOT_FOUND, f"404: the site is served under /{mount}\n".encode(),
                           "text/plain; charset=utf-8", send_body)
            return
        self._request_rel = rel = rel[len(mount):]
        with self.server.generations.reading() as generation:
            if generation is None:
                self._html(HTTPStatus.SERVICE_UNAVAILABLE, _WAITING, None, send_body)
            else:
                self._serve_file(generation, rel, send_body)

    def _serve_file(self, generation: Generation, rel: str, send_body: bool) -> None:
        root = generation.root
        target = root / rel
        if rel and not rel.endswith("/") and target.is_dir():
            self._redirect(posixpath.basename(rel) + "/")
            return
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
            target = root / rel
        real = os.path.realpath(target)
        if not real.startswith(os.path.realpath(root) + os.sep) or not os.path.isfile(real):
            self._not_found(generation, send_body)
            return
        body = Path(real).read_bytes()
        content_type = mimetypes.guess_type(rel)[0] or "application/octet-stream"
        if content_type == "text/html":
            self._html(HTTPStatus.OK, body, rel, send_body)
        else:
            self._send(HTTPStatus.OK, body, content_type, send_body)

    def _not_found(self, generation: Generation | None, send_body: bool) -> None:
        page = generation.root / "404.html" if generation else None
        if page is not None and page.is_file():
            self._html(HTTPStatus.NOT_FOUND, page.read_bytes(), "404.html", send_body)
        else:
            self._send(HTTPStatus.NOT_FOUND, b"404 not found\n", "text/plain; charset=utf-8", send_body)

    def _html(self, status: HTTPStatus, body: bytes, page: str | None, send_body: bool) -> None:
        script = self.server.hub.client_script(self._request_rel, page)
        self._send(status, inject(body, script), "text/html; charset=utf-8", send_body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)  # relative: right behind a proxy's sub-path too
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _events(self) -> None:
        query = parse_qs(self.path.partition("?")[2])
        try:
            served = int(query.get("generation", ["0"])[0])
        except ValueError:
            served = 0
        inbox = self.server.hub.connect(served, query.get("server", [""])[0])
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Accel-Buffering", "no")  # reverse proxies: do not buffer the stream
        self.end_headers()
        try:
            self._stream(inbox)
        except OSError:
            pass  # the browser went away
        finally:
            self.server.hub.disconnect(inbox)

    def _stream(self, inbox: queue.Queue[bytes | None]) -> None:
        while True:
            try:
                message = inbox.get(timeout=_KEEPALIVE_SECONDS)
            except queue.Empty:
                message = b": keep-alive\n\n"
            if message is None:
                return
            self.wfile.write(message)
            self.wfile.flush()
