"""Links between pages: `.md` targets become the target page's URL, and every target is checked.

Links in a page's markdown are relative to the page's file, as in MkDocs. The resolver knows the
site's pages and files (given by the host); anchors are checked once every page is rendered,
because a link can point at a page rendered later.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

from site_builder.errors import SourcePosition, UserError
from site_builder.memory import forgettable

_ID_ATTR = re.compile(r"""\sid=["']([^"']+)["']""")


@dataclass(frozen=True)
class AnchorLink:
    """A link to `#anchor` on a page (possibly the same page), to check after rendering."""

    from_page: str
    page: str
    anchor: str
    written: str
    position: SourcePosition


@dataclass
class SiteLinks:
    """The site as links see it: each page's source path → URL, and every other file's path → URL.

    Paths are relative to the content root; URLs are relative to the site root (MkDocs' `file.url`).
    """

    pages: Mapping[str, str]
    files: Mapping[str, str] = field(default_factory=dict)


@dataclass
class LinkContext:
    """What one page's render needs to resolve its links, and what it records for later checks."""

    page: str
    """The page's path relative to the content root, as in `SiteLinks.pages`."""
    source_path: str
    """The page's path relative to the project root, for error positions."""
    site: SiteLinks
    source_lines: list[str]
    first_line: int
    errors: list[UserError] = field(default_factory=list)
    anchors: list[AnchorLink] = field(default_factory=list)
    line_map: list[int] | None = None
    """For each line of the rendered markdown, its line in the page's own text, when the Jinja step
    changed the line count (a loop); None when lines correspond one to one."""

    def file_line(self, index: int) -> int:
        """The 1-based line in the page's file of the 0-based line `index` of the rendered markdown."""
        if self.line_map and 0 <= index < len(self.line_map):
            index = self.line_map[index]
        return self.first_line + index


@functools.lru_cache(maxsize=4096)
def relative_url(from_url: str, to_url: str) -> str:
    """The URL of `to_url` as seen from a page served at `from_url` (both site-root relative)."""
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    rel = posixpath.relpath("/" + to_url, "/" + from_dir)
    if to_url.endswith("/") or to_url == "":
        rel = "./" if rel == "." else rel + "/"
    return rel


forgettable(relative_url.cache_clear)


def locate(ctx: LinkContext, block_map: list[int] | None, written: str) -> SourcePosition:
    """Where a link's target is written in its block. markdown-it percent-encodes what the author
    wrote (`数据.md` → `%E6…`), so the decoded form is looked for too; `](` first, so that a link
    whose text repeats its target (`[a.md](a.md)`) points at the target."""
    start, end = (block_map or [0, len(ctx.source_lines)])
    lines = ctx.source_lines[start:end]
    for needle in dict.fromkeys((f"]({written}", f"]({unquote(written)}", written, unquote(written))):
        for number, line in enumerate(lines, start=start):
            column = line.find(needle)
            if column >= 0:
                offset = 2 if needle.startswith("](") else 0
                return SourcePosition(ctx.source_path, ctx.file_line(number), column + offset + 1)
    return SourcePosition(ctx.source_path, ctx.file_line(start), 1)


def resolve_target(ctx: LinkContext, written: str, where: Callable[[], SourcePosition], kind: str) -> str:
    """The href to emit for a link as written; records an error when its target is missing.

    `where` finds the link in the page's text, which only a problem or an anchor needs: most links
    resolve without it."""
    parts = urlsplit(written)
    if parts.scheme or parts.netloc or written.startswith("//"):
        return written
    if parts.path.startswith("/"):
        ctx.errors.append(UserError(f"absolute {kind} `{written}` breaks when the site is served under a "
                                    "sub-path", where(), "write a path relative to this page's file"))
        return written
    this_url = ctx.site.pages[ctx.page]
    if not parts.path:
        if parts.fragment:
            ctx.anchors.append(AnchorLink(ctx.page, ctx.page, unquote(parts.fragment), written, where()))
        return written
    target = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.page), unquote(parts.path)))
    suffix = (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")
    if target in ctx.site.pages:
        if parts.fragment:
            ctx.anchors.append(AnchorLink(ctx.page, target, unquote(parts.fragment), written, where()))
        return relative_url(this_url, ctx.site.pages[target]) + suffix
    if target in ctx.site.files:
        return relative_url(this_url, ctx.site.files[target]) + suffix
    what = "page" if target.endswith(".md") else ("image" if kind == "image" else "file")
    if target == ".." or target.startswith("../"):
        ctx.errors.append(UserError(f"{kind} `{unquote(written)}` points outside the content folder", where(),
                                    "only files inside the content folder are published; move the file there"))
        return written
    ctx.errors.append(UserError(f"missing {what}: `{unquote(written)}` (looked for {target})", where(),
                                "check the path; it is relative to this page's file"))
    return written


def resolve_links(state: StateCore) -> None:
    ctx: LinkContext | None = state.env.get("links")
    if ctx is None:
        return
    for block in state.tokens:
        # Links and images are direct children of an inline token (an image's children are its alt text).
        for token in block.children or ():
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            if attr is None:
                continue
            written = str(token.attrs.get(attr, ""))
            where = functools.partial(locate, ctx, block.map, written)
            token.attrSet(attr, resolve_target(ctx, written, where, "link" if attr == "href" else "image"))


def links_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("resolve_links", resolve_links)


def anchor_ids(html: str) -> set[str]:
    """Every id a rendered page defines: headings, `{#id}` attributes, footnotes, raw HTML."""
    return set(_ID_ATTR.findall(html))


def check_anchors(links: Iterable[AnchorLink], ids_by_page: Mapping[str, set[str]]) -> list[UserError]:
    """Errors for links whose `#anchor` is not an id on the target page."""
    errors = []
    for link in links:
        ids = ids_by_page.get(link.page)
        if ids is not None and link.anchor not in ids:
            where = "this page" if link.page == link.from_page else link.page
            errors.append(UserError(f"link to a missing anchor: `{link.written}` (no `#{link.anchor}` on "
                                    f"{where})", link.position, "use one of the page's heading ids"))
    return errors
