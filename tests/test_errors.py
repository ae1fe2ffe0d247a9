"""How an error is printed: position, message, hint, the source line and a caret under the column."""

from __future__ import annotations

from pathlib import Path

from site_builder.errors import SourcePosition, UserError, format_error


def test_caret_sits_under_the_column_after_tabs_and_wide_characters(tmp_path: Path) -> None:
    (tmp_path / "p.md").write_text("\t数据 [x](gone.md)\n", encoding="utf-8")
    text = format_error(UserError("missing page", SourcePosition("p.md", 1, 9), "fix it"), tmp_path)
    message, source, caret = text.splitlines()
    assert message == "p.md:1:9: missing page — fix it"
    assert source == "        数据 [x](gone.md)"
    # After the 4-space indent: the tab (4 columns), two wide characters (4) and ` [x](` (5), then `g`.
    assert caret == "    " + " " * 13 + "^"


def test_no_source_line_for_a_position_past_the_end(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("a: 1\n", encoding="utf-8")
    assert format_error(UserError("bad", SourcePosition("d.yaml", 5, 1)), tmp_path) == "d.yaml:5:1: bad"


def test_a_file_name_with_a_newline_or_tab_keeps_the_error_on_one_line(tmp_path: Path) -> None:
    """Editors and CI read `path:line:col: message` from one line; a hostile file name cannot split it."""
    name = "content/a\nb\tc.md"
    (tmp_path / "content").mkdir()
    (tmp_path / name).write_text("# T\n\n[x](nope.md)\n", encoding="utf-8")
    text = format_error(UserError("missing page", SourcePosition(name, 3, 5), "fix it"), tmp_path)
    assert text.splitlines() == ["content/a␊b␉c.md:3:5: missing page — fix it", "    [x](nope.md)", "        ^"]
