"""Data files as templates see them: keys by file name, nested by folder, clashes reported."""

from __future__ import annotations

import pytest

from site_builder.content.data import DataFile, nest_data, parse_csv, parse_json
from site_builder.errors import UserError


def test_folders_nest() -> None:
    data, errors = nest_data([DataFile("content/data/a.csv", ("a",), [1]),
                              DataFile("content/data/polls/uk.csv", ("polls", "uk"), [2]),
                              DataFile("content/data/polls/us.json", ("polls", "us"), {"n": 3})])
    assert errors == [] and data == {"a": [1], "polls": {"uk": [2], "us": {"n": 3}}}


def test_same_name_different_suffix_is_an_error() -> None:
    data, errors = nest_data([DataFile("content/data/a.csv", ("a",), [1]), DataFile("content/data/a.json", ("a",), 2)])
    assert data == {"a": [1]}
    assert [str(e.position) for e in errors] == ["content/data/a.json:1:1"]
    assert "also defined by content/data/a.csv" in errors[0].message


def test_a_file_and_a_folder_with_one_name_is_an_error_in_either_order() -> None:
    """Sorted, `polls.csv` comes before `polls/uk.csv`; the other order happens too (`polls.csv` vs `polls/a/`)."""
    file, inner = DataFile("content/data/polls.csv", ("polls",), [1]), DataFile("content/data/polls/uk.csv",
                                                                                ("polls", "uk"), [2])
    for files, loser in (([file, inner], inner), ([inner, file], file)):
        data, errors = nest_data(files)
        assert [e.position.path for e in errors] == [loser.path]
        assert data["polls"] == (file.value if loser is inner else {"uk": [2]})


def test_a_cell_over_the_csv_limit_says_so() -> None:
    with pytest.raises(UserError) as caught:
        parse_csv("a,b\n" + "x" * 200_000 + ",1\n", "content/data/d.csv")
    assert str(caught.value).startswith("content/data/d.csv:2:1: a cell is longer than 131,072 characters — ")


def test_a_json_integer_too_long_for_python_is_an_error_at_it() -> None:
    with pytest.raises(UserError) as caught:
        parse_json('{"id":\n ' + "7" * 5000 + "}", "content/data/d.json")
    assert str(caught.value).startswith("content/data/d.json:2:2: JSON number with 5,000 digits")
