"""The `site-builder` command end to end, on a small site written to a temp folder."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CliRun, write_site

REPO = Path(__file__).resolve().parents[1]
PAGES = {
    "content/index.md": """\
        ---
        title: Open models
        description: Who downloads what.
        ---

        # Open models

        China had {{ data.downloads[0].downloads | number }} downloads. Read [the method](guide/method.md#counting-downloads).
        """,
    "content/guide/method.md": """\
        # Method

        ## Counting downloads

        Monthly figures, see [home](../index.md).

        ## 数据来源

        ## Counting downloads
        """,
    "content/data/downloads.csv": "country,downloads\nChina,1200000\nUS,900000\n",
}


def html_files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.html"))}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small site built once by `site-builder build` (read-only for the tests that use it)."""
    from site_builder.cli import main

    root = write_site(tmp_path_factory.mktemp("built") / "site-root", PAGES)
    assert main(["build", "-f", str(root / "mkdocs.yml")]) == 0
    return root


def test_build_writes_the_site_and_a_summary(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path, PAGES)
    result: CliRun = run_cli(root, "build")
    assert result.code == 0, result.err
    assert re.search(r"^built 2 pages in \d+\.\d\ds → .*site$", result.err, re.MULTILINE)
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "China had 1,200,000 downloads" in page
    assert '<a href="guide/method/#counting-downloads">the method</a>' in page


def test_build_into_another_folder(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path, PAGES)
    result = run_cli(root, "build", "-d", "public")
    assert result.code == 0, result.err
    assert (root / "public" / "guide" / "method" / "index.html").is_file()
    assert not (root / "site").exists()


def test_output_folder_is_readable_by_a_web_server(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path, PAGES)
    previous = os.umask(0o022)
    try:
        assert run_cli(root, "build").code == 0
    finally:
        os.umask(previous)
    assert (root / "site").stat().st_mode & 0o777 == 0o755, "the staging folder's private 0700 leaked out"


def test_an_output_folder_that_is_not_a_build_is_never_replaced(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path, {**PAGES, "notes/todo.txt": "mine", "content/img.txt": "x"})
    refused = run_cli(root, "build", "-d", "notes")
    assert refused.code == 1
    assert "holds other files, not a built site — build into a new or empty folder" in refused.err
    assert run_cli(root, "build", "-d", ".").code == 1  # the project itself (MkDocs refuses it too)
    assert (root / "notes" / "todo.txt").read_text() == "mine"
    assert run_cli(root, "build", "-d", "public").code == 0
    assert run_cli(root, "build", "-d", "public").code == 0, "a previous build may be replaced"


def test_check_validates_without_writing(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path, PAGES)
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    checked = run_cli(root, "check")
    assert checked.code == 0
    assert re.search(r"^checked 2 pages in \d+\.\d\ds: no problems, nothing written$", checked.err, re.MULTILINE)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    (root / "content" / "index.md").write_text("# Home\n\n[gone](gone.md)\n", encoding="utf-8")
    failed = run_cli(root, "check")
    assert failed.code == 1 and "content/index.md:3:8: missing page: `gone.md`" in failed.err
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before


def test_plain_mkdocs_build_makes_the_same_pages(built: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    mkdocs = Path(sys.executable).with_name("mkdocs")
    subprocess.run([str(mkdocs), "build", "-q", "-f", str(built / "mkdocs.yml"), "-d", str(tmp_path / "out")],
                   check=True, env=env, cwd=built, timeout=60)
    ours, theirs = html_files(built / "site"), html_files(tmp_path / "out")
    assert ours.keys() == theirs.keys()
    assert ours == theirs


def test_raw_html_can_be_switched_off(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    config = "site_name: T\ndocs_dir: content\ntheme:\n  name: material\n  font: false\n" \
             "plugins:\n  - explainer:\n      raw_html: false\n"
    root = write_site(tmp_path, {"content/index.md": "# Home\n\n<b onclick=x>bold</b>\n"}, config)
    assert run_cli(root, "build").code == 0
    page = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "<p>&lt;b onclick=x&gt;bold&lt;/b&gt;</p>" in page


def test_material_toc_and_search_index_show_our_headings(built: Path) -> None:
    page = (built / "site" / "guide" / "method" / "index.html").read_text(encoding="utf-8")
    toc = page[page.index('md-nav--secondary'):]
    toc = toc[: toc.index("</nav>")]
    assert re.findall(r'href="#([^"]+)"', toc) == ["counting-downloads", "数据来源", "counting-downloads_1"]
    index = json.loads((built / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"]: doc["title"] for doc in index["docs"]}
    assert locations["guide/method/#counting-downloads"] == "Counting downloads"
    assert locations["guide/method/#数据来源"] == "数据来源"
    assert "guide/method/#counting-downloads_1" in locations


def test_no_third_party_requests_in_built_html(built: Path) -> None:
    for name, html in html_files(built / "site").items():
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, name
        # What a browser fetches by itself: src= and <link href> (stylesheets, preloads, icons); not <a href>.
        fetched = re.findall(r'\ssrc="([^"]*)"', html) + re.findall(r'<link\b[^>]*\shref="([^"]*)"', html)
        remote = [url for url in fetched if re.match(r"(https?:)?//", url)]
        assert remote == [] or all(u.startswith("https://example.org/repo/") for u in remote), (name, remote)


def test_verbose_shows_mkdocs_log(tmp_path: Path) -> None:
    root = write_site(tmp_path, PAGES)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "site_builder.cli", "build"]
    quiet = subprocess.run(command, check=False, cwd=root, env=env, capture_output=True, text=True, timeout=60)
    loud = subprocess.run([*command, "--verbose"], check=False, cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert quiet.returncode == loud.returncode == 0
    assert quiet.stdout == "" and quiet.stderr.splitlines()[0] == "building mkdocs.yml …"
    assert "end of life" not in quiet.stderr, "Material's banner belongs in the README, not in every build"
    assert "Building documentation" not in quiet.stderr
    assert "Building documentation to directory" in loud.stderr


def test_a_mkdocs_warning_fails_a_strict_build_from_the_command_line(tmp_path: Path) -> None:
    """Run as a real process: the CLI quiets the root logger, and MkDocs' warnings must still count."""
    config = "site_name: T\ndocs_dir: content\ntheme:\n  name: material\n  font: false\nplugins: [explainer]\n" \
             "nav:\n  - Home: index.md\n  - Gone: gone.md\n"
    root = write_site(tmp_path, {"content/index.md": "# Home\n"}, config)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "site_builder.cli", "build"]
    strict = subprocess.run(command, check=False, cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert strict.returncode == 1 and not (root / "site").exists()
    assert "mkdocs.yml:9:11: A reference to 'gone.md' is included in the 'nav' configuration" in strict.stderr
    relaxed = subprocess.run([*command, "--no-strict"], check=False, cwd=root, env=env, capture_output=True,
                             text=True, timeout=60)
    assert relaxed.returncode == 0 and (root / "site" / "index.html").is_file()
    assert "gone.md" in relaxed.stderr and "built 1 page in" in relaxed.stderr


def test_an_internal_error_is_not_blamed_on_the_site(tmp_path: Path, run_cli,  # type: ignore[no-untyped-def]
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_site(tmp_path, PAGES)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("site_builder.pages.render_markdown", broken)
    quiet = run_cli(root, "build")
    assert quiet.code == 2 and "Traceback" not in quiet.err
    assert "internal error: RuntimeError: boom — this is a bug in site-builder" in quiet.err
    loud = run_cli(root, "build", "--verbose")
    assert loud.code == 2 and "Traceback (most recent call last)" in loud.err and 'raise RuntimeError("boom")' in loud.err
    assert not (root / "site").exists() and not list(root.glob(".site*"))


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    from site_builder import __version__
    from site_builder.cli import main

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out.strip() == f"site-builder {__version__}"


def test_missing_config_file(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(tmp_path, "build")
    assert result.code == 1 and result.err.startswith("mkdocs.yml:1:1: no such config file")


def test_only_the_host_package_imports_mkdocs() -> None:
    offenders = []
    for path in sorted((REPO / "site_builder").rglob("*.py")):
        if "host" in path.relative_to(REPO / "site_builder").parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.relative_to(REPO)}: {n}" for n in names if n.split(".")[0] in {"mkdocs", "material"}]
    assert offenders == []
