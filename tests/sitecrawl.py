"""Test helper: serve a built site under a sub-path like GitHub Pages does, and crawl it for broken references.

The server maps `/REPO/…` to the site folder on 127.0.0.1, answers directories with their
index.html and anything missing with the site's 404.html (status 404), as GitHub Pages does.
The crawler follows every internal href/src/srcset, Material's search index and worker, JSON
`url`s in scripts (chart data), absolute links to `site_url` (canonical, og:image), and checks that
each `#fragment` exists on its page.
"""

from __future__ import annotations

import gzip
import json
import mimetypes
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

URL_ATTRS = {"href", "src"}
SHARED_META = {"og:image", "og:url", "twitter:image"}


COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml")


def _handler(site: Path, prefix: str, compress: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            path = unquote(urlsplit(self.path).path)
            target = (site / path[len(prefix):]).resolve() if path.startswith(prefix) else None
            if target is not None and target.is_dir() and not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.end_headers()
                return
            if target is not None and target.is_dir():
                target = target / "index.html"
            if target is None or not target.is_file() or not target.is_relative_to(site.resolve()):
                self._send(404, site / "404.html")
            else:
                self._send(200, target)

        def _send(self, status: int, file: Path) -> None:
            body = file.read_bytes() if file.is_file() else b"not found"
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            if compress and kind.startswith(COMPRESSIBLE) and "gzip" in self.headers.get("Accept-Encoding", ""):
                body = gzip.compress(body)
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve_under(site: Path, prefix: str, compress: bool = False) -> Iterator[str]:
    """Serve `site` at http://127.0.0.1:PORT{prefix}; yields that base URL. With `compress`, text is
    gzipped for clients that accept it, as GitHub Pages does (for byte and speed measurements)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site, prefix, compress))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()


class _Refs(HTMLParser):
    """The references and ids of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._script: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.ids.update(a[k] for k in ("id", "name") if a.get(k))
        self.refs += [a[k] for k in URL_ATTRS if k in a and tag != "meta"]
        self.refs += [part.split()[0] for part in a.get("srcset", "").split(",") if part.strip()]
        if tag == "meta" and (a.get("property") or a.get("name")) in SHARED_META:
            self.refs.append(a.get("content", ""))
        if tag == "script" and "src" not in a:
            self._script = a

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts.append((self._script, data))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None


def _json_urls(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "url" and isinstance(item, str):
                yield item
            yield from _json_urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _json_urls(item)


def _script_refs(attrs: dict[str, str], text: str) -> list[str]:
    """Material's config (search worker, index) and `url`s in JSON data blocks (chart specs)."""
    if "json" not in attrs.get("type", ""):
        return []
    try:
        value = json.loads(text)
    except ValueError:
        return []
    refs = list(_json_urls(value))
    if attrs.get("id") == "__config":
        base = value["base"].rstrip("/") + "/"
        refs += [value["search"], base + "search/search_index.json"]
    return refs


@dataclass
class Crawl:
    base: str
    site_url: str
    pages: set[str] = field(default_factory=set)
    broken: list[str] = field(default_factory=list)
    _fetched: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    _ids: dict[str, set[str]] = field(default_factory=dict)

    def fetch(self, url: str) -> tuple[int, bytes, str]:
        if url not in self._fetched:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    self._fetched[url] = (response.status, response.read(), response.url)
            except urllib.error.HTTPError as exc:
                self._fetched[url] = (exc.code, exc.read(), url)
        return self._fetched[url]

    def local(self, url: str) -> str | None:
        """The URL to fetch for a reference, or None if it leaves the site."""
        if url.startswith(self.site_url):
            return self.base + url[len(self.site_url):]
        # Same host but outside the sub-path counts as internal: GitHub Pages would answer 404 there.
        return url if urlsplit(url).netloc == urlsplit(self.base).netloc else None

    def visit(self, url: str, expect: int = 200) -> None:
        status, body, final = self.fetch(url)
        if status != expect:
            self.broken.append(f"{url}: status {status}")
            return
        self.pages.add(final)
        parser = _Refs()
        parser.feed(body.decode("utf-8"))
        self._ids[final] = parser.ids
        refs = parser.refs + [r for attrs, text in parser.scripts for r in _script_refs(attrs, text)]
        for ref in refs:
            self.check(final, ref)

    def check(self, page: str, ref: str) -> None:
        if not ref or ref.startswith(("mailto:", "javascript:", "data:", "tel:")):
            return
        target = self.local(urljoin(page, ref))
        if target is None:
            return
        address, fragment = urldefrag(target)
        status, _, final = self.fetch(address)
        if status != 200:
            self.broken.append(f"{page}: {ref!r} → {address} (status {status})")
            return
        is_html = final.endswith(("/", ".html"))
        if is_html and final not in self.pages:
            self.visit(final)
        # A fragment holding `=` is view state (e.g. a filter), not an element id.
        if fragment and is_html and "=" not in fragment and unquote(fragment) not in self._ids.get(final, set()):
            self.broken.append(f"{page}: {ref!r} → no id {fragment!r} on {final}")


def _xml_links(body: bytes) -> list[str]:
    """`<loc>` of a sitemap and `<link href>` of an Atom feed."""
    root = ET.fromstring(body)
    return [e.text or "" for e in root.iter() if e.tag.endswith("}loc")] + \
        [e.get("href", "") for e in root.iter() if e.tag.endswith("}link")]


def crawl_site(base: str, site_url: str, missing: list[str]) -> Crawl:
    """Crawl from the home page, from each of `missing` (paths answered by 404.html), and from
    every search result, sitemap entry and feed link."""
    crawl = Crawl(base, site_url)
    crawl.visit(base)
    for path in missing:
        crawl.visit(base + path, expect=404)
    index = json.loads(crawl.fetch(base + "search/search_index.json")[1])
    for doc in index["docs"]:
        crawl.check(base, doc["location"] or "./")
    for name in ("sitemap.xml", "feed.xml"):
        status, body, _ = crawl.fetch(base + name)
        for link in _xml_links(body) if status == 200 else []:
            crawl.check(base, link)
    return crawl
