"""Checks on mkdocs.yml settings and on the content's files that MkDocs accepts but that would
break the site's promises.

A `site_url` with a quote or `<` ends up unescaped in Material's canonical link and the 404 page's
asset URLs (markup injection); a `data_dir` outside docs_dir would read and publish files from
elsewhere; a limit of zero MB refuses every data file with a misleading message; two pages with
one URL (`p.md` and `p/index.md`) would silently lose one of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from mkdocs.structure.files import Files

from site_builder.errors import SourcePosition, UserError, display_path

_URL_UNSAFE = re.compile(r"[\s\"'<>`\\]")
_QUOTED = re.compile(r"""['"]([^'"]{2,})['"]""")


def config_errors(site_url: str | None, docs_dir: Path, plugin_options: dict[str, Any],
                  config_file: Path) -> list[UserError]:
    """Every such mistake, each at its key in mkdocs.yml."""
    errors = []
    if site_url and (bad := _URL_UNSAFE.search(site_url)):
        errors.append(UserError(f"site_url contains {bad.group()!r}, which a web address cannot hold",
                                locate_in_config(config_file, "'site_url'"),
                                "write the plain address, e.g. https://USER.github.io/REPO/ (percent-encode "
                                "anything else)"))
    if data_folder(docs_dir, plugin_options["data_dir"]) is None:
        errors.append(UserError(f"data_dir `{plugin_options['data_dir']}` is outside the docs folder",
                                locate_in_config(config_file, "'data_dir'"),
                                "give a folder inside docs_dir, e.g. `data_dir: data`"))
    if plugin_options["max_data_file_mb"] <= 0:
        errors.append(UserError("max_data_file_mb must be more than 0", locate_in_config(config_file, "'max_data_file_mb'"),
                                "give the largest data file to read in MB, e.g. `max_data_file_mb: 40`"))
    return errors


def url_clashes(files: Files, root: Path) -> list[UserError]:
    """An error at each page whose output file another page already makes."""
    first: dict[str, str] = {}
    errors = []
    for page in sorted(files.documentation_pages(), key=lambda f: f.src_uri):
        path = display_path(Path(page.abs_src_path or page.src_uri), root)
        if page.dest_uri in first:
            errors.append(UserError(f"this page and {first[page.dest_uri]} both become {page.dest_uri}",
                                    SourcePosition(path), "rename or move one of the two"))
        first.setdefault(page.dest_uri, path)
    return errors


def site_dir_errors(site_dir: Path, root: Path, custom_dir: str | None, config_file: Path) -> list[UserError]:
    """The output folder is replaced whole by each build: it must not be the project's own templates
    (`-d templates`) nor a folder of other files."""
    site = site_dir.resolve()
    where = locate_in_config(config_file, "'site_dir'")
    for own in [root.resolve(), *([Path(custom_dir).resolve()] if custom_dir else [])]:
        if own == site or own.is_relative_to(site):
            return [UserError(f"the output folder {site} holds the project's own files ({own})", where,
                              "build into a folder of its own, e.g. `site_dir: site` or `-d site`")]
    if site.is_dir() and any(site.iterdir()) and not any((site / f).exists() for f in ("index.html", "404.html", "sitemap.xml")):
        return [UserError(f"the output folder {site} holds other files, not a built site", where,
                          "build into a new or empty folder: each build replaces the whole output folder")]
    return []


def data_folder(docs_dir: Path, data_dir: str) -> Path | None:
    """The data folder, or None when `data_dir` leads out of docs_dir (`/`, `../..`): never walked."""
    folder = docs_dir / data_dir
    return folder if folder.resolve().is_relative_to(docs_dir.resolve()) else None


def locate_in_config(config_file: Path, message: str) -> SourcePosition:
    """Where in mkdocs.yml a message points: the most specific quoted name that is a key there
    (`'raw_htm'` in "option 'raw_htm': Unrecognised"), else any quoted text found; line 1 otherwise."""
    rel = config_file.name
    try:
        lines = config_file.read_text(encoding="utf-8-sig").splitlines()
    except OSError:
        return SourcePosition(rel)
    needles = list(reversed(_QUOTED.findall(message)))
    # A file named in the message ('gone.md' in a nav warning) is more specific than any key.
    for needle in (n for n in needles if n.endswith(".md") or "/" in n):
        for number, line in enumerate(lines, start=1):
            if (column := line.find(needle)) >= 0:
                return SourcePosition(rel, number, column + 1)
    for needle in needles:
        pattern = re.compile(rf"^(\s*(?:-\s+)?){re.escape(needle)}\s*(?::|$)")  # a key or a list item
        for number, line in enumerate(lines, start=1):
            if key := pattern.match(line):
                return SourcePosition(rel, number, len(key.group(1)) + 1)
    for needle in needles:
        for number, line in enumerate(lines, start=1):
            if (column := line.find(needle)) >= 0:
                return SourcePosition(rel, number, column + 1)
    return SourcePosition(rel)
