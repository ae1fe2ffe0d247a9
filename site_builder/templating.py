"""The Jinja data step: each page's markdown is rendered as a sandboxed template before parsing.

Values are escaped for markdown *and* HTML, so a data cell can never become markup; code spans
and fences are cut out before Jinja sees the text and put back after, so `{{ }}` in code stays
literal. Errors point at the page's own line.
"""

from __future__ import annotations

import datetime as dt
import re
import traceback
from collections.abc import Mapping
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from site_builder.errors import SourcePosition, UserError

_TEMPLATE_NAME = "<template>"
_PLACEHOLDER = "\ue000{}\ue001"
_PLACEHOLDER_RE = re.compile("\ue000(\\d+)\ue001(\n*)")
_FENCE_OPEN = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BACKTICKS = re.compile(r"`+")
# Markdown-significant ASCII punctuation, written as numeric references so it shows as itself.
_MARKDOWN_SPECIALS = {c: f"&#{ord(c)};" for c in "\\`*_{}[]()#+-.!|~<>&\"':=^$"}


def escape_value(value: Any) -> Markup:
    """Text from data shown as text: in markdown (no emphasis, links, HTML) and in raw HTML alike."""
    if isinstance(value, Markup):
        return value
    return Markup("".join(_MARKDOWN_SPECIALS.get(c, c) for c in str(value)))


def format_number(value: Any, decimals: int | None = None) -> str:
    """1234567 → '1,234,567'; with `decimals`, a fixed number of places."""
    number = float(value) if decimals is not None else value
    if decimals is not None:
        return f"{number:,.{decimals}f}"
    if isinstance(number, float) and not number.is_integer():
        return f"{number:,}"
    return f"{int(number):,}"


def format_percent(value: Any, decimals: int = 1, *, fraction: bool = False) -> str:
    """17.1 → '17.1%'; with `fraction=true`, 0.171 → '17.1%'."""
    number = float(value) * (100 if fraction else 1)
    return f"{number:.{decimals}f}%"


def format_date(value: Any, fmt: str = "%-d %B %Y") -> str:
    """A date or ISO date string, formatted with strftime (default '27 November 2025')."""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value)
    return str(value.strftime(fmt))


def create_environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=escape_value,
        keep_trailing_newline=True,
    )
    env.filters.update(number=format_number, percent=format_percent, date=format_date)
    return env


def protect_code(markdown: str) -> tuple[str, list[str]]:
    """Swap code fences and code spans for placeholders that keep the line count."""
    saved: list[str] = []

    def stash(code: str) -> str:
        saved.append(code)
        return _PLACEHOLDER.format(len(saved) - 1) + "\n" * code.count("\n")

    out: list[str] = []
    lines = markdown.splitlines(keepends=True)
    i = 0
    prose: list[str] = []
    while i < len(lines):
        match = _FENCE_OPEN.match(lines[i])
        if not match:
            prose.append(lines[i])
            i += 1
            continue
        out.append(_protect_spans("".join(prose), stash))
        prose = []
        end = _fence_end(lines, i, match.group(1))
        block = "".join(lines[i:end])
        trailing = "\n" if block.endswith("\n") else ""
        out.append(stash(block[: len(block) - len(trailing)]) + trailing)
        i = end
    out.append(_protect_spans("".join(prose), stash))
    return "".join(out), saved


def _fence_end(lines: list[str], start: int, marker: str) -> int:
    closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
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
    def put_back(match: re.Match[str]) -> str:
        code = saved[int(match.group(1))]
        # Drop the newlines `stash` added to keep Jinja's line numbers; keep any that followed.
        return code + match.group(2)[code.count("\n"):]

    restored = _PLACEHOLDER_RE.sub(put_back, text)
    return restored


def render_page_template(markdown: str, context: Mapping[str, Any], path: str, first_line: int = 1,
                         env: ImmutableSandboxedEnvironment | None = None) -> str:
    """Render one page's markdown through Jinja; errors are `UserError`s at the page's line."""
    if "{" not in markdown:
        return markdown
    env = env or create_environment()
    protected, saved = protect_code(markdown)
    try:
        template = env.from_string(protected)
        rendered = template.render(**context)
    except jinja2.TemplateSyntaxError as exc:
        raise _template_error(f"template syntax error: {exc.message}", exc.lineno, markdown, path,
                              first_line, "check the `{{ }}` or `{% %}` tags on this line") from None
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
    return restore_code(rendered, saved)


def _template_line(exc: BaseException) -> int:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == _TEMPLATE_NAME]
    return frames[-1].lineno or 1 if frames else 1


def _undefined_name(message: str) -> str | None:
    names = re.findall(r"'([^']+)'", message)
    return names[-1] if names else None


def _template_error(message: str, lineno: int, markdown: str, path: str, first_line: int, hint: str,
                    needle: str | None = None) -> UserError:
    lines = markdown.splitlines()
    line_text = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    column = 1
    for candidate in (needle, "{{", "{%"):
        if candidate and candidate in line_text:
            column = line_text.index(candidate) + 1
            break
    return UserError(message, SourcePosition(path, first_line + lineno - 1, column), hint)
