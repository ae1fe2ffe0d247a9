"""One page from source text to HTML: front matter → Jinja data step → markdown.

Pure: the caller reads the file and supplies the site (data, links, parser); nothing here
touches the disk or knows about MkDocs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markdown_it import MarkdownIt

from site_builder.content.frontmatter import PageSource
from site_builder.content.sources import SourceRegistry
from site_builder.errors import UserError, physical_lines
from site_builder.keyfigures import KeyFigureCard, key_figures
from site_builder.markdown.citations import PageCitations
from site_builder.markdown.engine import RenderedMarkdown, render_markdown
from site_builder.markdown.fences import FenceHandler
from site_builder.markdown.links import LinkContext, SiteLinks
from site_builder.sandbox import PageEnvironment
from site_builder.templating import line_map, render_page_template, shared_environment


@dataclass
class Site:
    """What every page of one build shares."""

    md: MarkdownIt
    links: SiteLinks
    data: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    fences: dict[str, FenceHandler] = field(default_factory=dict)
    """Renderers for fenced blocks by info string, registered by features (charts, timeline)."""
    effects: dict[str, Callable[[Any], None]] = field(default_factory=dict)
    """How a feature takes back what a remembered render of a page left behind in the build (a chart
    to compile, an error to report): see `site_builder.dependencies.effect`."""
    jinja: PageEnvironment = field(default_factory=shared_environment)
    sources: SourceRegistry = field(default_factory=SourceRegistry)
    """sources.yaml; pages and features cite through it."""


@dataclass
class RenderedPage:
    source: PageSource
    markdown: RenderedMarkdown
    key_figures: list[KeyFigureCard] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        return self.source.meta.title or self.markdown.title


def render_page(source: PageSource, page: str, site: Site) -> RenderedPage:
    """Render a parsed page; every problem (template, links, fences) is collected on the result."""
    context = {"data": site.data, "page": source.raw_meta, "config": {"extra": site.extra}}
    try:
        markdown = render_page_template(source.markdown, context, source.path, source.body_line, site.jinja)
    except UserError as exc:
        return _render_untemplated(source, page, site, exc)
    lines = physical_lines(markdown)
    links = LinkContext(page, source.path, site.links, lines, source.body_line,
                        line_map=line_map(source.markdown, markdown))
    # Key figures cite first, so the cards at the top of the page carry the first numbers.
    citations = PageCitations(site.sources, links.errors)
    figures = key_figures(source, context, site.jinja, citations)
    rendered = render_markdown(site.md, markdown, links, site.fences, {"citations": citations})
    return RenderedPage(source, rendered, figures)


def _render_untemplated(source: PageSource, page: str, site: Site, error: UserError) -> RenderedPage:
    """After a template error, the page's own text is still rendered so that one build also reports
    its link and image errors; lines holding template tags are skipped (their targets are unknown),
    and fenced blocks stay code (their features would see untemplated text)."""
    lines = physical_lines(source.markdown)
    links = LinkContext(page, source.path, site.links, lines, source.body_line)
    rendered = render_markdown(site.md, source.markdown, links)
    templated = {source.body_line + i for i, line in enumerate(lines) if "{{" in line or "{%" in line}
    rendered.errors = [error, *(e for e in rendered.errors if e.position.line not in templated)]
    rendered.anchor_links = [a for a in rendered.anchor_links if a.position.line not in templated]
    return RenderedPage(source, rendered)
