"""Data files: every CSV, JSON and YAML file under `content/data/`, loaded into one mapping.

`data.<stem>` in templates and charts; files in sub-folders nest (`data/polls/uk.csv` is
`data.polls.uk`). CSV rows are dicts with numbers parsed, so templates can do arithmetic.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import json.scanner
import os
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from site_builder.content.symlinks import bad_symlinks
from site_builder.content.yaml_source import parse_yaml
from site_builder.errors import SourcePosition, UserError, position_in_text
from site_builder.memory import forgettable
from site_builder.xmltext import SURROGATE_ESCAPE, encodable

DATA_SUFFIXES = {".csv", ".json", ".yaml", ".yml"}
DEFAULT_MAX_MB = 20.0
"""Largest data file a build reads (`max_data_file_mb`); see README, Safety and limits."""
_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$")


class UnreadableDataError(jinja2.UndefinedError):
    """A page used a data file that has errors."""


class UnreadableData(jinja2.StrictUndefined):
    """What templates get for a data file that has errors: using it says which file to fix, instead
    of a misleading `no attribute 'downloads'` (the file's own errors are reported at the file)."""

    def __init__(self, path: str) -> None:
        super().__init__(hint=f"{path} has errors", exc=UnreadableDataError)


@dataclass(frozen=True)
class DataFile:
    """One loaded data file: where it is and what it holds."""

    path: str
    key: tuple[str, ...]
    value: Any


def read_text(file: Path, rel: str) -> str:
    """UTF-8 text (a BOM is dropped); other encodings are an error at the first bad byte."""
    raw = file.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", errors="replace")
        raise UserError("file is not UTF-8 text", position_in_text(rel, good, len(good)),
                        "save it as UTF-8 (in most editors: Save with encoding → UTF-8)") from None


def parse_number(cell: str) -> Any:
    """'12' → 12, '3.5' → 3.5, '' → None; anything else stays text."""
    text = cell.strip()
    if text == "":
        return None
    if _INT.match(text):
        try:
            return int(text)
        except ValueError:  # over Python's 4,300-digit limit: an identifier, not a quantity
            return cell
    if _FLOAT.match(text):
        return float(text)
    return cell


def parse_csv(text: str, path: str) -> list[dict[str, Any]]:
    """Rows as dicts keyed by the header; a row with a different cell count is an error."""
    if not text.strip():
        raise UserError("CSV file is empty", SourcePosition(path, 1, 1), "add a header row and data rows")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
        _check_header(header, path)
        rows = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise UserError(
                    f"row has {len(row)} cells but the header has {len(header)}",
                    SourcePosition(path, reader.line_num, 1),
                    "add or remove cells (quote any cell that contains a comma)",
                )
            rows.append({name: parse_number(cell) for name, cell in zip(header, row)})
    except csv.Error as exc:
        opening = _unclosed_quote(text)
        if opening is not None:  # the reader stops at the end of the file; the quote is the mistake
            raise UserError("malformed CSV: this quote is never closed", position_in_text(path, text, opening),
                            'close the quoted cell with `"` (write `""` for a quote inside it)') from None
        if "field larger than field limit" in str(exc):
            raise UserError(f"a cell is longer than {csv.field_size_limit():,} characters",
                            SourcePosition(path, reader.line_num or 1, 1),
                            "shorten it, or look for a quote that opens a cell and is never closed") from None
        raise UserError(f"malformed CSV: {exc}", SourcePosition(path, reader.line_num or 1, 1),
                        "check the quotes on this line") from None
    return rows


def _check_header(header: list[str], path: str) -> None:
    """Every column needs a unique name: rows become dicts keyed by it."""
    for index, name in enumerate(header):
        column = len(",".join(header[:index])) + (2 if index else 1)
        if not name.strip():
            raise UserError(f"CSV column {index + 1} has no name", SourcePosition(path, 1, column),
                            "give every column a name in the header row")
        if name in header[:index]:
            raise UserError(f"CSV column `{name}` appears twice in the header", SourcePosition(path, 1, column),
                            "give every column a unique name")


def _unclosed_quote(text: str) -> int | None:
    """The offset of a quote that opens a cell and is never closed, if there is one."""
    opening, at_cell_start = None, True
    i = 0
    while i < len(text):
        char = text[i]
        if opening is not None:
            if char == '"' and text.startswith('""', i):
                i += 1
            elif char == '"':
                opening = None
        elif char == '"' and at_cell_start:
            opening = i
        at_cell_start = opening is None and char in ",\n\r"
        i += 1
    return opening


def parse_json(text: str, path: str) -> Any:
    if not text.strip():
        raise UserError("JSON file is empty", SourcePosition(path, 1, 1), "add data or delete the file")
    try:
        value = json.loads(text, parse_int=_json_int, object_pairs_hook=_unique_keys)
        return encodable(value) if SURROGATE_ESCAPE.search(text) else value
    except _DuplicateKey as exc:
        raise UserError(f"duplicate key `{exc.key}` in one JSON object",
                        position_in_text(path, text, _duplicate_key_offset(text, exc.key)),
                        "keep one of the two (JSON readers would silently use the last)") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"JSON syntax error: {exc.msg}", SourcePosition(path, exc.lineno, exc.colno),
                        "check commas, quotes and brackets around here") from None
    except _LongNumber as exc:
        raise UserError(f"JSON number with {len(exc.digits):,} digits", position_in_text(path, text, text.find(exc.digits)),
                        "write it as a string, in quotes") from None
    except RecursionError:
        raise UserError("JSON nested too deeply (thousands of levels of `[` or `{`)", SourcePosition(path, 1, 1),
                        "flatten the structure") from None


