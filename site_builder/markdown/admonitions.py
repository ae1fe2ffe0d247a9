"""Material-style admonitions: `!!! note "Title"` boxes and collapsible `???`/`???+` blocks.

The parsing comes from mdit-py-plugins; the rendering is Material's markup, so its CSS applies:
`<div class="admonition note">` for boxes, `<details class="note">` for collapsibles.
"""

from __future__ import annotations

from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.admon import admon_plugin


def _is_collapsible(token: Token) -> bool:
    return token.markup.startswith("?")


def _kinds(token: Token) -> str:
    classes = str(token.attrs.get("class", "")).split()
    return " ".join(c for c in classes if c not in {"admonition", "is-collapsible", "collapsible-open",
                                                     "collapsible-closed"})


def render_admonition(renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict,
                      env: EnvType) -> str:
    token = tokens[idx]
    if token.type == "admonition_open":
        kinds = escapeHtml(_kinds(token))
        if _is_collapsible(token):
            opened = " open" if token.markup.endswith("+") else ""
            return f'<details class="{kinds}"{opened}>\n'
        return f'<div class="admonition {kinds}">\n'
    if token.type == "admonition_close":
        return "</details>\n" if _is_collapsible(token) else "</div>\n"
    # Walk back by index: slicing `tokens` here made a page of many admonitions quadratic.
    title_open = next(tokens[i] for i in range(idx, -1, -1) if tokens[i].type == "admonition_title_open")
    collapsible = title_open.markup.startswith("?")
    if token.type == "admonition_title_open":
        return "<summary>" if collapsible else '<p class="admonition-title">'
    return "</summary>\n" if collapsible else "</p>\n"


def admonitions_plugin(md: MarkdownIt) -> None:
    admon_plugin(md, render=render_admonition)
