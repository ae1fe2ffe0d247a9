"""Layouts: which template renders a page, and what the article and home templates are given.

The templates live in `layouts/templates/`, a theme layer the host puts after the author's
`templates/` (so any file can be overridden there) and before Material's (which they extend).
Everything handed to a template is escaped markup, because MkDocs' Jinja does not autoescape.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from site_builder.content.frontmatter import ArticleMeta, PageSource
from site_builder.errors import SourcePosition, UserError
from site_builder.keyfigures import FIELD, key_figures_html
from site_builder.markdown.links import relative_url
from site_builder.pages import RenderedPage
from site_builder.templating import format_date

TEMPLATES_DIR = Path(__file__).parent / "templates"
STYLESHEET = "assets/site-builder/explainer.css"
LAYOUTS = {"article": "sb-article.html", "home": "sb-home.html"}
WORDS_PER_MINUTE = 220
_TAG = re.compile(r"<[^>]+>")


def layout_template(source: PageSource) -> str | None:
    """`layout: article|home` in front matter, else `article` for pages with a `date` or key figures
    (which only the layouts show), else None: Material's own page."""
    raw = source.raw_meta.get("layout")
    if raw is None:
        article = isinstance(source.meta, ArticleMeta) or FIELD in source.raw_meta
        return LAYOUTS["article"] if article else None
    if not isinstance(raw, str) or raw not in LAYOUTS:
        position = source.meta_doc.position(["layout"]) if source.meta_doc else SourcePosition(source.path)
        raise UserError(f"unknown layout `{raw}`", position, f"use one of: {', '.join(LAYOUTS)}")
    return LAYOUTS[str(raw)]


def reading_minutes(html: str) -> int:
    """Minutes to read a page's text at an average adult pace, at least one."""
    words = len(_TAG.sub(" ", html).split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


@dataclass(frozen=True)
class ArticleCard:
    """An article as the home page lists it; `url` is relative to the home page."""

    title: Markup
    description: Markup
    date: str
    url: str
    reading_time: int


@dataclass(frozen=True)
class LayoutContext:
    """`explainer` in page templates."""

    key_figures: Markup = field(default_factory=Markup)
    reading_time: int = 1
    authors: list[Markup] = field(default_factory=list)
    date: str = ""
    updated: str = ""
    cards: list[ArticleCard] = field(default_factory=list)


def layout_context(rendered: RenderedPage, cards: list[ArticleCard] | None = None) -> LayoutContext:
    meta = rendered.source.meta
    return LayoutContext(
        key_figures=key_figures_html(rendered.key_figures),
        reading_time=reading_minutes(rendered.markdown.html),
        authors=[escape(a) for a in meta.authors],
        date=format_date(meta.date) if meta.date else "",
        updated=format_date(meta.updated) if meta.updated else "",
        cards=cards or [],
    )


def article_cards(pages: Iterable[tuple[str, RenderedPage]], from_url: str) -> list[ArticleCard]:
    """Every article (a page with a date), newest first, linked relative to the page at `from_url`."""
    articles = [(url, r) for url, r in pages if isinstance(r.source.meta, ArticleMeta)]
    articles.sort(key=lambda item: (item[1].source.meta.date, item[0]), reverse=True)
    return [ArticleCard(escape(r.title or ""), escape(r.source.meta.description or ""),
                        format_date(r.source.meta.date), relative_url(from_url, url),
                        reading_minutes(r.markdown.html))
            for url, r in articles if url != from_url]


def add_theme_layer(dirs: list[str], custom_dir: str | None) -> None:
    """Put the layouts' templates after the author's `custom_dir` and before the theme's own."""
    if str(TEMPLATES_DIR) in dirs:
        return
    dirs.insert(1 if custom_dir else 0, str(TEMPLATES_DIR))
