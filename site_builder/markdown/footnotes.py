"""Footnotes in Material's markup: mdit-py-plugins parses them; the list renders as Python-Markdown's
`<div class="footnote">`, which Material styles (small print, highlighted target) and its
`content.footnote.tooltips` feature reads, and references show a plain number, not `[1]`.

Footnote N's note has the id `fnN` and its marks `fnrefN`, `fnrefN:1`, …; the list's tokens name
them for the page's duplicate-id check (ids.py), so an author's `{#fn1}` is an error, not a link
that jumps to the wrong place. A label defined twice is an error at the second definition: the
plugin would show only the last one and drop the other's text without a word.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin

from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.links import LinkContext


def _block_open(self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return '<div class="footnote">\n<hr />\n<ol>\n'


def _block_close(self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "</ol>\n</div>\n"


def _caption(self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return str(tokens[idx].meta["id"] + 1)


def _name_ids(state: StateCore) -> None:
    """Put the ids the renderer writes for each footnote on the footnote's token in the list."""
    notes = state.env.get("footnotes", {}).get("list", {})
    for token in state.tokens:
        if token.type == "footnote_open":
            note, number = notes[token.meta["id"]], token.meta["id"] + 1
            # A labelled note's marks are counted; an inline one (`^[…]`) has its one mark.
            repeats = range(1, note.get("count", 1))
            token.meta["generated_ids"] = [f"fn{number}", f"fnref{number}", *(f"fnref{number}:{r}" for r in repeats)]
            written = f"[^{note['label']}]" if "label" in note else "^[…]"
            token.meta["by"] = f"footnote `{written}` (footnotes take the ids `fnN`, `fnrefN` and `fnrefN:M`)"


def _duplicate_definitions(state: StateCore) -> None:
    """An error at each definition of a label already defined (before `footnote_tail` removes them)."""
    ctx: LinkContext | None = state.env.get("links")
    labels = [token.meta["label"] for token in state.tokens if token.type == "footnote_reference_open"]
    if ctx is None or len(set(labels)) == len(labels):
        return  # the common case: finding where each definition is written is only needed for an error
    first: dict[str, SourcePosition] = {}
    last: dict[str, int] = {}
    for label in labels:
        where = _definition(ctx, label, last.get(label, 0))
        last[label] = where.line
        if label in first:
            ctx.errors.append(UserError(f"footnote `[^{label}]` is defined twice", where,
                                        f"give one another label or delete it; first at line {first[label].line} "
                                        "(only one would be shown)"))
        else:
            first[label] = where


def _definition(ctx: LinkContext, label: str, after_line: int) -> SourcePosition:
    """Where `[^label]:` is written, on the first line of the file past `after_line` that has it."""
    written = f"[^{label}]:"
    for number, text in enumerate(ctx.source_lines):
        column = text.find(written)
        if column >= 0 and ctx.file_line(number) > after_line:
            return SourcePosition(ctx.source_path, ctx.file_line(number), column + 1)
    return SourcePosition(ctx.source_path, ctx.file_line(0), 1)


def footnotes_plugin(md: MarkdownIt) -> None:
    md.use(footnote_plugin)
    md.core.ruler.before("footnote_tail", "footnote_duplicates", _duplicate_definitions)
    md.core.ruler.after("footnote_tail", "footnote_ids", _name_ids)
    md.add_render_rule("footnote_block_open", _block_open)
    md.add_render_rule("footnote_block_close", _block_close)
    md.add_render_rule("footnote_caption", _caption)
