"""Fenced blocks with a registered info string (`chart`, `timeline`, …) rendered by their feature.

The engine knows nothing about charts or timelines: a feature registers a `FenceHandler` under
its info string; the handler gets the block with its position and returns HTML. A `UserError` (or
several, as `ValidationErrors`) it raises is recorded with the page's errors and the block renders
as nothing, so other errors still show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from site_builder.content.yaml_source import ValidationErrors
from site_builder.errors import SourcePosition, UserError


@dataclass(frozen=True)
class FenceBlock:
    kind: str
    """The info string's first word, e.g. `chart`."""
    args: str
    """The rest of the info string."""
    body: str
    position: SourcePosition
    """The opening fence line in the page's file."""
    page: str
    """The page's path relative to the content root."""


FenceHandler = Callable[[FenceBlock], str]


def fences_plugin(md: MarkdownIt) -> None:
    assert isinstance(md.renderer, RendererHTML), "fences render through markdown-it's HTML renderer"
    default = md.renderer.rules["fence"]

    def render_fence(renderer: object, tokens: Sequence[Token], idx: int, options: OptionsDict,
                     env: EnvType) -> str:
        token = tokens[idx]
        kind, _, args = token.info.strip().partition(" ")
        handlers: Mapping[str, FenceHandler] = env.get("fences") or {}
        links = env.get("links")
        if kind not in handlers or links is None:
            return str(default(tokens, idx, options, env))
        line = links.file_line(token.map[0] if token.map else 0)
        block = FenceBlock(kind, args.strip(), token.content, SourcePosition(links.source_path, line, 1), links.page)
        try:
            return handlers[kind](block)
        except UserError as exc:
            links.errors.append(exc)
            return ""
        except ValidationErrors as exc:
            links.errors.extend(exc.errors)
            return ""

    md.add_render_rule("fence", render_fence)
