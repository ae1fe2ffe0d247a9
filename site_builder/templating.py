"""The Jinja data step: each page's markdown is rendered as a sandboxed template before parsing.

Values are escaped for markdown *and* HTML, so a data cell can never become markup; code spans,
fences and indented code blocks are cut out before Jinja sees the text and put back after, so
`{{ }}` in code stays literal. Errors point at the page's own line.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import re
import traceback
import weakref
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import jinja2
from jinja2.utils import LRUCache
from markdown_it import MarkdownIt
from markupsafe import Markup

from site_builder.content.data import UnreadableDataError
from site_builder.errors import SourcePosition, UserError, physical_lines
from site_builder.markdown.citations import Citation, cite_filter
from site_builder.markdown.engine import create_md
from site_builder.memory import forgettable
from site_builder.sandbox import PageEnvironment

_TEMPLATE_NAME = "<template>"
_COMPILED_PER_ENV = 1000
"""Compiled page templates kept per environment (a 1,000-page site's pages all stay compiled)."""
_COMPILED: weakref.WeakKeyDictionary[jinja2.Environment, LRUCache] = weakref.WeakKeyDictionary()
_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001(\n*)")
# Any indent: fences also sit inside list items and admonitions (`!!! note` bodies are indented).
_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
# Four columns of indent after any container markers (`>`, list bullets and numbers): where an
# indented code block can start. Lazy, so a long run of spaces costs one pass.
_CODE_INDENT = re.compile(r"[ \t>*+\-.)0-9]*?(?: {4}|\t)")
# Markdown-significant ASCII punctuation, written as numeric references so it shows as itself.
_MARKDOWN_SPECIALS = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~<>&\"':=^$"}


# A value the browser would run as a URL (`javascript:…`, also `java\tscript:`, ` JavaScript:`) when a
# page puts it in a raw HTML attribute: `&#58;` still decodes to a colon there. A `data:` URL is one
# only with its comma (`data:text/html,…`), so a cell reading "Data: World Bank" stays as it is.
_SCRIPT_URL = re.compile(r"^[\x00-\x20]*((?:[a-z][\t\n\r]*)+):", re.IGNORECASE)
_SCRIPT_SCHEMES = {"javascript", "vbscript", "data"}
_IMAGE_DATA = re.compile(r"\s*data:image/", re.IGNORECASE)


def escape_value(value: Any) -> Markup:
    """Text from data shown as text: in markdown (no emphasis, links, HTML) and in raw HTML alike."""
    if isinstance(value, (Markup, Citation)):
        return Markup(value)
    text = str(value)
    scheme = _SCRIPT_URL.match(text)
    name = re.sub(r"[\t\n\r]", "", scheme.group(1)).lower() if scheme else ""
    if scheme and name in _SCRIPT_SCHEMES and not (name == "data" and ("," not in text or _IMAGE_DATA.match(text))):
        # A zero-width space before the colon: the text reads the same, but is no longer a scheme.
        text = f"{text[: scheme.end(1)]}\u200b{text[scheme.end(1):]}"
    return Markup("".join(_MARKDOWN_SPECIALS.get(c, c) for c in text))


def _decimal(value: Any, name: str) -> Decimal:
    """A number from data as a Decimal, so rounding is the half-up that readers expect (1.25 → 1.3)."""
    str(value)  # an undefined value raises its own, clearer, UndefinedError here (StrictUndefined)
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise TypeError(f"`{name}` needs a number, got {value!r}")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"`{name}` needs a number, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"`{name}` needs a finite number, got {value!r}")
    return number


def _rounded(number: Decimal, decimals: int) -> Decimal:
    return number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def format_number(value: Any, decimals: int | None = None) -> str:
    """1234567 → '1,234,567'; with `decimals`, a fixed number of places (half-up)."""
    number = _decimal(value, "number")
    if decimals is not None:
        return f"{_rounded(number, decimals):,.{decimals}f}"
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.normalize():,f}"


