"""Rendered pages remembered across preview builds, with an explicit record of what each one read.

A page's render (Jinja data step + markdown) depends on its own text and front matter, on the set
of pages and files (links), on the feature fences, and on the data values it read. Reads of `data`
go through `TrackedData`, which records the key path of every value a page fetched or iterated;
feature fences (chart, timeline, sources) record the files and data they read and the effects they
had on the build (`site_builder.dependencies`). The cached render is reused only while each
recorded value and file is unchanged (compared by content, not by timestamps); its effects are then
applied again to the new build. A page using a fence handler that does not declare its inputs is
rendered every time. A one-off `site-builder build` starts empty, so it renders every page exactly
as before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from site_builder.content.frontmatter import PageSource
from site_builder.dependencies import FileKey, KeyPath, RenderRecord, declared, file_state, recording
from site_builder.markdown.fences import FenceBlock, FenceHandler
from site_builder.pages import RenderedPage, Site, render_page

_MISSING = "\0missing"


class TrackedData(dict[str, Any]):
    """A read-only view of the data mapping that records the key path of every value read.

    A dict subclass so that templates (and `tojson`) see an ordinary mapping; every method that
    reads a value is overridden to record it. Nested mappings come back wrapped, so reading
    `data.polls.uk` records `("polls", "uk")`, not the whole folder.
    """

    def __init__(self, data: dict[str, Any], reads: set[KeyPath], path: KeyPath = ()) -> None:
        super().__init__(data)
        self._reads = reads
        self._path = path

    def _value(self, key: str) -> Any:
        value = super().__getitem__(key)
        path = (*self._path, key)
        if isinstance(value, dict):
            return TrackedData(value, self._reads, path)
        self._reads.add(path)
        return value

    def _whole(self) -> None:
        self._reads.add(self._path)

    def __getitem__(self, key: str) -> Any:
        if not super().__contains__(key):
            self._reads.add((*self._path, key))
        return self._value(key)

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else default  # noqa: SIM401 - `self.get` is this method

    def __contains__(self, key: object) -> bool:
        self._reads.add((*self._path, key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._whole()
        return super().__iter__()

    def __len__(self) -> int:
        self._whole()
        return super().__len__()

    def keys(self) -> Any:
        self._whole()
        return super().keys()

    def items(self) -> Any:
        self._whole()
        return [(key, self._value(key)) for key in super().__iter__()]

    def values(self) -> Any:
        self._whole()
        return [self._value(key) for key in super().__iter__()]

    def __repr__(self) -> str:
        self._whole()
        return super().__repr__()


# Jinja names a value's type in its messages ("'dict object' has no attribute …"): the author sees
# exactly the message of a plain build.
TrackedData.__module__, TrackedData.__name__, TrackedData.__qualname__ = "builtins", "dict", "dict"


def value_at(data: Any, path: KeyPath) -> Any:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return _MISSING
        data = data[key]
    return data


def fingerprint(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=repr, ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def site_signature(site: Site) -> str:
    """What every page's render shares besides data: link targets, `extra`, parser options, fences
    and the sources citations are rendered from."""
    return fingerprint([dict(site.links.pages), dict(site.links.files), site.extra, repr(site.md.options),
                        sorted(site.fences), repr(site.sources.sources)])


@dataclass
class _Entry:
    key: tuple[Any, ...]
    reads: dict[KeyPath, str]
    """Key path → fingerprint of the value read at render time."""
    files: dict[FileKey, str]
    """File → its state when the features read it."""
    rendered: RenderedPage
    cited: set[str]
    """The sources the render cited, replayed when the render is reused."""
    effects: list[tuple[str, Any]]
    """What the features' fences left behind in the build, replayed when the render is reused."""


def _watched(handler: FenceHandler, record: RenderRecord) -> FenceHandler:
    """A handler that does not declare what it reads makes the render impossible to reuse."""
    if declared(handler):
        return handler

    def handle(block: FenceBlock) -> str:
        record.opaque = True
        return handler(block)

    return handle


def source_key(source: PageSource) -> tuple[Any, ...]:
    """What of a page's source its render depends on: a render is reused only for an equal key."""
    return (source.path, source.body_line, source.markdown, repr(source.raw_meta))


def render_recorded(source: PageSource, page: str, site: Site, *, track_data: bool
                    ) -> tuple[RenderedPage, set[str], RenderRecord]:
    """`render_page` with a record of its effects (and, with `track_data`, of the data it read),
    returning the sources it cited apart from those cited before (its effects are applied too)."""
    cited, site.sources.cited = site.sources.cited, set()
    with recording() as record:
        try:
            fences = {kind: _watched(handler, record) for kind, handler in site.fences.items()}
            data = TrackedData(site.data, record.data) if track_data else site.data
            rendered = render_page(source, page, dataclasses.replace(site, data=data, fences=fences))
        finally:
            page_cited, site.sources.cited = site.sources.cited, cited | site.sources.cited
    return rendered, page_cited, record


def replay(site: Site, cited: set[str], effects: list[tuple[str, Any]]) -> None:
    """What a render made elsewhere (an earlier build, a worker process) left behind, into this build."""
    site.sources.cited |= cited
    for kind, payload in effects:
        site.effects[kind](payload)


class PageCache:
    """Renders pages, reusing a previous render when its dependency record still holds."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}
        self._site: Site | None = None
        self._site_sig = ""
        self._fingerprints: dict[KeyPath, str] = {}
        self._files: dict[FileKey, str] = {}
        self.hits = 0
        self.rendered: list[str] = []
        """Pages rendered (not reused) in the current build, in order."""

    def _begin(self, site: Site) -> None:
        # The plugin makes a new Site for every build: one build's fingerprints are computed once.
        if site is not self._site:
            self._site, self._site_sig, self._fingerprints, self._files = site, site_signature(site), {}, {}
            self.hits, self.rendered = 0, []

    def _current(self, path: KeyPath) -> str:
        if path not in self._fingerprints:
            assert self._site is not None
            self._fingerprints[path] = fingerprint(value_at(self._site.data, path))
        return self._fingerprints[path]

    def _file_now(self, key: FileKey) -> str:
        if key not in self._files:
            self._files[key] = file_state(*key)
        return self._files[key]

    def _holds(self, entry: _Entry, site: Site) -> bool:
        return (all(kind in site.effects for kind, _ in entry.effects)
                and all(self._file_now(k) == state for k, state in entry.files.items())
                and all(self._current(p) == f for p, f in entry.reads.items()))

    def render(self, source: PageSource, page: str, site: Site) -> RenderedPage:
        """`render_page`, or the remembered result if nothing it read has changed."""
        self._begin(site)
        key = (*source_key(source), self._site_sig)
        entry = self._entries.get(page)
        if entry and entry.key == key and self._holds(entry, site):
            self.hits += 1
            replay(site, entry.cited, entry.effects)
            return entry.rendered
        self.rendered.append(page)
        rendered, page_cited, record = render_recorded(source, page, site, track_data=True)
        if record.opaque:
            self._entries.pop(page, None)
        else:
            reads = {p: self._current(p) for p in record.data}
            self._entries[page] = _Entry(key, reads, record.files, rendered, page_cited, record.effects)
        return rendered
