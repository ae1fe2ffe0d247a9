"""Shared test helpers: write a small site to a temp folder and run the CLI on it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.cli import main


def site_config(name: str = "Test site", theme_extra: str = "") -> str:
    """A mkdocs.yml: Material without web fonts, search and our plugin, under a sub-path."""
    return f"""\
site_name: {name}
site_url: https://example.org/repo/
docs_dir: content
theme:
  name: material
  font: false
{theme_extra}plugins:
  - search
  - explainer
"""


MINIMAL_CONFIG = site_config()


@dataclass
class CliRun:
    code: int
    out: str
    err: str


def write_site(root: Path, files: dict[str, str], config: str = MINIMAL_CONFIG) -> Path:
    """Write `mkdocs.yml` and `files` (paths relative to root, text dedented) under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `site-builder ARGS` in-process in `cwd`; returns exit code and captured output."""

    def run(cwd: Path, *args: str) -> CliRun:
        monkeypatch.chdir(cwd)
        code = main(list(args))
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run
