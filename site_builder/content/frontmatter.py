"""Front matter: split a page into its YAML header and markdown body, and validate the header.

MkDocs silently drops front matter it cannot parse; here bad YAML, an unclosed block and a
wrong type are errors at the author's line.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from site_builder.content.yaml_source import ValidationErrors, YamlDocument, parse_yaml
from site_builder.errors import SourcePosition, UserError, physical_lines

_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


class PageMeta(BaseModel):
    """Front matter every page may carry; unknown keys are kept for templates and plugins."""

    model_config = ConfigDict(extra="allow")

    title: str | None = None
    description: str | None = None
    date: dt.date | None = None
    updated: dt.date | None = None
    authors: list[str] = []
    tags: list[str] = []

    @field_validator("authors", "tags", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value


class ArticleMeta(PageMeta):
    """A page with a `date` is an article: it needs a title, and dates must be in order."""

    title: str
    date: dt.date

    @field_validator("updated")
    @classmethod
    def _updated_after_date(cls, value: dt.date | None, info: Any) -> dt.date | None:
        published = info.data.get("date")
        if value is not None and published is not None and value < published:
            raise ValueError(f"`updated` ({value}) is before `date` ({published}); "
                             "set `updated` to the day of the last change, on or after `date`")
        return value


@dataclass(frozen=True)
class PageSource:
    """A page as read from disk: its validated front matter and the markdown after it."""

    path: str
    meta: PageMeta
    markdown: str
    body_line: int = 1
    """1-based line of the markdown's first line in the file, for positions."""
    raw_meta: dict[str, Any] = field(default_factory=dict)
    meta_doc: YamlDocument | None = None
    """The front matter's YAML with positions, for features that validate their own keys."""


def split_front_matter(text: str, path: str) -> tuple[str | None, str, int]:
    """(yaml text or None, markdown, first body line). An unclosed header is an error."""
    lines = physical_lines(text, keepends=True)
    if not lines or lines[0].rstrip("\r\n").rstrip() != "---":
        return None, text, 1
    for index, line in enumerate(lines[1:], start=1):
        if _FENCE.match(line.rstrip("\r\n")):
            header = "".join(lines[1:index])
            body = "".join(lines[index + 1:])
            return header, body, index + 2
    raise UserError(
        "front matter is not closed",
        SourcePosition(path, 1, 1),
        "end the YAML header with a line holding only `---`",
    )


def parse_meta(header: str, path: str) -> tuple[PageMeta, dict[str, Any], YamlDocument]:
    """Validate a front matter block; raises `UserError`/`ValidationErrors` with positions."""
    doc = parse_yaml(header, path, line_offset=1)
    if doc.value is None:  # `---` right after `---`, or only comments: no keys
        return PageMeta(), {}, doc
    raw = doc.value
    if not isinstance(raw, dict):
        raise UserError("front matter must be a mapping of `key: value` lines",
                        doc.position(), "write e.g. `title: My page`")
    model = ArticleMeta if "date" in raw else PageMeta
    # A copy: the parsed document is shared (`parse_yaml` remembers it) and the build drops bad keys.
    return doc.validate(model), dict(raw), doc


def parse_page(text: str, path: str) -> tuple[PageSource, list[UserError]]:
    """A page's front matter and body. Bad front matter is reported and the body still read,
    so one build shows the body's errors too; an unclosed header leaves no body to read."""
    try:
        header, body, body_line = split_front_matter(text, path)
    except UserError as exc:
        return PageSource(path, PageMeta(), ""), [exc]
    if header is None:
        return PageSource(path, PageMeta(), body, body_line), []
    try:
        meta, raw, doc = parse_meta(header, path)
    except UserError as exc:
        return PageSource(path, PageMeta(), body, body_line), [exc]
    except ValidationErrors as exc:
        return PageSource(path, PageMeta(), body, body_line), exc.errors
    return PageSource(path, meta, body, body_line, raw, doc), []


__all__ = ["ArticleMeta", "PageMeta", "PageSource", "ValidationErrors", "parse_page", "split_front_matter"]