class _LongNumber(ValueError):
    def __init__(self, digits: str) -> None:
        super().__init__(digits)
        self.digits = digits


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) < len(pairs):
        counts = Counter(key for key, _ in pairs)
        raise _DuplicateKey(next(key for key, _ in pairs if counts[key] > 1))
    return value


def _duplicate_key_offset(text: str, key: str) -> int:
    """Where the second `key` of the first object holding it twice is written. Only run once a
    duplicate is known: it parses again with the pure-Python scanner, which gives the objects' spans."""
    decoder = json.JSONDecoder(parse_int=_json_int)
    written = re.compile(re.escape(json.dumps(key)) + r"\s*:")
    found: list[int] = []
    inner: list[tuple[int, int]] = []  # spans of the objects parsed so far (inner ones come first)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[dict[str, Any], int]:
        start = s_and_end[1]
        pairs, end = json.decoder.JSONObject(s_and_end, *args[:3], lambda p: p, *args[4:])  # type: ignore[attr-defined]
        if not found and [name for name, _ in pairs].count(key) > 1:
            own = [m.start() for m in written.finditer(text, start, end)
                   if not any(a <= m.start() < b for a, b in inner if start <= a)]
            found.append(own[1] if len(own) > 1 else start - 1)
        inner.append((start, end))
        return dict(pairs), end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    decoder.decode(text)
    return found[0] if found else 0


def _json_int(digits: str) -> int:
    try:
        return int(digits)
    except ValueError:  # over Python's 4,300-digit limit for int()
        raise _LongNumber(digits) from None


@functools.lru_cache(maxsize=64)
def parse_data_file(text: str, path: str) -> Any:
    """The value a data file holds, by its suffix.

    Remembered by text and path: the live preview reads every data file in every build. The value
    is shared, so nothing changes it (the Jinja sandbox is immutable; chart modules get a copy)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return parse_csv(text, path)
    if suffix == ".json":
        return parse_json(text, path)
    value = parse_yaml(text, path).value
    if value is None:
        raise UserError("YAML data file is empty", SourcePosition(path, 1, 1), "add data or delete the file")
    return value


forgettable(parse_data_file.cache_clear)


def find_data_files(data_dir: Path, root: Path) -> list[Path]:
    """Data files under `data_dir`, through links that stay in the project (`bad_symlinks` reports
    the others)."""
    if not data_dir.is_dir():
        return []
    skip = bad_symlinks(data_dir, root)
    found = []
    for parent, dirs, names in os.walk(data_dir, followlinks=True):
        dirs[:] = [d for d in dirs if Path(parent, d) not in skip]
        found += [path for path in (Path(parent, name) for name in names)
                  if path.suffix.lower() in DATA_SUFFIXES and path not in skip and path.is_file()]
    return sorted(found)


def check_size(file: Path, rel: str, max_mb: float) -> None:
    """Refuse a file over the limit before reading it: parsed rows take ~15× the file's size in
    memory (a 50 MB CSV needs ~0.7 GB), which a laptop or a CI runner may not have."""
    size_mb = file.stat().st_size / 1_000_000
    if size_mb > max_mb:
        raise UserError(f"data file is {size_mb:.3g} MB, over the {max_mb:g} MB limit", SourcePosition(rel),
                        "publish a summary instead (e.g. monthly totals per country), or raise "
                        "`max_data_file_mb` under the explainer plugin in mkdocs.yml")


def load_data_files(data_dir: Path, root: Path, max_mb: float = DEFAULT_MAX_MB) -> tuple[list[DataFile],
                                                                                     list[UserError]]:
    """Read and parse every data file; all errors are returned, none stops the others."""
    files, errors = [], []
    for file in find_data_files(data_dir, root):
        rel = file.relative_to(root).as_posix()
        key = file.relative_to(data_dir).with_suffix("").parts
        try:
            check_size(file, rel, max_mb)
            files.append(DataFile(rel, key, parse_data_file(read_text(file, rel), rel)))
        except UserError as exc:
            files.append(DataFile(rel, key, UnreadableData(rel)))
            errors.append(exc)
    return files, errors


def nest_data(files: Iterable[DataFile]) -> tuple[dict[str, Any], list[UserError]]:
    """`{stem: value}`, nested by folder. Two files with one key (a.csv and a.json), or a file and a
    folder with one name (polls.csv and polls/uk.csv), are an error: one would hide the other."""
    data: dict[str, Any] = {}
    by_key: dict[tuple[str, ...], str] = {}
    folders: dict[tuple[str, ...], str] = {}
    """A folder's key and the first file in it, to name in an error."""
    errors = []
    for file in files:
        prefixes = [file.key[:i] for i in range(1, len(file.key))]
        clash = by_key.get(file.key) or folders.get(file.key) or next(
            (by_key[p] for p in prefixes if p in by_key), None)
        if clash is not None:
            errors.append(UserError(f"data key `{'.'.join(file.key)}` is also defined by {clash}",
                                    SourcePosition(file.path), "rename one of the two (a file and a folder "
                                    "cannot share a name either)"))
            continue
        by_key[file.key] = file.path
        folders.update({p: folders.get(p, file.path) for p in prefixes})
        target = data
        for part in file.key[:-1]:
            target = target.setdefault(part, {})
        target[file.key[-1]] = file.value
    return data, errors
