"""The site's sources: `content/data/sources.yaml`, validated with positions, and who cites what.

A `SourceRegistry` is shared by every page of one build. Pages (and features such as key
figures) cite keys through it; after the build, a source nothing cited becomes a warning.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, field_validator

from site_builder.content.data import read_text
from site_builder.content.yaml_source import ValidationErrors, YamlDocument, parse_yaml
from site_builder.errors import SourcePosition, UserError, WarningCode, make_warning

SOURCES_FILE = "sources.yaml"
KEY_PATTERN = r"[A-Za-z0-9_](?:[A-Za-z0-9_.:-]*[A-Za-z0-9_])?"
_KEY = re.compile(rf"^{KEY_PATTERN}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")  # a real month: `2025-13` is a typo


class Source(BaseModel):
    """One entry of sources.yaml."""

    model_config = ConfigDict(extra="forbid")

    title: str
    url: str
    publisher: str
    date: dt.date | str
    note: str | None = None

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// address; write the full address, e.g. https://example.org/report")
        return value

    @field_validator("date", mode="before")
    @classmethod
    def _partial_date(cls, value: Any) -> Any:
        text = str(value) if isinstance(value, int) else value
        if isinstance(text, str) and not _PARTIAL_DATE.match(text):
            raise ValueError("must be a date; write YYYY, YYYY-MM or YYYY-MM-DD")
        return text

    @property
    def date_text(self) -> str:
        return self.date.isoformat() if isinstance(self.date, dt.date) else self.date


@dataclass
class SourceRegistry:
    """Every source of the site by key, where each is defined, and which keys were cited."""

    sources: dict[str, Source] = field(default_factory=dict)
    positions: dict[str, SourcePosition] = field(default_factory=dict)
    path: str = ""
    """sources.yaml relative to the project root; empty when the site has none."""
    cited: set[str] = field(default_factory=set)
    invalid: set[str] = field(default_factory=set)
    """Keys whose entry has errors (reported at the entry): citing them is not a second error."""

    def cite(self, key: str, position: SourcePosition) -> UserError | None:
        """Mark `key` as cited; an unknown key comes back as the error to report."""
        if key in self.sources or key in self.invalid:
            self.cited.add(key)
            return None
        where = self.path or "content/data/sources.yaml"
        hint = f"add `{key}:` to {where}" if not self.sources else _closest(key, self.sources, where)
        return UserError(f"unknown source `{key}`", position, hint)

    def uncited_warnings(self) -> list[UserError]:
        """A warning at each source that no page, key figure or feature cited."""
        return [make_warning(WarningCode.UNCITED_SOURCE, f"source `{key}` is never cited", self.positions[key],
                             f"cite it with [@{key}] or remove it from sources.yaml")
                for key in self.sources if key not in self.cited]


def _closest(key: str, sources: dict[str, Source], where: str) -> str:
    match = difflib.get_close_matches(key, list(sources), n=1)
    return f"did you mean `{match[0]}`?" if match else f"use a key defined in {where}"


def load_sources(file: Path, rel: str) -> tuple[SourceRegistry, list[UserError]]:
    """Read sources.yaml if it exists; every bad entry is reported, the good ones kept."""
    if not file.is_file():
        return SourceRegistry(), []
    try:
        doc = parse_yaml(read_text(file, rel), rel)
    except UserError as exc:
        return SourceRegistry(path=rel), [exc]
    return registry_from_yaml(doc)


def registry_from_yaml(doc: YamlDocument) -> tuple[SourceRegistry, list[UserError]]:
    registry, errors = SourceRegistry(path=doc.path), list[UserError]()
    if doc.value is None:
        return registry, errors
    if not isinstance(doc.value, dict):
        return registry, [UserError("sources.yaml must map each key to a source", doc.position(),
                                    "write `key:` then indented `title:`, `url:`, `publisher:`, `date:`")]
    keys = doc.key_positions()
    for key in doc.value:
        name = str(key)
        if not _KEY.match(name):
            errors.append(UserError(f"invalid source key `{name}`", keys.get(name, doc.position()),
                                    "use letters, digits, `_`, `-`, `.` or `:` (e.g. longpre2025)"))
            continue
        try:
            registry.sources[name] = doc.validate(Source, [key])
            registry.positions[name] = keys.get(name, doc.position([name]))
        except ValidationErrors as exc:
            registry.invalid.add(name)
            errors.extend(exc.errors)
    return registry, errors


def source_entry_html(source: Source) -> Markup:
    """One source as HTML: publisher, linked title, date and note, all escaped."""
    note = Markup(' <span class="sb-source__note">{}</span>').format(source.note) if source.note else ""
    return Markup('<span class="sb-source__publisher">{}</span>, <a class="sb-source__title" href="{}">{}</a> '
                  '<span class="sb-source__date">({})</span>.{}').format(
        source.publisher, source.url, source.title, source.date_text, note)


def sources_list_html(registry: SourceRegistry) -> str:
    """The site-wide list: every source, ordered by publisher then title, each with an `src-key` id."""
    items = sorted(registry.sources.items(), key=lambda kv: (kv[1].publisher.lower(), kv[1].title.lower()))
    rows = "".join(Markup('<li id="src-{}">{}</li>\n').format(key, source_entry_html(source))
                   for key, source in items)
    return str(Markup('<ol class="sb-sources">\n{}</ol>\n').format(Markup(rows)))


__all__ = ["Source", "SourceRegistry", "load_sources", "registry_from_yaml", "sources_list_html"]
