"""The navigation as readers see it: titles from mkdocs.yml's `nav:` are text, link targets are safe.

Material prints nav titles without escaping, so every title (pages, sections, links) is escaped
here; a nav link's URL is percent-encoded (Material prints it as is, so a `"` would end the
attribute), and one to a `javascript:`/`vbscript:`/`data:` URL is a positioned error in mkdocs.yml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import escape
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Link, Section

from site_builder.errors import SourcePosition, UserError

_SAFE_SCHEMES = {"", "http", "https", "mailto"}
_URL_CHARS = "!#$%&()*+,/:;=?@[]~"
"""Characters a URL keeps as written; quotes, `<`, `>` and spaces are percent-encoded."""


def apply_nav_titles(items: list[Any], files: Files) -> None:
    """Titles written in mkdocs.yml's `nav` win over front matter, as in stock MkDocs."""
    for item in items:
        if not isinstance(item, dict):
            continue
        for title, target in item.items():
            if isinstance(target, list):
                apply_nav_titles(target, files)
            elif isinstance(target, str) and (file := files.get_file_from_path(target)) and file.page:
                file.page.title = escape(title)


def escape_nav(items: list[Any], config_file: Path) -> list[UserError]:
    """Escape section and link titles (pages are escaped when read); errors for script links."""
    errors = []
    for item in items:
        if isinstance(item, Section):
            item.title = escape(item.title)
            errors += escape_nav(item.children, config_file)
        elif isinstance(item, Link):
            item.title = escape(item.title)
            written, item.url = item.url, quote(item.url, safe=_URL_CHARS)
            if urlsplit(item.url.strip()).scheme.lower() not in _SAFE_SCHEMES:
                errors.append(UserError(f"nav link `{written}` is not a web address", _locate(config_file, written),
                                        "link to a page or to an http(s):// address"))
    return errors


def _locate(config_file: Path, text: str) -> SourcePosition:
    lines = config_file.read_text(encoding="utf-8-sig").splitlines()
    found = next(((n, line.find(text)) for n, line in enumerate(lines, 1) if text in line), (1, 0))
    return SourcePosition(config_file.name, found[0], found[1] + 1)
