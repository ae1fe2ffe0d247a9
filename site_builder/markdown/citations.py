"""`[@key]` and `[@a; @b]` in prose: numbered citation links and the page's reference list.

An inline rule turns the syntax into `sb_cite` tokens; a core rule, run once the page is parsed,
numbers keys in reading order of first citation, reports unknown keys and malformed citations at their
line and column, and appends one `sb_references` token so the list ends the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

from site_builder.content.sources import KEY_PATTERN, SourceRegistry, source_entry_html, sources_list_html
from site_builder.dependencies import declares_inputs
from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.fences import FenceBlock
from site_builder.markdown.links import LinkContext, locate

_CANDIDATE = re.compile(r"\[@[^\]\[]*\]")  # may span a soft line break
_KEYS = re.compile(rf"^\[@({KEY_PATTERN})((?:\s*;\s*@{KEY_PATTERN})*)\]$")
_MORE_KEY = re.compile(rf"@({KEY_PATTERN})")


@dataclass
class PageCitations:
    """One page's citations: keys in order of first citation (their number), and its error sink."""

    registry: SourceRegistry
    errors: list[UserError]
    order: list[str] = field(default_factory=list)

    def cite(self, key: str, position: SourcePosition) -> int | None:
        """The key's number on this page, or None (and an error recorded) if it is unknown."""
        error = self.registry.cite(key, position)
        if error is not None:
            self.errors.append(error)
            return None
        if key not in self.registry.sources:  # an entry with errors, already reported at sources.yaml
            return None
        if key not in self.order:
            self.order.append(key)
        return self.order.index(key) + 1

    def link(self, key: str, number: int) -> Markup:
        """The citation as readers see it; hovering shows the source, so they need not jump to the list."""
        source = self.registry.sources[key]
        # Each value escaped, as `Markup.format` would, without its formatter (a tenth of a page's render).
        return Markup(f'<a class="sb-cite" href="#ref-{escape(key)}" title="{escape(source.publisher)}: '
                      f'{escape(source.title)}">[{number}]</a>')


def parse_citation(text: str) -> list[str] | None:
    """The keys of `[@a; @b]`, or None when the bracket is not a well-formed citation."""
    match = _KEYS.match(text)
    if not match:
        return None
    return [match.group(1), *_MORE_KEY.findall(match.group(2))]


def cite_inline(state: StateInline, silent: bool) -> bool:
    if not state.src.startswith("[@", state.pos):
        return False
    match = _CANDIDATE.match(state.src, state.pos)
    # `[@handle](url)` and `[@handle][ref]` are links whose text starts with @; `[@key][^1]` is a citation.
    after = state.src[match.end():match.end() + 2] if match else ""
    if not match or after.startswith("(") or (after.startswith("[") and after != "[^"):
        return False
    if not silent:
        token = state.push("sb_cite", "", 0)
        token.content = match.group()
        token.meta = {"keys": parse_citation(match.group())}
    state.pos = match.end()
    return True


def number_citations(state: StateCore) -> None:
    """Number every citation of the page in reading order and append its reference list."""
    citations: PageCitations | None = state.env.get("citations")
    links: LinkContext | None = state.env.get("links")
    if citations is None or links is None:
        return
    for block in state.tokens:
        for token in _cite_tokens(block.children or []):
            position = locate(links, block.map, token.content.split("\n")[0])
            keys = token.meta["keys"]
            if keys is None:
                citations.errors.append(UserError(f"malformed citation `{token.content}`", position,
                                                  "write [@key] or [@key1; @key2]"))
                token.meta["numbers"] = []
                continue
            token.meta["numbers"] = [(key, citations.cite(key, position)) for key in keys]
    if citations.order:
        ids = ["references", *(f"ref-{key}" for key in citations.order)]  # as references_html writes them
        state.tokens.append(Token("sb_references", "", 0, meta={"generated_ids": ids, "by": "the reference list that `[@key]` citations add at the end of the page"}))


def _cite_tokens(tokens: Sequence[Token]) -> list[Token]:
    found = []
    for token in tokens:
        if token.type == "sb_cite":
            found.append(token)
        found.extend(_cite_tokens(token.children or []))
    return found


def render_cite(renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    token = tokens[idx]
    citations: PageCitations | None = env.get("citations")
    numbers = token.meta.get("numbers")
    if citations is None or numbers is None:
        return str(Markup.escape(token.content))
    return "".join(citations.link(key, number) for key, number in numbers if number is not None)


def references_html(citations: PageCitations) -> str:
    """The page's numbered reference list, each entry with the `ref-key` id its citations link to."""
    items = Markup("").join(
        Markup('<li id="ref-{}">{}</li>\n').format(key, source_entry_html(citations.registry.sources[key]))
        for key in citations.order)
    return str(Markup('<section class="sb-references">\n<h2 id="references">References</h2>\n'
                      '<ol>\n{}</ol>\n</section>\n').format(items))


def render_references(renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: EnvType) -> str:
    citations: PageCitations = env["citations"]
    return references_html(citations)


def citations_plugin(md: MarkdownIt) -> None:
    """Register the syntax; it renders only when the page's env holds a `PageCitations`."""
    md.inline.ruler.before("link", "sb_cite", cite_inline)
    # Last, after footnotes are moved to the end, so the reference list ends the page.
    md.core.ruler.push("sb_cite_numbers", number_citations)
    md.add_render_rule("sb_cite", render_cite)
    md.add_render_rule("sb_references", render_references)


def sources_fence(registry: SourceRegistry) -> Callable[[FenceBlock], str]:
    """A ```sources fence renders the site-wide list of every source."""

    def render(block: FenceBlock) -> str:
        return sources_list_html(registry)

    # Its one input, sources.yaml's registry, is part of what every page's render depends on.
    return declares_inputs(render)


GENERATED_SOURCES_PAGE = """---
title: Sources
description: Every source cited on this site.
---

Every source cited on this site, ordered by publisher. Each page also ends with the references it cites.

```sources
```
"""


class Citation(str):
    """`[@key]` made by the `cite` filter: the Jinja step lets it through as markdown. A plain `str`,
    not `Markup`, so joined with data (`cite ~ row.note`) the result is text again, escaped whole."""


def cite_filter(keys: object) -> Citation:
    """Jinja `{{ row.source | cite }}`: a citation of a key (or `a; b`) held in data, as `[@a; @b]`.

    Data values are otherwise escaped so they can never form markup; this filter lets a data cell
    name its source, and only a well-formed key list gets through."""
    text = str(keys)
    parts = [part.strip().lstrip("@") for part in text.split(";") if part.strip()]
    marker = "[" + "; ".join(f"@{part}" for part in parts) + "]"
    if not parts or parse_citation(marker) is None:
        raise ValueError(f"`{text}` is not a source key (or keys separated by `;`)")
    return Citation(marker)
