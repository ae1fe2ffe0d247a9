"""A deliberately broken site (tests/sites/broken/): one build reports every error, in order.

The whole error output is a golden file (tests/sites/broken.expected.txt); `UPDATE_GOLDEN=1`
rewrites it. Reading its diff is reading what an author sees.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.golden_files import check_text

SITES = Path(__file__).parent / "sites"


def test_broken_site_reports_every_error(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "broken"
    shutil.copytree(SITES / "broken", root)
    result = run_cli(root, "build")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert not (root / "site").exists()
    check_text(result.err, SITES / "broken.expected.txt")
    located = {line.split(":", 1)[0] for line in result.err.splitlines() if line.startswith("content/")}
    assert located == {"content/index.md", "content/article.md", "content/unclosed.md", "content/syntax.md",
                       "content/guide/deep.md", "content/data/totals.json", "content/data/downloads.csv",
                       "content/data/releases.yaml"}


def test_check_reports_the_same_errors(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "broken"
    shutil.copytree(SITES / "broken", root)
    result = run_cli(root, "check")
    assert result.code == 1
    assert result.err == (SITES / "broken.expected.txt").read_text(encoding="utf-8")
