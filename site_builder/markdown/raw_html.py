"""Links, images and ids in a page's own raw HTML, read with a real HTML tokenizer (`html.parser`).

Every URL a browser would follow in the page's html_block and html_inline tokens (html_urls.py
says which: `href`, `src`, each `srcset` candidate, `poster`, `<object data>`, a form's `action`, a
refresh's `url=`, …) is resolved and checked exactly like a markdown link: a `.md` target becomes the
page's URL, a file's path becomes relative to the page's URL, and a missing page, anchor, image or
file is an error at its line. Remote URLs are left alone: an author's own embed is their choice.
Only the value of such an attribute is replaced (re-escaped, in double quotes), so the rest of the
author's HTML is left byte for byte. The ids the HTML sets are recorded for the page's duplicate-id
check (ids.py).

A URL that would run script or open a local file (`javascript:`, `vbscript:`, `file:`, `data:` other
than an image) is an error and its attribute is emptied: the Jinja step escapes a data value for
HTML, but a browser decodes `javascript&#58;` inside an attribute, so a value from data in an
author's `href` could otherwise run script. A `<base href>` is an error too: it changes what every
relative URL of the page points at, which breaks them all under a GitHub Pages sub-path.

Only tokens markdown-it made from the page's own text are read: a data value reaches the page
escaped (`<` as `&#60;`), so it never forms an HTML token, and data fields render with raw HTML off.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.html_urls import carries_urls, target_kind, url_spans
from site_builder.markdown.links import LinkContext, resolve_target

# A browser drops these from anywhere in a URL, so `java&#9;script:` is `javascript:`.
_URL_IGNORED = re.compile(r"[\t\n\r]")
# ... and these from its ends (the URL standard's "C0 control or space"), so `\x01javascript:` runs.
_URL_TRIMMED = "".join(map(chr, range(0x21)))
# Most raw HTML (a `<kbd>`, a `</div>`) sets none of these, and is not tokenized at all.
_MAY_MATTER = re.compile(r"(?i)(?:href|src|srcset|id|poster|data|action|content)\s*=")
# One attribute of one start tag the tokenizer found (a tag, not the page): where its value is written.
_ATTRIBUTE = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")


@dataclass(frozen=True)
class Attribute:
    """A URL or id attribute of a start tag in a piece of raw HTML."""

    tag: str
    name: str
    value: str
    """As a browser reads it: quotes removed, character references decoded."""
    written: str
    """As written, without its quotes (what the author's source line holds)."""
    line: int
    """The 0-based line of the HTML the value starts on."""
    start: int
    end: int
    """The offsets of the written value, quotes included, in the HTML."""


class _Scanner(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.text = text
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.found: list[Attribute] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line, column = self.getpos()
        offset = self.line_starts[line - 1] + column
        written_tag = self.text[offset: offset + len(self.get_starttag_text() or "")]
        attr_values = dict(attrs)
        for match in _ATTRIBUTE.finditer(written_tag, 1 + len(tag)):
            name, quoted = match.group(1).lower(), match.group(2)
            if quoted is None or (name != "id" and not carries_urls(tag, name, attr_values)):
                continue
            bare = quoted[1:-1] if quoted[0] in "\"'" else quoted
            start = offset + match.start(2)
            line_index = bisect.bisect_right(self.line_starts, start) - 1  # counting newlines is quadratic
            self.found.append(Attribute(tag, name, html.unescape(bare), bare, line_index, start, start + len(quoted)))


def attributes(text: str) -> list[Attribute]:
    """The URL attributes and the ids that the start tags of `text` set, in order."""
    scanner = _Scanner(text)
    # A browser reads `<![…` in HTML as a bogus comment up to `>`; html.parser parses an SGML marked
    # section instead, and raises on a malformed one. Masked at the same length, so offsets hold.
    scanner.feed(text.replace("<![", "<!x"))
    scanner.close()
    return scanner.found


def check_raw_html(state: StateCore) -> None:
    """Resolve and check the targets of the page's raw HTML; record the ids it sets."""
    ctx: LinkContext | None = state.env.get("links")
    if ctx is None:
        return
    ids: list[tuple[str, SourcePosition]] = state.env.setdefault("raw_html_ids", [])
    for block in state.tokens:
        if block.type == "html_block":
            _check_token(state.md, ctx, block, block.map, ids, exact_line=True)
        # Inline HTML starts with `<`: most paragraphs have none, and their tokens need no look.
        if block.children and "<" in block.content:
            _check_inline(state.md, ctx, block, ids)


def _check_inline(md: MarkdownIt, ctx: LinkContext, block: Token, ids: list[tuple[str, SourcePosition]]) -> None:
    """The inline HTML of a paragraph (a heading, a cell). Each tag's line is counted from the line
    breaks before it, and its position looked for from there to the block's end: a count can only
    be short (a line break in a code span or a link's destination has no token of its own), and
    looking from the block's start for each tag would be quadratic in a long paragraph."""
    line = 0
    for token in block.children or ():
        if token.type in ("softbreak", "hardbreak"):
            line += 1
        elif token.type == "html_inline":
            lines = [block.map[0] + line, block.map[1]] if block.map else None
            _check_token(md, ctx, token, lines, ids, exact_line=False)
            line += token.content.count("\n")


def _check_token(md: MarkdownIt, ctx: LinkContext, token: Token, block_map: list[int] | None,
                 ids: list[tuple[str, SourcePosition]], exact_line: bool) -> None:
    """`block_map`: the lines the token is on (`exact_line`: an html_block's lines are the token's
    lines), or from its first line to the end of its paragraph."""
    if not _MAY_MATTER.search(token.content):
        return
    replacements: list[tuple[Attribute, str]] = []
    for attr in attributes(token.content):
        lines = _attribute_lines(block_map, attr, exact_line)
        if attr.name == "id":
            ids.append((attr.value, _locate(ctx, lines, attr.written.split("\n")[0])))
            continue
        value = _checked_value(md, ctx, attr, lines)
        if value != attr.value:
            replacements.append((attr, value))
    if not replacements:
        return
    # In pieces: one new string per replacement would copy a long block once per URL in it.
    pieces, done = [], 0
    for attr, value in replacements:
        pieces += [token.content[done:attr.start], f'"{html.escape(value)}"']
        done = attr.end
    token.content = "".join(pieces) + token.content[done:]


def _attribute_lines(block_map: list[int] | None, attr: Attribute, exact_line: bool) -> list[int] | None:
    """The lines of the page to look for the attribute's value in."""
    if block_map is None:
        return None
    first = block_map[0] + attr.line
    return [first, first + attr.written.count("\n") + 1 if exact_line else block_map[1]]


def _checked_value(md: MarkdownIt, ctx: LinkContext, attr: Attribute, lines: list[int] | None) -> str:
    """The value to write for a URL attribute: its relative URLs resolved for the page's URL, or
    empty (with an error) when one of its URLs is unsafe, or when it is a `<base href>`."""
    spans = url_spans(attr.tag, attr.name, attr.value)
    # Each URL as written (`java&#115;cript:`), which is what the page's text holds; the value's
    # first line when the written value splits differently (a reference for a comma).
    written = [attr.written[start:end] for start, end in url_spans(attr.tag, attr.name, attr.written)]
    needles = dict(zip(spans, written if len(written) == len(spans) else [attr.written] * len(spans)))

    def where(span: tuple[int, int]) -> functools.partial[SourcePosition]:
        return functools.partial(_locate, ctx, lines, needles[span].split("\n")[0])

    if attr.tag == "base" and attr.value.strip():
        ctx.errors.append(UserError("`<base href>` in raw HTML changes what every relative link of the page points at",
                                    where(spans[0])(), "remove it: under a GitHub Pages sub-path it breaks the "
                                    "page's links; write each link relative to this page's file"))
        return ""
    unsafe = [span for span in spans if not _is_safe(md, attr.value[span[0]:span[1]])]
    label = "refresh URL" if attr.name == "content" else attr.name  # a refresh's URL is in its `content`
    for span in unsafe:
        # As the browser reads it, without the Jinja step's defusing space.
        shown = _as_read(attr.value[span[0]:span[1]]).replace("\u200b", "")
        ctx.errors.append(UserError(f"unsafe {label} `{shown}` in raw HTML", where(span)(),
                                    "only web, mail and relative links (and data:image) are allowed"))
    if unsafe:
        return ""
    kind, value, done = target_kind(attr.tag, attr.name), attr.value, 0
    parts = []
    for start, end in spans:
        parts += [value[done:start], resolve_target(ctx, value[start:end], where((start, end)), kind)]
        done = end
    return "".join(parts) + value[done:]


def _locate(ctx: LinkContext, lines: list[int] | None, written: str) -> SourcePosition:
    """Where a value as written first is in `lines` of the page (links.locate looks for a markdown
    link's `](` all over the block first, which is quadratic in a long block of raw HTML)."""
    start, end = lines or [0, len(ctx.source_lines)]
    for number in range(start, min(end, len(ctx.source_lines))):
        column = ctx.source_lines[number].find(written)
        if column >= 0:
            return SourcePosition(ctx.source_path, ctx.file_line(number), column + 1)
    return SourcePosition(ctx.source_path, ctx.file_line(start), 1)


def _as_read(url: str) -> str:
    """A URL as the browser reads it: tabs and newlines dropped, surrounding space and control characters ignored."""
    return _URL_IGNORED.sub("", url).strip(_URL_TRIMMED)


def _is_safe(md: MarkdownIt, url: str) -> bool:
    return bool(md.validateLink(_as_read(url).lower()))


def raw_html_plugin(md: MarkdownIt) -> None:
    md.core.ruler.push("raw_html_links", check_raw_html)
