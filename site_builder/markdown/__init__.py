"""The markdown engine: one markdown-it-py parser, configured once, for pages and data fields."""

from site_builder.markdown.engine import MarkdownOptions, RenderedMarkdown, create_md, render_markdown

__all__ = ["MarkdownOptions", "RenderedMarkdown", "create_md", "render_markdown"]
