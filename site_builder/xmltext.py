"""Text that XML can hold, for everything that becomes SVG (charts, social cards) or Atom.

XML 1.0 refuses the C0 control characters other than tab and the newlines, lone surrogates, U+FFFE
and U+FFFF. vl-convert parses the SVG it makes and aborts the whole process (not an exception) on
one, so a stray escape character in a CSV cell or a title would kill a build or the preview server;
in the feed it would make invalid XML. Each is replaced by U+FFFD, the usual mark for a bad character.
"""

from __future__ import annotations

import re
from typing import Any

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def xml_safe(value: Any) -> Any:
    """`value` with `xml_text` applied to every string in it, keys included."""
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, dict):
        return {xml_safe(k): xml_safe(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_safe(v) for v in value]
    return value
