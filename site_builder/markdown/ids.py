"""One page, one element per id: a repeated id makes an anchor link to it ambiguous.

Generated heading slugs are unique among themselves (headings.py). An id the author sets —
`{#id}` on a heading, a block or an inline element, or `id="…"` in raw HTML (raw_html.py) — that
repeats another id of the page, set or generated, is an error at the later of the two. A feature
that adds elements with ids of its own (the reference list, footnotes) names them on its token as
`meta["generated_ids"]`, with `meta["by"]` saying what they belong to; a heading or an id the
author sets that takes one of them is an error too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

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


def _position(ctx: LinkContext, block_map: list[int] | None, token: Token, element_id: str) -> SourcePosition:
    start, end = block_map or [0, len(ctx.source_lines)]
    if token.meta.get("generated_id"):  # a heading's slug: the heading's line
        return SourcePosition(ctx.source_path, ctx.file_line(start), 1)
    pattern = _written_id(element_id)
    above = range(start - 1, max(start - 1 - _ATTRIBUTE_LINES_ABOVE, -1), -1)
    for number in [*range(start, end), *above]:
        if 0 <= number < len(ctx.source_lines) and (match := pattern.search(ctx.source_lines[number])):
            return SourcePosition(ctx.source_path, ctx.file_line(number), match.end() - len(element_id) + 1)
    return SourcePosition(ctx.source_path, ctx.file_line(start), 1)


def _element_ids(ctx: LinkContext, tokens: Iterable[Token]) -> list[tuple[str, SourcePosition]]:
    found = []
    for block in tokens:
        # Inline attributes are written in braces: a paragraph without one has no inline ids.
        children = block.children if block.children and "{" in block.content else ()
        for token in [block, *children]:
            if token.attrs.get("id"):
                element_id = str(token.attrs["id"])
                found.append((element_id, _position(ctx, block.map, token, element_id)))
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