def format_percent(value: Any, decimals: int = 1, *, fraction: bool = False) -> str:
    """17.1 → '17.1%'; with `fraction=true`, 0.171 → '17.1%'."""
    number = _decimal(value, "percent") * (100 if fraction else 1)
    return f"{_rounded(number, decimals):.{decimals}f}%"


def format_date(value: Any, fmt: str = "%-d %B %Y") -> str:
    """A date or ISO date string, formatted with strftime (default '27 November 2025')."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return str(value.strftime(fmt))


@functools.cache
def shared_environment() -> PageEnvironment:
    """One environment for every build of the process: it holds no state of a build (its filters
    are pure), so compiled page templates can be reused across builds (`compiled`)."""
    return create_environment()


def compiled(env: jinja2.Environment, source: str) -> jinja2.Template:
    """`env.from_string(source)`, remembered per environment: compiling is most of a small page's
    Jinja step, and a compiled template depends only on its source and its environment."""
    cache = _COMPILED.setdefault(env, LRUCache(_COMPILED_PER_ENV))
    template: jinja2.Template | None = cache.get(source)
    if template is None:
        template = cache[source] = env.from_string(source)
    return template


forgettable(_COMPILED.clear)


def create_environment() -> PageEnvironment:
    return PageEnvironment(
        {"number": format_number, "percent": format_percent, "date": format_date, "cite": cite_filter},
        autoescape=True,
        # `{#id .class}` is markdown attribute syntax, so Jinja comments are `{## … ##}`.
        comment_start_string="{##",
        comment_end_string="##}",
        undefined=jinja2.StrictUndefined,
        finalize=escape_value,
        keep_trailing_newline=True,
    )


def protect_code(markdown: str) -> tuple[str, list[str]]:
    """Swap code fences, indented code blocks and code spans for placeholders that keep the line count."""
    saved: list[str] = []

    def stash(code: str) -> str:
        saved.append(code)
        return _PLACEHOLDER.format(len(saved) - 1) + "\n" * code.count("\n")

    out: list[str] = []
    lines = physical_lines(markdown, keepends=True)
    code_blocks = indented_code_blocks(markdown)
    i = 0
    prose: list[str] = []
    while i < len(lines):
        end = _code_end(lines, i, code_blocks)
        if end is None:
            prose.append(lines[i])
            i += 1
            continue
        out.append(_protect_spans("".join(prose), stash))
        prose = []
        block = "".join(lines[i:end])
        trailing = "\n" if block.endswith("\n") else ""
        out.append(stash(block[: len(block) - len(trailing)]) + trailing)
        i = end
    out.append(_protect_spans("".join(prose), stash))
    return "".join(out), saved


def indented_code_blocks(markdown: str) -> dict[int, int]:
    """The 0-based line ranges (start → end, exclusive) of the page's indented code blocks.

    Whether an indented line is code depends on the whole block structure (it cannot interrupt a
    paragraph; in a list item or an admonition, indentation counts from the item's content), so
    the page's own parser decides, and only when an indented line holds a brace at all (in a
    list item or a quote too: `>     {{ x }}` is code)."""
    if not any(_CODE_INDENT.match(line) for line in markdown.splitlines() if "{" in line):
        return {}
    return {t.map[0]: t.map[1] for t in _block_parser().parse(markdown) if t.type == "code_block" and t.map}


@functools.cache
def _block_parser() -> MarkdownIt:
    """The page parser's block rules alone: blocks, their kinds and lines, no inline parsing."""
    md = create_md()
    md.core.ruler.enableOnly(["normalize", "block"])
    return md


def _code_end(lines: list[str], start: int, code_blocks: dict[int, int]) -> int | None:
    """The end of the indented code block or fence that starts at line `start`, if one does."""
    if start in code_blocks:
        return code_blocks[start]
    match = _FENCE_OPEN.match(lines[start])
    return _fence_end(lines, start, match.group(1)) if match else None


