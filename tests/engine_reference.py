"""The reference the engine's fast paths are checked and timed against: our configured parser with
markdown-it-py's own inline and block parsers and `replacements` rule (the same rules otherwise).

Used by tests/test_engine_fast_paths.py (same output) and bench/engine_fast_paths.py (speed).
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.rules_core import replace

from site_builder.markdown.engine import MarkdownOptions, create_md


def reference_md(options: MarkdownOptions) -> MarkdownIt:
    md = create_md(options)
    for name, plain in (("inline", ParserInline), ("block", ParserBlock)):
        parser = plain.__new__(plain)
        vars(parser).update(vars(getattr(md, name)))
        setattr(md, name, parser)
    md.core.ruler.at("replacements", replace)
    return md
