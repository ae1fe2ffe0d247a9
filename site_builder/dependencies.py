"""The explicit dependency record of one page render: the files and data a feature read, and what
it left behind in the build.

A fence handler (chart, timeline, sources) runs while a page renders and may read files the page's
text does not show — a chart file, a CSV, timeline.yaml. It reports them here, and reports each
side effect on the build (a chart to compile, an error to list) through `effect`, which applies it
now and remembers it. `PageCache` opens a record around each page render of the live preview and
reuses the render only while every recorded input is unchanged, handing the remembered effects
back to their features (`Site.effects`). Outside a record (a one-off build) these calls only apply
the effect. A handler that reports nothing of this kind is not marked with `declares_inputs`, and
a page using it is rendered every time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from site_builder.content.data import read_text
from site_builder.errors import UserError

KeyPath = tuple[Any, ...]
FileKey = tuple[str, bool]
"""(absolute path, whether its content counts or only its existence)."""
MISSING, UNREADABLE, EXISTS = "missing", "unreadable", "exists"
_DECLARED = "_site_builder_declares_inputs"
F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class RenderRecord:
    files: dict[FileKey, str] = field(default_factory=dict)
    """File → digest of the text the render used (or MISSING, UNREADABLE, EXISTS)."""
    data: set[KeyPath] = field(default_factory=set)
    """Key paths into the site's data whose values the render used."""
    effects: list[tuple[str, Any]] = field(default_factory=list)
    """(feature, payload) in the order the render applied them."""
    opaque: bool = False
    """A handler that does not declare its inputs ran: the render cannot be reused."""


_RECORD: ContextVar[RenderRecord | None] = ContextVar("site_builder_render_record", default=None)


@contextmanager
def recording() -> Iterator[RenderRecord]:
    """Record what the code run inside reads and leaves behind."""
    record = RenderRecord()
    token = _RECORD.set(record)
    try:
        yield record
    finally:
        _RECORD.reset(token)


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def file_state(path: str, content: bool) -> str:
    """What a file is now, comparable with what `read_tracked`/`uses_path` recorded."""
    file = Path(path)
    if not content:
        return EXISTS if file.is_file() else MISSING
    try:
        return text_digest(read_text(file, path))
    except UserError:
        return UNREADABLE
    except OSError:
        return MISSING


def read_tracked(file: Path, rel: str) -> str:
    """`read_text`, recorded as an input of the render in progress (a failed read too)."""
    record = _RECORD.get()
    key = (str(file), True)
    try:
        text = read_text(file, rel)
    except UserError:
        if record is not None:
            record.files[key] = UNREADABLE
        raise
    except OSError:
        if record is not None:
            record.files[key] = MISSING
        raise
    if record is not None:
        record.files[key] = text_digest(text)
    return text


def uses_text(file: Path, text: str | None) -> None:
    """The render used `text`, read from `file` before it started (None: there was no file)."""
    if (record := _RECORD.get()) is not None:
        record.files[(str(file), True)] = MISSING if text is None else text_digest(text)


def uses_path(file: Path) -> bool:
    """Whether `file` exists, recorded: creating or deleting it changes the render."""
    exists = file.is_file()
    if (record := _RECORD.get()) is not None:
        record.files.setdefault((str(file), False), EXISTS if exists else MISSING)
    return exists


def uses_data(path: KeyPath) -> None:
    """The render used the value at `path` in the site's data (`()`: all of it)."""
    if (record := _RECORD.get()) is not None:
        record.data.add(path)


def effect(kind: str, payload: Any, apply: Callable[[Any], None]) -> None:
    """Apply a render's side effect on the build, remembered for a reuse of the render; `apply` must
    be what `Site.effects[kind]` is, so a reuse in a later build reaches that build's feature."""
    if (record := _RECORD.get()) is not None:
        record.effects.append((kind, payload))
    apply(payload)


class BuildProcessOnly(Exception):
    """Raised by a feature that can only run in the build's own process, inside a worker of a parallel
    build (`site_builder.render_pool`): the page is then rendered by the build's process. Chart
    modules are such a feature: their own worker comes from the build's fork server."""


def declares_inputs(handler: F) -> F:
    """Mark a fence handler that reports everything it reads beyond the fence's own text."""
    setattr(handler, _DECLARED, True)
    return handler


def declared(handler: Callable[..., Any]) -> bool:
    return bool(getattr(handler, _DECLARED, False))


def with_text(handler: Callable[[Any], str], file: Path, text: str | None) -> Callable[[Any], str]:
    """A handler that reads `text` from `file` (loaded once per build), declared as such."""

    def handle(block: Any) -> str:
        uses_text(file, text)
        return handler(block)

    return declares_inputs(handle)
