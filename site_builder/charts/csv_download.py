"""The CSV a reader downloads beside a chart: its rows, safe to open in a spreadsheet.

Excel and LibreOffice run a cell that starts with `=`, `+`, `-`, `@`, tab or CR as a formula
(OWASP "CSV injection": `=HYPERLINK(...)`, `=cmd|...`). Such text cells, headers included, get a
leading `'`, which spreadsheets read as "this is text". Numbers stay numbers: `-3.5`, whether
loaded as a number or written as text, is not a formula and keeps its sign.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def safe_cell(value: Any) -> Any:
    """`value`, or as text with a leading `'` when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]]) -> str:
    """All rows as CSV (columns in order of first appearance), formula-like text guarded."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")  # RFC 4180; a CR in a cell gets quoted
    writer.writerow([safe_cell(str(column)) for column in columns])
    writer.writerows([safe_cell(row.get(column)) for column in columns] for row in rows)
    return buffer.getvalue()
