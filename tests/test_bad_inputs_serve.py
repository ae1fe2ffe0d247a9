"""The bad-input corpus in the live preview: after a good generation, each mistake is reported with
the same `path:line:col: message` as `site-builder build` prints (tests/bad_inputs/CASE/expected.txt),
without an exception, and the next good generation builds again once the files are restored.

One PreviewBuilder serves the whole run, as in a long `site-builder serve` session.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from site_builder.host.incremental import PreviewBuilder
from tests.test_bad_inputs import BASE, CASES, CORPUS, case_files, lay_file

_ERROR_LINE = re.compile(r"^\S+:\d+:\d+: .*")
BAD_CASES = [case for case in CASES if not case.startswith("good_")]


class Session:
    """A preview session over one project folder: generation after generation."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.builder = PreviewBuilder(root / "mkdocs.yml")
        self.count = 0
        self.previous: Path | None = None

    def build(self) -> list[str]:
        self.count += 1
        out = self.root.parent / f"gen{self.count}"
        result = self.builder.build(out, self.previous)
        if result.ok:
            self.previous = out
        return [str(e) for e in [*result.errors, *result.warnings]]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    root = tmp_path_factory.mktemp("preview") / "site-root"
    shutil.copytree(BASE, root)
    running = Session(root)
    assert running.build() == []
    yield running
    running.builder.close()


def _expected(case: str) -> list[str]:
    text = (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if _ERROR_LINE.match(line)]


def _lay(case_dir: Path, root: Path) -> list[Path]:
    """Copy the case's files over the site; returns the paths it wrote, to restore afterwards."""
    written = []
    for source in case_files(case_dir):
        target = root / source.relative_to(case_dir)
        lay_file(source, target)
        written.append(target)
    return written


def _restore(written: list[Path], root: Path) -> None:
    for target in written:
        original = BASE / target.relative_to(root)
        if original.is_file():
            shutil.copyfile(original, target)
        else:
            target.unlink()
    for folder in sorted((p for p in root.rglob("*") if p.is_dir() and not p.is_symlink()), reverse=True):
        if not any(folder.iterdir()) and not (BASE / folder.relative_to(root)).is_dir():
            folder.rmdir()


@pytest.mark.parametrize("case", BAD_CASES)
def test_preview_reports_what_build_reports(case: str, session: Session) -> None:
    written = _lay(CORPUS / case, session.root)
    try:
        assert session.build() == _expected(case)
    finally:
        _restore(written, session.root)
    assert session.build() == [], "the preview did not recover once the files were restored"
