"""Heading ids, permalinks and the table of contents Material shows on the right.

Slugs are stable: lower-case, Unicode letters kept (a heading in Chinese still gets a readable
id), punctuation dropped, spaces to hyphens; repeats get `_1`, `_2` as in Python-Markdown's toc.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


@dataclass(frozen=True)
class Heading:
    level: int
    id: str
    title: str


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[-\s]+", "-", text).strip("-_") or "section"


def _plain_text(inline: Token) -> str:
    return "".join(c.content for c in inline.children or [] if c.type in {"text", "code_inline", "text_special"})


def _unique(slug: str, taken: set[str]) -> str:
    candidate, n = slug, 0
    while candidate in taken:
        n += 1
        candidate = f"{slug}_{n}"
    taken.add(candidate)
    return candidate


def heading_ids(state: StateCore) -> None:
    """Give every heading an id (explicit `{#id}` wins) and record it for the TOC."""
    taken = {str(t.attrs["id"]) for t in state.tokens if t.type == "heading_open" and t.attrs.get("id")}
    headings = state.env.setdefault("headings", [])
    for idx, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        inline = state.tokens[idx + 1]
        title = _plain_text(inline).strip()
        slug = str(token.attrs.get("id") or _unique(slugify(title), taken))
        token.attrSet("id", slug)
        headings.append(Heading(int(token.tag[1]), slug, title))
        permalink = Token("html_inline", "", 0,
                          content=f'<a class="headerlink" href="#{slug}" title="Permanent link">¶</a>')
        if inline.children is not None:
            inline.children.append(permalink)


def headings_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("heading_ids", heading_ids)


def toc_tree(headings: list[Heading]) -> list[dict[str, object]]:
    """Nest headings into the `{level, id, name, children}` tree MkDocs' `get_toc` expects."""
    root: list[dict[str, object]] = []
    stack: list[dict[str, object]] = []
    for h in headings:
        node: dict[str, object] = {"level": h.level, "id": h.id, "name": h.title, "children": []}
        while stack and int(str(stack[-1]["level"])) >= h.level:
            stack.pop()
        siblings = stack[-1]["children"] if stack else root
        assert isinstance(siblings, list)
        siblings.append(node)
        stack.append(node)
    return root