def _fence_end(lines: list[str], start: int, marker: str) -> int:
    closing = re.compile(rf"^[ \t]*{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
    for j in range(start + 1, len(lines)):
        if closing.match(lines[j].rstrip("\r\n")):
            return j + 1
    return len(lines)


def _protect_spans(text: str, stash: Any) -> str:
    out, pos = [], 0
    for opening in _BACKTICKS.finditer(text):
        if opening.start() < pos:
            continue
        run = opening.group()
        closing = re.compile(rf"(?<!`){run}(?!`)").search(text, opening.end())
        if not closing:
            continue
        out.append(text[pos: opening.start()])
        out.append(stash(text[opening.start(): closing.end()]))
        pos = closing.end()
    out.append(text[pos:])
    return "".join(out)


def restore_code(text: str, saved: list[str]) -> str:
    """Put the code back, dropping the newlines `protect_code` added to keep the line count."""

    def put_back(match: re.Match[str]) -> str:
        code = saved[int(match.group(1))]
        padding = len(match.group(2)) - code.count("\n")
        return code + "\n" * max(padding, 0)

    return _PLACEHOLDER_RE.sub(put_back, text)


def render_page_template(markdown: str, context: Mapping[str, Any], path: str, first_line: int = 1,
                         env: PageEnvironment | None = None) -> str:
    """Render one page's markdown through Jinja; errors are `UserError`s at the page's line."""
    if "{" not in markdown:
        return markdown
    env = env or shared_environment()
    protected, saved = protect_code(markdown)
    try:
        rendered = env.render(compiled(env, protected), context)
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(f"template syntax error: {exc.message}", exc.lineno, markdown, path,
                              first_line, "check the `{{ }}` or `{% %}` tags on this line") from None
    except UnreadableDataError as exc:
        raise _template_error(f"data not available: {exc.message}", _template_line(exc), markdown, path,
                              first_line, "fix the errors reported in that file; this line uses it") from None
    except jinja2.UndefinedError as exc:
        raise _template_error(f"undefined name: {exc.message}", _template_line(exc), markdown, path,
                              first_line, "check the spelling; data files are under `data.<file name>`",
                              _undefined_name(exc.message or "")) from None
    except jinja2.TemplateError as exc:
        raise _template_error(f"template error: {exc}", _template_line(exc), markdown, path, first_line,
                              "fix the expression on this line") from None
    except (TypeError, ValueError, ArithmeticError, LookupError, AttributeError) as exc:
        raise _template_error(f"template error: {exc}", _template_line(exc), markdown, path, first_line,
                              "fix the expression on this line") from None
    except RecursionError as exc:
        raise _template_error("template error: a macro calls itself without end", _template_line(exc), markdown,
                              path, first_line, "give the macro a case that stops the recursion") from None
    return restore_code(rendered, saved)


def _template_line(exc: BaseException) -> int:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == _TEMPLATE_NAME]
    return frames[-1].lineno or 1 if frames else 1


def _undefined_name(message: str) -> str | None:
    names = re.findall(r"'([^']+)'", message)
    return names[-1] if names else None


def _template_error(message: str, lineno: int, markdown: str, path: str, first_line: int, hint: str,
                    needle: str | None = None) -> UserError:
    lines = physical_lines(markdown)
    line_text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    # The undefined name is looked for inside the tags, not in the prose before them.
    tags = min((i for i in (line_text.find("{{"), line_text.find("{%")) if i >= 0), default=0)
    column = tags + 1
    if needle and (found := line_text.find(needle, tags)) >= 0:
        column = found + 1
    return UserError(message, SourcePosition(path, first_line + lineno - 1, column), hint)


def line_map(source: str, rendered: str) -> list[int] | None:
    """For each line of the rendered markdown, the 0-based line of the page's text it came from, so
    that positions found after the Jinja step point into the file; None when the line counts match.
    A line a loop made maps to the most similar line of the loop (its body, usually)."""
    src, out = physical_lines(source), physical_lines(rendered)
    if len(src) == len(out):
        return None
    mapping: list[int] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, src, out, autojunk=False).get_opcodes():
        if tag == "equal":
            mapping += range(i1, i2)
            continue
        candidates = range(i1, i2) if i2 > i1 else [max(min(i1, len(src) - 1), 0)]
        mapping += [max(candidates, key=lambda i: difflib.SequenceMatcher(None, src[i], line).quick_ratio())
                    for line in out[j1:j2]]
    return mapping
