"""The navigation as readers see it: titles from mkdocs.yml's `nav:` are text, link targets are safe.

Material prints nav titles without escaping, so every title (pages, sections, links) is escaped
here; a nav link's URL is percent-encoded (Material prints it as is, so a `"` would end the
attribute), and one to a `javascript:`/`vbscript:`/`data:` URL is a positioned error in mkdocs.yml.
A page's `icon:`, `template:` and `hide:` (which Material acts on) are checked.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from markupsafe import escape
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Link, Section

from site_builder.content.frontmatter import PageSource
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



def check_theme_meta(source: PageSource, theme_dirs: list[str]) -> list[UserError]:
    """Front matter keys Material acts on; a wrong one would fail the build with a template error.
    Each bad key is reported and removed, so the rest of the build still reports its own errors."""
    errors = []
    for key, folder, suffix, hint in (
            ("icon", ".icons", ".svg", "use a name from Material's icon set, e.g. material/chart-line"),
            ("template", "", "", "use a template of the theme or of `custom_dir`, e.g. main.html")):
        value = source.raw_meta.get(key)
        if value is None or (isinstance(value, str) and ".." not in value
                             and any((Path(d) / folder / f"{value}{suffix}").is_file() for d in theme_dirs)):
            continue
        errors.append(UserError(f"unknown {key} `{value}`", _meta_position(source, key), hint))
        source.raw_meta.pop(key)
    hide = source.raw_meta.get("hide")
    if hide is not None and not (isinstance(hide, list) and all(isinstance(h, str) for h in hide)):
        errors.append(UserError("`hide` must be a list", _meta_position(source, "hide"),
                                "write e.g. `hide: [toc, navigation]`"))
        source.raw_meta.pop("hide")
    return errors


def _meta_position(source: PageSource, key: str) -> SourcePosition:
    return source.meta_doc.position([key]) if source.meta_doc else SourcePosition(source.path)
