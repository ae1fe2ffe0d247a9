"""The CSV download beside a chart: formula-like text cannot run when a reader opens it in a spreadsheet."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from site_builder.charts.csv_download import FORMULA_START, to_csv


def cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_formula_text_is_prefixed_and_numbers_stay_numbers() -> None:
    rows = [{"name": "=HYPERLINK(\"http://evil.example\",\"x\")", "delta": -3.5, "as_text": "-3.5"},
            {"name": "+1+cmd|' /C calc'!A0", "delta": 2, "as_text": "+2e3"},
            {"name": "@SUM(A1:A2)", "delta": None, "as_text": "-1+2"},
            {"name": "\tTAB", "delta": 0, "as_text": "\rCR"},
            {"name": "plain - text", "delta": 1.25, "as_text": "a=b"}]
    assert cells(to_csv(rows)) == [
        ["name", "delta", "as_text"],
        ["'=HYPERLINK(\"http://evil.example\",\"x\")", "-3.5", "-3.5"],
        ["'+1+cmd|' /C calc'!A0", "2", "+2e3"],
        ["'@SUM(A1:A2)", "", "'-1+2"],
        ["'\tTAB", "0", "'\rCR"],
        ["plain - text", "1.25", "a=b"],
    ]


def test_headers_are_guarded_too_and_missing_cells_are_empty() -> None:
    assert cells(to_csv([{"=cmd": "x"}, {"b": 1}])) == [["'=cmd", "b"], ["x", ""], ["", "1"]]


@given(st.lists(st.text(), min_size=1, max_size=4))
def test_no_text_cell_reads_back_as_a_formula(texts: list[str]) -> None:
    [_, row] = cells(to_csv([{f"c{i}": text for i, text in enumerate(texts)}]))
    for written, text in zip(row, texts, strict=True):
        assert written == text or written == "'" + text
        if text.startswith(FORMULA_START):
            assert written.startswith("'") or float(text) == float(written)
