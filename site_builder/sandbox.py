"""Jinja's immutable sandbox with a budget: a page's template can neither hang a build nor exhaust its
memory, and Jinja's markup-making filters give text, so data stays text (see templating.py).

Work is counted in steps (an attribute or item lookup, a call, an output chunk, each number `range`
yields) per render, and no single operation may make a string, list or number bigger than
MAX_SIZE_ARGUMENT.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from markupsafe import Markup

MAX_STEPS = 5_000_000
MAX_OUTPUT_CHARS = 20_000_000
MAX_SIZE_ARGUMENT = 1_000_000
_STEPS: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("template_steps", default=None)
_WIDTH = re.compile(r"%[-#0 +]*(\d{7,})|%[-#0 +]*\d*\.(\d{7,})|\{[^{}]*?(\d{7,})[^{}]*\}")


def _tick(steps: int = 1) -> None:
    counter = _STEPS.get()
    if counter is None:
        return
    counter[0] += steps
    if counter[0] > MAX_STEPS:
        raise SecurityError(f"this template does too much work (over {MAX_STEPS:,} steps): a loop runs too "
                            "many times")


def _check_size(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SIZE_ARGUMENT:
        raise SecurityError(f"{value} is too big for a width, count or repeat (at most {MAX_SIZE_ARGUMENT:,})")
    if isinstance(value, str) and (match := _WIDTH.search(value)):
        raise SecurityError(f"the format width {max(g for g in match.groups() if g)} is too big "
                            f"(at most {MAX_SIZE_ARGUMENT:,})")


# Filters with a width, count or size argument; other filters take numbers freely
# (`selectattr('population', 'gt', 5000000)`).
_SIZED_FILTERS = {"center", "indent", "truncate", "wordwrap", "batch", "slice", "format", "replace", "number",
                  "percent"}


def _limited(function: Callable[..., Any], skip: int | None) -> Callable[..., Any]:
    """A filter or global that counts as a step and, unless `skip` is None, refuses huge sizes among
    its arguments from position `skip` on (`center(10**9)`)."""

    @functools.wraps(function)  # keeps Jinja's pass_context marks
    def call(*args: Any, **kwargs: Any) -> Any:
        for value in [*args[skip:], *kwargs.values()] if skip is not None else []:
            _check_size(value)
        _tick()
        return function(*args, **kwargs)

    return call


def _range(*args: int) -> range:
    numbers = safe_range(*args)
    _tick(len(numbers))
    return numbers


_MARKUP_FILTERS = {"e", "escape", "forceescape", "tojson", "urlize", "xmlattr"}


def _as_text(function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)  # keeps Jinja's pass_context marks
    def call(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        return str(result.unescape()) if isinstance(result, Markup) else result

    return call


def _no_safe(value: Any) -> Any:
    raise SecurityError("the `safe` filter is not available: values from data are always shown as text")


class PageEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the limits above; `render` is how pages, key figures and the
    timeline page's template run."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, filters: Mapping[str, Callable[..., Any]] | None = None, **options: Any) -> None:
        # Jinja's constant folding would evaluate `'x' * 10**10` at compile time, outside the limits,
        # and writes a folded `nan` into code that cannot run.
        super().__init__(optimized=False, **options)
        self.filters.update(filters or {})
        # Jinja's filters that return markup (`e`, `tojson`, `urlize`, …) would let a data value past
        # the escaping as markdown (`![](https://tracker/…)`): here they return text, escaped like any value.
        for name in _MARKUP_FILTERS & set(self.filters):
            self.filters[name] = _as_text(self.filters[name])
        self.filters["safe"] = _no_safe
        for name, function in self.filters.items():
            # `format`'s value is its format string (`'%0999999999d' | format(1)`).
            skip = (0 if name == "format" else 1) + hasattr(function, "jinja_pass_arg")
            self.filters[name] = _limited(function, skip if name in _SIZED_FILTERS else None)
        self.globals.update(range=_range, lipsum=_limited(jinja2.utils.generate_lorem_ipsum, 0))

    def compile(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        """Jinja's compile; tags or brackets nested too deeply for Jinja's parser or for Python's
        compiler (about 100 `{% if %}` inside each other) are a syntax error at their line, not a crash."""
        try:
            return super().compile(source, *args, **kwargs)
        except (RecursionError, SyntaxError):  # Python's; Jinja's TemplateSyntaxError is not one
            raise jinja2.TemplateSyntaxError(
                "tags or brackets nested too deeply", _busiest_line(self, source)) from None

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            sized, count = (left, right) if isinstance(left, (str, list, tuple)) else (right, left)
            if isinstance(sized, (str, list, tuple)) and isinstance(count, int):
                _check_size(len(sized) * count)
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
            _check_size(left.bit_length() * right // 64)  # the result's size in machine words
        elif operator == "%":
            _check_size(left)
        return super().call_binop(context, operator, left, right)

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        if isinstance(getattr(obj, "__self__", None), str):  # `'x'.ljust(10**9)`, `'x'.zfill(…)`
            for value in [*args, *kwargs.values()]:
                _check_size(value)
        _tick()
        return super().call(context, obj, *args, **kwargs)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        _check_size(getattr(value, "__self__", None))  # `'{:999999999}'.format(1)`
        return super().wrap_str_format(value)

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        if isinstance(obj, dict) and attribute in obj:  # a column `values` or a file `items.csv`, not dict methods
            return obj[attribute]
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def render(self, source: str | jinja2.Template, context: Mapping[str, Any]) -> str:
        """A template (or its text) rendered with `context`, within the step and output limits."""
        template = self.from_string(source) if isinstance(source, str) else source
        token = _STEPS.set([0])
        try:
            chunks, size = [], 0
            for chunk in template.generate(**context):
                _tick()
                size += len(chunk)
                if size > MAX_OUTPUT_CHARS:
                    raise SecurityError(f"this template writes over {MAX_OUTPUT_CHARS:,} characters")
                chunks.append(chunk)
            return "".join(chunks)
        finally:
            _STEPS.reset(token)


def _busiest_line(env: jinja2.Environment, source: Any) -> int:
    """The line with the most template tokens: nesting too deep for the compiler takes many of them."""
    counts: dict[int, int] = {}
    try:
        for line, _kind, _value in env.lex(source) if isinstance(source, str) else ():
            counts[line] = counts.get(line, 0) + 1
    except jinja2.TemplateSyntaxError:
        pass  # the parser met the nesting before any syntax error; the lines lexed so far are the hint
    return max(counts, key=counts.__getitem__, default=1)
