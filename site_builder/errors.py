"""User errors and coded warnings: the one way the pipeline reports a mistake in a site's sources.

A `UserError` is something the author caused and can fix; it carries the position in their
files. Anything else raised during a build is a bug in site-builder and keeps its traceback.
"""

from __future__ import annotations

import enum
import io
import os
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourcePosition:
    """A 1-based line and column in a file, the file relative to the project root."""

    path: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class UserError(Exception):
    """A mistake in the site's sources, reported as `path:line:col: message — hint`."""

    def __init__(self, message: str, position: SourcePosition, hint: str = "", *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        # Exception pickles as `cls(*args)`, and `args` holds only the message: the parallel build
        # sends errors back from its page workers.
        return (type(self), (self.message, self.position, self.hint), self.__dict__)

    def __str__(self) -> str:
        text = f"{self.position}: {self.message}"
        if self.hint:
            text += f" — {self.hint}"
        if self.code:
            text += f" [{self.code}]"
        return text


class BuildErrors(Exception):
    """Every user error of one build, raised once at the end so that none is lost."""

    def __init__(self, errors: Iterable[UserError]) -> None:
        self.errors = in_report_order(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def in_report_order(errors: Iterable[UserError]) -> list[UserError]:
    """Sorted by file and position, each once: two readers of one file (the data loader and the
    sources.yaml loader) may report the same mistake."""
    return sorted({str(e): e for e in errors}.values(), key=_sort_key)


def _sort_key(error: UserError) -> tuple[str, int, int]:
    p = error.position
    return (p.path, p.line, p.column)


class WarningCode(enum.Enum):
    """Warnings an author can see; `build` is strict, so each one fails the build unless `--no-strict`."""

    UNCITED_SOURCE = "uncited-source"
    """A source in sources.yaml that no page cites."""
    MISSING_SOURCE = "missing-source"
    """A chart or timeline event without a source."""
    MKDOCS = "mkdocs"
    """A warning logged by MkDocs or a theme plugin."""


def make_warning(code: WarningCode, message: str, position: SourcePosition, hint: str = "") -> UserError:
    """The one place warnings are created, so each carries its code."""
    return UserError(message, position, hint, code=code.value)


@dataclass
class ErrorCollector:
    """Gathers errors and warnings during a build, so all of them are reported together."""

    errors: list[UserError] = field(default_factory=list)
    warnings: list[UserError] = field(default_factory=list)

    def add(self, error: UserError) -> None:
        self.errors.append(error)

    def extend(self, errors: Iterable[UserError]) -> None:
        self.errors.extend(errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise BuildErrors(self.errors)


def display_path(path: Path, root: Path) -> str:
    """How positions name a file: relative to the project root (the folder of mkdocs.yml), else in full."""
    try:
        resolved = path.resolve()
    except (OSError, RuntimeError):  # a link that loops (`a.md` → `b.md` → `a.md`); Python < 3.13: RuntimeError
        resolved = Path(os.path.abspath(path))
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def position_in_text(path: str, text: str, offset: int) -> SourcePosition:
    """The 1-based line and column of a character offset into `text`."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return SourcePosition(path, line, column)


# Control characters as their visible pictures (ESC as ␛): printed raw, a hostile file's escape
# sequences or backspaces would clear the terminal, retitle it or overwrite the error being read.
# The first line's tab and newline too: it is one line (`path:line:col: …`) that editors and CI
# parse, even for a file whose name holds a newline; the quoted line's tabs are expanded instead.
_VISIBLE_CONTROLS = {**{c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}, 0x7F: 0x2421,
                     **{c: 0xFFFD for c in range(0x80, 0xA0)}}
_VISIBLE_IN_ONE_LINE = {**_VISIBLE_CONTROLS, 0x09: 0x2409, 0x0A: 0x240A}


def format_error(error: UserError, root: Path) -> str:
    """`path:line:col: message — hint`, then the offending source line and a caret under the column."""
    text = str(error).translate(_VISIBLE_IN_ONE_LINE)
    source_line = error_source_line(error, root)
    if source_line is not None:
        source_line = source_line.translate(_VISIBLE_CONTROLS)  # one character for one: columns stay
        line, column = _window(source_line.expandtabs(4), len(source_line[: error.position.column - 1].expandtabs(4)))
        caret = " " * display_width(line[:column]) + "^"
        text += f"\n    {line}\n    {caret}"
    return text


_SHOWN_CHARS = 120


def _window(line: str, column: int) -> tuple[str, int]:
    """A long line (minified JSON is one) cut to the part around the 0-based column, and the column in it."""
    if len(line) <= _SHOWN_CHARS:
        return line, column
    start = max(0, min(column - _SHOWN_CHARS // 2, len(line) - _SHOWN_CHARS))
    prefix, suffix = ("…" if start else ""), ("…" if start + _SHOWN_CHARS < len(line) else "")
    return prefix + line[start: start + _SHOWN_CHARS] + suffix, column - start + len(prefix)


def error_source_line(error: UserError, root: Path) -> str | None:
    """The line an error points at. A link out of the project is reported, not quoted: its target
    may be private (/etc/passwd); one that loops has no line to quote."""
    file = root / error.position.path
    try:
        if file.is_symlink() and not file.resolve().is_relative_to(root.resolve()):
            return None
    except (OSError, RuntimeError):  # Python < 3.13 raises RuntimeError on a loop
        return None
    return read_source_line(file, error.position.line)


def display_width(text: str) -> int:
    """Terminal columns of `text`: wide (CJK) characters take two, so the caret lands under its column."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def physical_lines(text: str, keepends: bool = False) -> list[str]:
    """Lines as editors, Jinja and the markdown parser count them: split at \n, \r\n or \r only.
    (`str.splitlines` also splits at U+2028, form feeds and the like, which would shift every
    line number after one.)"""
    lines = io.StringIO(text, newline="").readlines()
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def read_source_line(path: Path, line: int) -> str | None:
    try:
        if not path.is_file():  # a named pipe would block the read until something writes to it
            return None
        lines = physical_lines(path.read_text(encoding="utf-8-sig", errors="replace"))
    except OSError:
        return None
    if 1 <= line <= len(lines):
        return lines[line - 1]
    return None
