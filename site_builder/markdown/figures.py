"""Figures: an image alone in its paragraph, with a title, becomes a captioned figure.

    ![A bar chart of downloads](img/downloads.png "Downloads by country, 2025")

renders as `<figure><img alt src><figcaption>Downloads by country, 2025</figcaption></figure>`.
An image without a title, or inline in a sentence, stays a plain `<img>`.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token


def _lone_titled_image(inline: Token) -> Token | None:
    children = [c for c in inline.children or [] if not (c.type == "text" and not c.content.strip())]
    if len(children) == 1 and children[0].type == "image" and children[0].attrs.get("title"):
        return children[0]
    return None


def figures(state: StateCore) -> None:
    tokens = state.tokens
    for idx in range(len(tokens) - 2):
        if tokens[idx].type != "paragraph_open":  # before slicing: most tokens are not
            continue
        opening, inline, closing = tokens[idx: idx + 3]
        if inline.type != "inline" or closing.type != "paragraph_close":
            continue
        image = _lone_titled_image(inline)
        if image is None:
            continue
        caption = str(image.attrs.pop("title"))
        opening.type, opening.tag = "figure_open", "figure"
        closing.type, closing.tag = "figure_close", "figure"
        caption_tokens = [Token("figcaption_open", "figcaption", 1), Token("text", "", 0, content=caption),
                          Token("figcaption_close", "figcaption", -1)]
        inline.children = [image, *caption_tokens]


def figures_plugin(md: MarkdownIt) -> None:
    md.core.ruler.after("inline", "figures", figures)
