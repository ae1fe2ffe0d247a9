"""`site-builder new`: a complete project that builds strictly at once, and never overwrites."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

EXPECTED = [
    "mkdocs.yml", "pyproject.toml", "README.md", ".gitignore", ".github/workflows/pages.yml",
    "content/index.md", "content/method.md", "content/data/readers.csv", "content/data/timeline.yaml", "content/data/sources.yaml",
    "templates/main.html",
]
HOSTILE = 'Q&A: "quoted" <script>alert(1)</script> {{ x }} #1'


def test_new_project_builds_with_zero_warnings(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    made = run_cli(tmp_path, "new", "river-explainer")
    assert made.code == 0, made.err
    root = tmp_path / "river-explainer"
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()) == sorted(EXPECTED)
    built = run_cli(root, "build")
    assert built.code == 0, built.err
    assert built.err.splitlines()[1:] == [line for line in built.err.splitlines()[1:] if line.startswith("built ")]
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "River explainer" in home
    assert "from 1,200 in January 2024" in home and "3,900 in December 2024" in home  # the data step ran
    assert "This is an example override from <code>templates/main.html</code>" in home


def test_title_is_safe_in_yaml_and_html(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    assert run_cli(tmp_path, "new", "site", "--title", HOSTILE).code == 0
    root = tmp_path / "site"
    front = (root / "content" / "index.md").read_text(encoding="utf-8").split("---")[1]
    assert yaml.safe_load(front)["title"] == HOSTILE
    built = run_cli(root, "build")
    assert built.code == 0, built.err
    for page in (root / "site").rglob("*.html"):
        assert "<script>alert" not in page.read_text(encoding="utf-8"), page
    feed = ET.parse(root / "site" / "feed.xml").getroot()
    assert {e.text for e in feed.iter("{http://www.w3.org/2005/Atom}title")} == {HOSTILE}


def test_refuses_a_non_empty_folder(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine", encoding="utf-8")
    refused = run_cli(tmp_path, "new", "taken")
    assert refused.code == 1
    assert refused.err.startswith("taken:1:1: `taken` is a folder that is not empty")
    assert [p.name for p in (tmp_path / "taken").iterdir()] == ["notes.txt"]
    assert run_cli(tmp_path, "new", "taken/notes.txt").code == 1


def test_an_empty_folder_is_fine(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "empty").mkdir()
    assert run_cli(tmp_path, "new", "empty").code == 0
    assert (tmp_path / "empty" / "mkdocs.yml").is_file()


def test_workflow_uses_the_official_pages_actions(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    run_cli(tmp_path, "new", "site")
    workflow = yaml.safe_load((tmp_path / "site" / ".github" / "workflows" / "pages.yml").read_text())
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    uses = {s["uses"].split("@")[0] for s in steps if "uses" in s}
    assert {"actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"} <= uses
    setup = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python"))
    assert setup["with"]["cache"] == "pip" and setup["with"]["cache-dependency-path"] == "pyproject.toml"
    assert any("pip install --group site" in s.get("run", "") for s in steps)
    pyproject = (tmp_path / "site" / "pyproject.toml").read_text()
    assert '[dependency-groups]\nsite = ["site-builder' in pyproject


def test_a_folder_that_cannot_be_made_is_an_error_not_a_crash(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "notes.txt").write_text("a file, so nothing can be made inside it")
    refused = run_cli(tmp_path, "new", "notes.txt/site")
    assert refused.code == 1
    assert "notes.txt/site:1:1: cannot write notes.txt/site/" in refused.err
    assert "Traceback" not in refused.err and "internal error" not in refused.err
