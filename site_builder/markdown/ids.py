"""One page, one element per id: a repeated id makes an anchor link to it ambiguous.

Generated heading slugs are unique among themselves (headings.py). An id the author sets —
`{#id}` on a heading, a block or an inline element, or `id="…"` in raw HTML (raw_html.py) — that
repeats another id of the page, set or generated, is an error at the later of the two. A feature
that adds elements with ids of its own (the reference list, footnotes) names them on its token as
`meta["generated_ids"]`, with `meta["by"]` saying what they belong to; a heading or an id the
author sets that takes one of them is an error too.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Iterator

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.links import LinkContext

# Block attributes stand on the lines just above their block, which its line map does not include.
_ATTRIBUTE_LINES_ABOVE = 3


def _written_id(element_id: str) -> re.Pattern[str]:
    """Where attribute syntax sets the id: `{#id}`, `{.x #id}`, `{id=id}`, `{id="id"}`."""
    return re.compile(rf"""\{{[^{{}}]*?(?:#|\bid=["']?){re.escape(element_id)}(?![\w-])""")


class _BlockLines:
    """A block's lines joined once: finding the line where each of its ids is written is then one
    search of the block, not a regex per line per id (quadratic in a paragraph of thousands of ids)."""

    def __init__(self, ctx: LinkContext, start: int, end: int) -> None:
        lines = ctx.source_lines[start:end]
        self.first = start
        self.text = "\n".join(lines)
        self.starts = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))

    def lines_with(self, needle: str) -> Iterator[int]:
        """The page's 0-based numbers of this block's lines that hold `needle`, in order."""
        at = self.text.find(needle) if needle else -1
        while at >= 0:
            index = bisect.bisect_right(self.starts, at) - 1
            yield self.first + index
            at = self.text.find(needle, self.starts[index + 1])


def _position(ctx: LinkContext, block: _BlockLines, token: Token, element_id: str) -> SourcePosition:
    start = block.first
    if token.meta.get("generated_id"):  # a heading's slug: the heading's line
        return SourcePosition(ctx.source_path, ctx.file_line(start), 1)
    pattern = _written_id(element_id)
    above = [n for n in range(start - 1, max(start - 1 - _ATTRIBUTE_LINES_ABOVE, -1), -1) if n < len(ctx.source_lines)]
    for number in [*block.lines_with(element_id), *above]:
        if match := pattern.search(ctx.source_lines[number]):
            return SourcePosition(ctx.source_path, ctx.file_line(number), match.end() - len(element_id) + 1)
    return SourcePosition(ctx.source_path, ctx.file_line(start), 1)


def _element_ids(ctx: LinkContext, tokens: Iterable[Token]) -> list[tuple[str, SourcePosition]]:
    found = []
    for block in tokens:
        # Inline attributes are written in braces: a paragraph without one has no inline ids.
        children = block.children if block.children and "{" in block.content else ()
        start, end = block.map or [0, len(ctx.source_lines)]
        lines: _BlockLines | None = None
        for token in [block, *children]:
            if token.attrs.get("id"):
                element_id = str(token.attrs["id"])
                lines = _BlockLines(ctx, start, end) if lines is None else lines
                found.append((element_id, _position(ctx, lines, token, element_id)))
    return found


def duplicate_ids(found: Iterable[tuple[str, SourcePosition]]) -> list[UserError]:
    """An error for each id that an earlier element of the page already has (`found` in reading order)."""
    first: dict[str, SourcePosition] = {}
    errors = []
    for element_id, position in found:
        if element_id in first:
            errors.append(UserError(f'duplicate id "{element_id}"', position,
                                    f"rename one; first at line {first[element_id].line}"))
        else:
            first[element_id] = position
    return errors


def taken_by_features(found: Iterable[tuple[str, SourcePosition]], tokens: Iterable[Token]) -> list[UserError]:
    """An error for each id that an element a feature adds (which has no line of its own) also has."""
    generated = {element_id: token.meta["by"] for token in tokens for element_id in token.meta.get("generated_ids", ())}
    return [UserError(f'duplicate id "{element_id}"', position, f"rename it; {generated[element_id]} uses this id")
            for element_id, position in found if element_id in generated]


def check_ids(state: StateCore) -> None:
    ctx: LinkContext | None = state.env.get("links")
    if ctx is None:
        return
    found = sorted([*_element_ids(ctx, state.tokens), *state.env.get("raw_html_ids", [])],
                   key=lambda f: (f[1].line, f[1].column))
    ctx.errors.extend([*duplicate_ids(found), *taken_by_features(found, state.tokens)])


def ids_plugin(md: MarkdownIt) -> None:
    """Registered last: after headings (their ids), raw HTML (its ids) and features that add ids."""
    md.core.ruler.push("duplicate_ids", check_ids)
