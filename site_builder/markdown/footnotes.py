"""Footnotes in Material's markup: mdit-py-plugins parses them; the list renders as Python-Markdown's
`<div class="footnote">`, which Material styles (small print, highlighted target) and its
`content.footnote.tooltips` feature reads, and references show a plain number, not `[1]`.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin


def _block_open(self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return '<div class="footnote">\n<hr />\n<ol>\n'


def _block_close(self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return "</ol>\n</div>\n"


def _caption(self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    return str(tokens[idx].meta["id"] + 1)


def footnotes_plugin(md: MarkdownIt) -> None:
    md.use(footnote_plugin)
    md.add_render_rule("footnote_block_open", _block_open)
    md.add_render_rule("footnote_block_close", _block_close)
    md.add_render_rule("footnote_caption", _caption)
