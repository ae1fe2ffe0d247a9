"""Bad-input corpus: each case breaks a good site in one way and must fail the build cleanly.

Layout (extend it with a folder per failure mode):

    tests/bad_inputs/_base/           a good site every case starts from (built once per run)
    tests/bad_inputs/CASE/...         files laid over the base site (same relative paths)
    tests/bad_inputs/CASE/expected.txt  the CLI's whole stderr for `site-builder build` (golden)
    tests/bad_inputs/good_CASE/        an input that looks odd but must build (e.g. a CSV with a BOM);
    tests/bad_inputs/good_CASE/site_has.txt  lines `page.html: text` the built page must contain

For every bad case: exit code 1, the golden error output (`path:line:col: message — hint` with the
source line), no traceback, and the previous output byte-for-byte as it was. A `good_` case must
build (exit 0) with its golden output and no traceback.
`UPDATE_GOLDEN=1` rewrites expected.txt from the current output.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRun
from tests.golden_files import check_text

CORPUS = Path(__file__).parent / "bad_inputs"
BASE = CORPUS / "_base"
CASES = sorted(p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith("_"))


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with the SHA-256 of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture(scope="module")
def built_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base site, built once: each case copies it, sources and output alike."""
    from site_builder.cli import main

    root = tmp_path_factory.mktemp("base") / "site-root"
    shutil.copytree(BASE, root)
    assert main(["build", "-f", str(root / "mkdocs.yml")]) == 0
    return root


_SUMMARY = re.compile(r"built .* → .*")


def site_expectations(file: Path) -> list[tuple[str, str]]:
    lines = file.read_text(encoding="utf-8").splitlines()
    return [(page.strip(), text.strip()) for page, _, text in (line.partition(": ") for line in lines) if text]


def case_files(case_dir: Path) -> list[Path]:
    """The files a case lays over the site, symbolic links included (as links, never followed)."""
    found = []
    for parent, dirs, names in os.walk(case_dir):
        found += [Path(parent, name) for name in [*dirs, *names] if Path(parent, name).is_symlink()]
        found += [Path(parent, name) for name in names
                  if not Path(parent, name).is_symlink() and name not in {"expected.txt", "site_has.txt"}]
    return found


def lay_file(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        target.unlink(missing_ok=True)
        target.symlink_to(os.readlink(source))
    else:
        shutil.copyfile(source, target)


def overlay(case: str, root: Path) -> None:
    for source in case_files(CORPUS / case):
        lay_file(source, root / source.relative_to(CORPUS / case))


def test_corpus_covers_the_foundation_bad_inputs() -> None:
    assert {"unclosed_front_matter", "front_matter_yaml_syntax", "front_matter_wrong_type", "jinja_undefined_name",
            "jinja_syntax_error", "link_missing_page", "link_missing_anchor", "missing_image", "malformed_csv",
            "malformed_json", "malformed_yaml"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case: str, built_base: Path, tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "site-root"
    shutil.copytree(built_base, root)
    before = tree_digest(root / "site")
    assert before, "the base build wrote no output"
    overlay(case, root)
    result: CliRun = run_cli(root, "build")
    assert "Traceback" not in result.err + result.out
    check_text(_SUMMARY.sub("built <pages> → <site>", result.err), CORPUS / case / "expected.txt")
    if case.startswith("good_"):
        assert result.code == 0
        for page, text in site_expectations(CORPUS / case / "site_has.txt"):
            assert text in (root / "site" / page).read_text(encoding="utf-8"), f"{page} lacks {text!r}"
        return
    assert result.code == 1
    assert tree_digest(root / "site") == before
    assert not [p.name for p in root.iterdir() if p.name.startswith(".site.")], "a staging folder was left behind"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX thing")
def test_named_pipes_are_errors_not_a_hang(built_base: Path, tmp_path: Path) -> None:
    """Reading a named pipe waits for a writer: the build must refuse it, not hang (in a subprocess
    with a time limit, so that a regression fails instead of hanging the suite)."""
    root = tmp_path / "site-root"
    shutil.copytree(built_base, root)
    before = tree_digest(root / "site")
    os.mkfifo(root / "content" / "pipe.md")
    os.mkfifo(root / "content" / "data" / "rows.csv")
    code = f"from site_builder.cli import main; raise SystemExit(main(['build', '-f', {str(root / 'mkdocs.yml')!r}]))"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                            timeout=60, env=env)
    assert result.returncode == 1
    hint = "reading it would wait forever — delete it or move it out of the content folder"
    for name in ("content/data/rows.csv", "content/pipe.md"):
        assert f"{name}:1:1: not a regular file (a named pipe, socket or device): {hint}" in result.stderr
    assert tree_digest(root / "site") == before
