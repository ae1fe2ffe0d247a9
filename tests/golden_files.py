"""Golden-file helpers: compare text with a file under tests/, or rewrite it when UPDATE_GOLDEN=1.

Regenerate deliberately (`UPDATE_GOLDEN=1 pytest tests/test_markdown_golden.py`) and read the diff
before committing it: the golden files are the reviewed behaviour.
"""

from __future__ import annotations

import os
from pathlib import Path

from markdown_it.utils import read_fixture_file

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def write_fixture_file(path: Path, cases: list[tuple[str, str, str]]) -> None:
    """Write (title, input, expected) cases in markdown-it's fixture format (title, `.`, input, `.`,
    expected, `.`), the format `read_fixture_file` reads."""
    blocks = [f"{title}\n.\n{given}.\n{expected}.\n" for title, given, expected in cases]
    path.write_text("\n".join(blocks), encoding="utf-8")


def fixture_cases(path: Path) -> list[tuple[int, str, str, str]]:
    return [(int(line), title, given, expected) for line, title, given, expected in read_fixture_file(path)]


def check_text(actual: str, golden: Path) -> None:
    """Assert `actual` equals the golden file (created or rewritten under UPDATE_GOLDEN=1)."""
    if UPDATE or not golden.exists():
        golden.write_text(actual, encoding="utf-8")
    assert actual == golden.read_text(encoding="utf-8"), f"differs from {golden}; UPDATE_GOLDEN=1 rewrites it"
