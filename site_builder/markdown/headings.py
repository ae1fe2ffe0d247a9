"""Heading ids, permalinks and the table of contents Material shows on the right.

Slugs are stable: lower-case, Unicode letters kept (a heading in Chinese still gets a readable
id), punctuation dropped, spaces to hyphens; repeats get `_1`, `_2` as in Python-Markdown's toc.
A heading may end with attributes, `## Method {#method .wide}`, as with Python-Markdown's attr_list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.attrs.parse import ParseError, parse

_TRAILING_ATTRS = re.compile(r"[ \t]+(\{[^{}]*\})[ \t]*$")


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


def _unique(slug: str, taken: set[str], tried: dict[str, int]) -> str:
    """`slug`, or `slug_N` with the first free N. `tried` remembers the last N per slug: `taken`
    only grows, so the search resumes there (1,000 headings alike would otherwise cost 500,000 probes)."""
    n = tried.get(slug, 0)
    candidate = f"{slug}_{n}" if n else slug
    while candidate in taken:
        n += 1
        candidate = f"{slug}_{n}"
    tried[slug] = n
    taken.add(candidate)
    return candidate


def heading_attrs(state: StateCore, allowed: Collection[str]) -> None:
    """Move a trailing `{#id .class}` of a heading's text onto the heading (runs before smart quotes)."""
    for idx, token in enumerate(state.tokens):
        children = state.tokens[idx + 1].children if token.type == "heading_open" else None
        if not children or children[-1].type != "text":
            continue
        match = _TRAILING_ATTRS.search(children[-1].content)
        try:
            attrs = parse(match.group(1))[1] if match else None
        except ParseError:
            continue
        if match is None or not attrs:  # `{}` is text, not attributes
            continue
        children[-1].content = children[-1].content[: match.start()]
        classes = " ".join(filter(None, [str(token.attrs.get("class", "")), attrs.pop("class", "")]))
        token.attrs.update({k: v for k, v in attrs.items() if k in allowed})
        if classes:
            token.attrSet("class", classes)


def heading_ids(state: StateCore) -> None:
    """Give every heading an id (explicit `{#id}` wins) and record it for the TOC.

    Generated slugs are unique among themselves; one equal to an explicit id is left as it is, for
    the page's duplicate-id check (ids.py) to report, since a link to it would be ambiguous."""
    taken: set[str] = set()
    tried: dict[str, int] = {}
    headings = state.env.setdefault("headings", [])
    for idx, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        inline = state.tokens[idx + 1]
        title = _plain_text(inline).strip()
        if not token.attrs.get("id"):
            token.attrSet("id", _unique(slugify(title), taken, tried))
            token.meta["generated_id"] = True
        slug = str(token.attrs["id"])
        headings.append(Heading(int(token.tag[1]), slug, title))
        if inline.children is not None:
            inline.children.append(Token("headerlink", "", 0, meta={"slug": slug}))


def render_headerlink(renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: EnvType) -> str:
    """The heading's permalink; its own token type, so raw-HTML checks never mistake it for the author's."""
    return f'<a class="headerlink" href="#{escapeHtml(tokens[idx].meta["slug"])}" title="Permanent link">¶</a>'


def headings_plugin(md: MarkdownIt, allowed: Collection[str] = ("id", "class")) -> None:
    md.core.ruler.after("inline", "heading_attrs", partial(heading_attrs, allowed=allowed))
    md.core.ruler.push("heading_ids", heading_ids)
    md.add_render_rule("headerlink", render_headerlink)


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
