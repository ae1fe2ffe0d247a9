"""Validate `content/data/timeline.yaml` and resolve it against the site, reporting every error at once.

Type errors come from the models with the position of the offending value; the checks that need the
whole file or the site (unknown category, duplicate id, missing page or image) are done here, each
at the value's own line and column.
"""

from __future__ import annotations

import posixpath
from typing import Any
from urllib.parse import unquote, urlsplit

from site_builder.content.sources import SourceRegistry
from site_builder.content.yaml_source import ValidationErrors, YamlDocument, parse_yaml
from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.headings import slugify
from site_builder.markdown.links import AnchorLink, SiteLinks
from site_builder.timeline.model import (
    TIMELINE_KEY,
    Category,
    Event,
    Source,
    Timeline,
    TimelineEvent,
    TimelineFile,
)

TIMELINE_DATA = "timeline.yaml"
"""The file's name inside the data folder."""
_ID_SLUG_LENGTH = 60


def load_timeline(text: str, path: str, site: SiteLinks, page: str,
                  registry: SourceRegistry | None = None) -> tuple[Timeline | None, list[UserError]]:
    """The resolved timeline and every error in it; `page` is the timeline page's source path.
    Source keys are cited through `registry` (sources.yaml); an unknown key is an error at the key."""
    try:
        doc = parse_yaml(text, path)
    except UserError as exc:
        return None, [exc]
    if not isinstance(doc.value, dict):
        return None, [UserError("timeline.yaml must be a mapping with `categories:` and `events:`",
                                SourcePosition(path), "see the Timeline section of the README for an example")]
    errors: list[UserError] = []
    top_ok = _validate(doc, TimelineFile, (), errors) is not None
    categories = _categories(doc, errors)
    raw_events: Any = doc.value.get("events")
    written = [(i, _validate(doc, TimelineEvent, ("events", i), errors))
               for i in range(len(raw_events) if isinstance(raw_events, list) else 0)]
    raw_categories = doc.value.get("categories")
    declared = {str(k) for k in raw_categories} if top_ok and isinstance(raw_categories, dict) else None
    resolver = _Resolver(doc, text.splitlines(), site, page, declared, errors, registry or SourceRegistry())
    events = [resolver.event(i, raw_events[i], ev) for i, ev in written]
    kept = [e for e in events if e is not None and e.category in categories]
    timeline = Timeline(path, categories, sorted(kept, key=lambda e: (e.date.sort_key(), e.order)))
    timeline.anchor_links.extend(resolver.anchors)
    timeline.sourced.extend((resolver.at(i), bool(ev.sources)) for i, ev in written if ev is not None)
    return timeline, errors


def _validate(doc: YamlDocument, model: type[Any], loc: tuple[str | int, ...], errors: list[UserError]) -> Any:
    try:
        return doc.validate(model, loc)
    except ValidationErrors as exc:
        errors.extend(exc.errors)
        return None


def _categories(doc: YamlDocument, errors: list[UserError]) -> dict[str, Category]:
    raw = doc.value.get("categories")
    if not isinstance(raw, dict):
        return {}
    at = doc.key_positions(("categories",))
    errors.extend(UserError(f"category key `{key}` may only use letters, digits, - and _",
                            at.get(str(key), doc.position(("categories",))),
                            "rename it (it becomes part of the page's classes and filter values)")
                  for key in raw if not TIMELINE_KEY.match(str(key)))
    found = {str(key): _validate(doc, Category, ("categories", key), errors) for key in raw}
    return {key: cat for key, cat in found.items() if cat is not None and TIMELINE_KEY.match(key)}


