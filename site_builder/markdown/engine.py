"""`create_md` builds the one configured parser; `render_markdown` turns markdown into page HTML.

Pages get the full syntax; markdown fields in data files (timeline bodies, captions, notes) use
the same engine with raw HTML off, because data is not trusted like a page.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import validateLink
from mdit_py_plugins.attrs import attrs_block_plugin, attrs_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.tasklists import tasklists_plugin

from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.admonitions import admonitions_plugin
from site_builder.markdown.citations import citations_plugin
from site_builder.markdown.fast_paths import NESTING_CUT, use_fast_paths
from site_builder.markdown.fences import FenceHandler, fences_plugin
from site_builder.markdown.figures import figures_plugin
from site_builder.markdown.footnotes import footnotes_plugin
from site_builder.markdown.headings import Heading, headings_plugin
from site_builder.markdown.ids import ids_plugin
from site_builder.markdown.links import AnchorLink, LinkContext, links_plugin
from site_builder.markdown.raw_html import raw_html_plugin

# Attributes an author may set with `{...}`: no event handlers or styles that could carry script.
_ALLOWED_ATTRS = ("id", "class", "title", "width", "height", "loading", "lang", "dir", "target", "rel")


@dataclass(frozen=True)
class MarkdownOptions:
    raw_html: bool = True


@dataclass
class RenderedMarkdown:
    html: str
    headings: list[Heading] = field(default_factory=list)
    anchor_links: list[AnchorLink] = field(default_factory=list)
    errors: list[UserError] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        """The text of the first level-1 heading, which MkDocs uses when front matter has no title."""
        return next((h.title for h in self.headings if h.level == 1), None)


def create_md(options: MarkdownOptions = MarkdownOptions()) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": options.raw_html, "typographer": True})
    md.enable(["table", "strikethrough", "replacements", "smartquotes"])
    md.use(footnotes_plugin)
    md.use(deflist_plugin)
    md.use(tasklists_plugin)
    md.use(attrs_plugin, allowed=_ALLOWED_ATTRS)
    md.use(attrs_block_plugin, allowed=_ALLOWED_ATTRS)
    md.use(admonitions_plugin)
    md.use(figures_plugin)
    md.use(headings_plugin, allowed=_ALLOWED_ATTRS)
    md.use(links_plugin)
    md.use(raw_html_plugin)
    md.use(fences_plugin)
    md.use(citations_plugin)
    md.use(ids_plugin)
    md.validateLink = _valid_link  # type: ignore[method-assign]
    use_fast_paths(md)
    return md


@functools.cache
def shared_md(options: MarkdownOptions = MarkdownOptions()) -> MarkdownIt:
    """One parser per set of options for the whole process (building one takes ~2 ms; a preview
    rebuild needs three). Its state per render lives in the render's `env`, so sharing is safe as
    long as nobody changes it: call `create_md` for a parser to configure further."""
    return create_md(options)


def _valid_link(url: str) -> bool:
    """markdown-it's check, seeing through the zero-width space the Jinja step puts into a script
    URL from data (`javascript\u200b:`, see templating.escape_value): such a link stays text too."""
    return validateLink(re.sub("\u200b|%E2%80%8B", "", url, flags=re.IGNORECASE))  # raw, or as normalised


def render_markdown(md: MarkdownIt, markdown: str, links: LinkContext | None = None,
                    fences: Mapping[str, FenceHandler] | None = None,
                    extra_env: Mapping[str, Any] | None = None) -> RenderedMarkdown:
    """Render markdown; with a `LinkContext`, links are resolved, registered fences rendered by
    their handlers, and problems recorded on the result. `extra_env` carries per-page state of
    features (e.g. `citations`)."""
    env: dict[str, Any] = {"links": links, "fences": fences or {}, **(extra_env or {})}
    html = md.render(markdown, env)
    if links is not None:
        cut = dict.fromkeys(env.get(NESTING_CUT, []))
        links.errors += [_nested_too_deeply(links, line, md.options["maxNesting"]) for line in cut]
    return RenderedMarkdown(
        html=html,
        headings=env.get("headings", []),
        anchor_links=links.anchors if links else [],
        errors=links.errors if links else [],
    )


def _nested_too_deeply(links: LinkContext, line: int, levels: int) -> UserError:
    """markdown-it stops reading blocks nested `levels` deep (a list item counts two: list and
    item) and drops the rest of the outermost block it is in, up to the page's end: an error, so
    that no text vanishes from the page unseen."""
    return UserError(f"lists, quotes or admonitions nested over {levels} levels deep: markdown stops reading "
                     "here, and the rest of the enclosing block (often of the page) would be left out",
                     SourcePosition(links.source_path, links.file_line(line), 1),
                     "nest less (a list inside a list counts two levels), e.g. start a new list or quote")
