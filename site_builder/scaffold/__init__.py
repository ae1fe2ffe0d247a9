"""`site-builder new`: a complete, working explainer project from the template shipped in `project/`.

The template holds a site that builds strictly with zero warnings: an article with a chart and the
data step, a data file, a timeline, sources, a theme override and a GitHub Pages workflow. Dotfiles
are stored as `dot-NAME`, and files that tools would read as their own as `NAME.in` (a `.gitignore`
inside the package would hide files from the wheel; linters parse any pyproject.toml). The title is written into YAML as a quoted
YAML scalar, so any text is safe there.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

import yaml

from site_builder import __version__
from site_builder.errors import SourcePosition, UserError

TEMPLATE = "project"


@dataclass(frozen=True)
class Project:
    """What the template's placeholders are filled with."""

    title: str
    slug: str
    today: dt.date
    requirement: str

    def placeholders(self) -> dict[str, str]:
        return {
            "@@TITLE_YAML@@": yaml_scalar(self.title),
            "@@TITLE_MD@@": markdown_text(self.title),
            "@@SLUG@@": self.slug,
            "@@TODAY@@": self.today.isoformat(),
            "@@REQUIREMENT@@": self.requirement,
        }


def yaml_scalar(text: str) -> str:
    """`text` as one double-quoted YAML scalar on one line, whatever characters it holds."""
    return yaml.safe_dump(text, default_style='"', allow_unicode=True, width=float("inf")).rstrip("\n").removesuffix(
        "\n...")


def markdown_text(text: str) -> str:
    """`text` as literal markdown text in a heading: punctuation markdown reads is backslash-escaped."""
    return re.sub(r"([\\`*_{}\[\]<>()#+\-.!|~&])", r"\\\1", " ".join(text.split()))


def slug_for(path: Path) -> str:
    """The folder's name as a URL path segment (the GitHub repository name it will likely get)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.resolve().name).strip("-") or "explainer"


def default_title(path: Path) -> str:
    words = re.sub(r"[-_]+", " ", path.resolve().name).strip()
    return words[:1].upper() + words[1:] if words else "My explainer"


def _target_name(name: str) -> str:
    name = name.removesuffix(".in")
    return "." + name[len("dot-"):] if name.startswith("dot-") else name


def _template_files(folder: Traversable, prefix: str = "") -> list[tuple[str, str]]:
    """(relative output path, text) for every template file, sorted for a stable result."""
    found: list[tuple[str, str]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        path = f"{prefix}{_target_name(entry.name)}"
        if entry.is_dir():
            found += _template_files(entry, path + "/")
        elif entry.name != "__pycache__":
            found.append((path, entry.read_text(encoding="utf-8")))
    return found


def check_target(path: Path) -> None:
    """Refuse a file, or a folder that holds anything: `new` never overwrites."""
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        what = "a file" if not path.is_dir() else "a folder that is not empty"
        raise UserError(f"`{path}` is {what}; site-builder new never overwrites", SourcePosition(str(path)),
                        "choose a new folder name, e.g. `site-builder new my-explainer`")


def create_project(path: Path, title: str | None = None, today: dt.date | None = None) -> list[Path]:
    """Write the template into `path` (new or empty); returns the files written."""
    check_target(path)
    project = Project(title or default_title(path), slug_for(path), today or dt.date.today(),
                      f"site-builder>={__version__}" if __version__ != "0.0.0" else "site-builder")
    written = []
    for name, text in _template_files(files(__package__) / TEMPLATE):
        for key, value in project.placeholders().items():
            text = text.replace(key, value)
        target = path / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UserError(f"cannot write {target}: {exc.strerror}", SourcePosition(str(path)),
                            "choose a folder you can write to") from None
        written.append(target)
    return written
