"""The reference the engine's fast paths are checked and timed against: our configured parser with
markdown-it-py's own inline and block parsers, block ruler and `replacements` rule (the same rules).

Used by tests/test_engine_fast_paths.py (same output) and bench/engine_fast_paths.py (speed).
"""

from __future__ import annotations

from typing import TypeVar

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.ruler import Ruler
from markdown_it.rules_core import replace

from site_builder.markdown.engine import MarkdownOptions, create_md

T = TypeVar("T")


def reference_md(options: MarkdownOptions) -> MarkdownIt:
    md = create_md(options)
    md.inline = _plain(ParserInline, md.inline)
    md.block = _plain(ParserBlock, md.block)
    md.block.ruler = _plain(Ruler, md.block.ruler)
    md.core.ruler.at("replacements", replace)
    return md


def _plain(cls: type[T], fast: object) -> T:
    """An instance of markdown-it-py's `cls` with the state (rules, settings) of `fast`."""
    plain = cls.__new__(cls)
    vars(plain).update(vars(fast))
    return plain