class _Resolver:
    """Cross-checks of one file: ids unique, categories declared, links and images present."""

    def __init__(self, doc: YamlDocument, lines: list[str], site: SiteLinks, page: str,
                 declared: set[str] | None, errors: list[UserError], registry: SourceRegistry) -> None:
        self.doc, self.site, self.page, self.declared, self.errors = doc, site, page, declared, errors
        self.registry = registry
        self.ids: dict[str, SourcePosition] = {}
        self.anchors: list[AnchorLink] = []
        self.lines = lines

    def at(self, i: int, *keys: str | int) -> SourcePosition:
        return self.doc.position(("events", i, *keys))

    def event(self, i: int, raw: Any, ev: TimelineEvent | None) -> Event | None:
        """The resolved event; checks of single fields run on the raw value even when the model failed."""
        raw = raw if isinstance(raw, dict) else {}
        ok = self._category(i, raw.get("category"))
        link = self._link(i, raw["link"]) if isinstance(raw.get("link"), str) else None
        if ev is None or not self._unique_id(i, ev):
            return None
        if ev.image is not None and not self._image(i, ev.image.src):
            ok = False
        if not ok or (ev.link is not None and link is None):
            return None
        return Event(id=event_id(ev), date=ev.date, title=ev.title, body=ev.body, category=ev.category,
                     tags=tuple(ev.tags), sources=self._sources(i, ev), link=link, image=ev.image,
                     body_position=self._body_position(i), order=i)

    def _sources(self, i: int, ev: TimelineEvent) -> tuple[Source, ...]:
        """Written-out sources as they are; keys are cited and become the title and address of their
        sources.yaml entry (an unknown key is reported and left out)."""
        resolved = []
        for n, source in enumerate(ev.sources):
            if source.key is None:
                resolved.append(source)
            elif (error := self.registry.cite(source.key, self.at(i, "sources", n))) is not None:
                self.errors.append(error)
            elif (entry := self.registry.sources.get(source.key)) is not None:
                resolved.append(Source(key=source.key, title=entry.title, url=entry.url))
        return tuple(resolved)

    def _category(self, i: int, category: Any) -> bool:
        if self.declared is None or not isinstance(category, str) or category in self.declared:
            return True
        known = ", ".join(sorted(self.declared)) or "none yet"
        self.errors.append(UserError(f"unknown category `{category}`", self.at(i, "category"),
                                     f"use one of the keys under `categories:` ({known}) or declare it there"))
        return False

    def _unique_id(self, i: int, ev: TimelineEvent) -> bool:
        ident, position = event_id(ev), (self.at(i, "id") if ev.id else self.at(i))
        first = self.ids.setdefault(ident, position)
        if first is position:
            return True
        how = "" if ev.id else " (derived from its date and title)"
        self.errors.append(UserError(f"duplicate event id `{ident}`{how}; line {first.line} has it too",
                                     position, "give one of the two events a different `id:`"))
        return False

    def _link(self, i: int, written: str) -> tuple[str, str] | None:
        parts = urlsplit(written)
        position = self.at(i, "link")
        if parts.scheme or parts.netloc or parts.path.startswith("/"):
            self.errors.append(UserError(f"`link` must be a page of this site, not `{written}`", position,
                                         "write a page path relative to the content folder, e.g. "
                                         "articles/report.md#section; put web addresses under `sources:`"))
            return None
        target = posixpath.normpath(unquote(parts.path)) if parts.path else ""
        if target not in self.site.pages:
            self.errors.append(UserError(f"`link` points to a missing page: `{written}`", position,
                                         "the path is relative to the content folder, e.g. articles/report.md"))
            return None
        anchor = unquote(parts.fragment)
        if anchor:
            self.anchors.append(AnchorLink(self.page, target, anchor, written, position))
        return target, anchor

    def _image(self, i: int, src: str) -> bool:
        target = posixpath.normpath(unquote(src))
        if urlsplit(src).scheme or target not in self.site.files:
            self.errors.append(UserError(f"missing image `{src}`", self.at(i, "image"),
                                         "put the image in the content folder and give its path relative to it"))
            return False
        return True

    def _body_position(self, i: int) -> SourcePosition:
        """Where the body's first line of markdown is: after `|` or `>` for a block scalar."""
        pos = self.at(i, "body")
        line = self.lines[pos.line - 1] if 0 < pos.line <= len(self.lines) else ""
        if line[pos.column - 1:pos.column] in {"|", ">"}:
            return SourcePosition(pos.path, pos.line + 1, 1)
        return pos


def event_id(ev: TimelineEvent) -> str:
    """The explicit id, or one derived stably from date and title: `2024-05-12-qwen-2-released`."""
    if ev.id:
        return ev.id
    return f"{ev.date.iso}-{slugify(ev.title)[:_ID_SLUG_LENGTH].strip('-_')}"
