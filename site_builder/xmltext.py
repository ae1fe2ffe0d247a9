"""Text that XML can hold, for everything that becomes SVG (charts, social cards) or Atom.

XML 1.0 refuses the C0 control characters other than tab and the newlines, lone surrogates, U+FFFE
and U+FFFF. vl-convert parses the SVG it makes and aborts the whole process (not an exception) on
one, so a stray escape character in a CSV cell or a title would kill a build or the preview server;
in the feed it would make invalid XML. Each is replaced by U+FFFD, the usual mark for a bad character.
Lone surrogates alone are replaced where JSON or YAML (a data file, a spec, a chart module's spec) is read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
"""A lone surrogate (a JSON escape `\\ud800` without its other half): no UTF-8 file can hold it."""
SURROGATE_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F]")
"""In JSON or YAML text, where a parsed string may hold a surrogate (a pair is one character once parsed)."""


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def xml_safe(value: Any) -> Any:
    """`value` with `xml_text` applied to every string in it, keys included."""
    return _each_string(value, xml_text)


def encodable(value: Any) -> Any:
    """`value` with each lone surrogate in its strings, keys included, replaced by U+FFFD, so it can
    be written as UTF-8 (a page, a CSV download) instead of stopping the build."""
    return _each_string(value, lambda text: _SURROGATE.sub("\ufffd", text))


def _each_string(value: Any, fix: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, dict):
        return {_each_string(k, fix): _each_string(v, fix) for k, v in value.items()}
    if isinstance(value, list):
        return [_each_string(v, fix) for v in value]
    return value
