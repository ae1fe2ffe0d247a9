"""`site-builder deploy` into a local bare repository: one commit of the built site on gh-pages,
naming its source commit; the author's branch, index and uncommitted work untouched."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from site_builder.deploy import pages_address
from tests.conftest import MINIMAL_CONFIG, write_site

PAGES = {"content/index.md": "# Home\n\nSee [the method](method.md).\n", "content/method.md": "# Method\n\nHow.\n"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A committed site whose `origin` is an empty bare repository at tmp_path/remote.git."""
    monkeypatch.setenv("HOME", str(tmp_path))  # no user-wide git config leaks in
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Author")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "author@example.org")
    git(tmp_path, "init", "--quiet", "--bare", "remote.git")
    root = write_site(tmp_path / "src", PAGES)
    git(root, "init", "--quiet", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "sources")
    git(root, "remote", "add", "origin", str(tmp_path / "remote.git"))
    return root


def remote(repo: Path) -> Path:
    return repo.parent / "remote.git"


def published_files(repo: Path, branch: str = "gh-pages") -> set[str]:
    return set(git(remote(repo), "ls-tree", "-r", "--name-only", branch).splitlines())


def state(repo: Path) -> tuple[str, ...]:
    """What deploy must never change: branch, HEAD, status, staged and unstaged diffs, local branches."""
    return (git(repo, "symbolic-ref", "HEAD"), git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain"),
            git(repo, "diff", "--cached"), git(repo, "diff"), git(repo, "branch", "--list"))


def test_publishes_one_commit_naming_the_source(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (repo / "content" / "method.md").write_text("# Method\n\nEdited, not committed.\n", encoding="utf-8")
    (repo / "content" / "index.md").write_text("# Home\n\nStaged. [m](method.md)\n", encoding="utf-8")
    git(repo, "add", "content/index.md")
    before, source = state(repo), git(repo, "rev-parse", "HEAD")
    result = run_cli(repo, "deploy")
    assert result.code == 0, result.err
    assert state(repo) == before
    files = published_files(repo)
    assert {"index.html", "method/index.html", "404.html", "sitemap.xml", "feed.xml", ".nojekyll"} <= files
    assert git(remote(repo), "rev-list", "--count", "gh-pages") == "1"
    message = git(remote(repo), "log", "-1", "--format=%B", "gh-pages")
    assert f"Source commit: {source} (with uncommitted changes)" in message
    assert "published" in result.err and "origin gh-pages" in result.err


def test_keeps_the_branch_cname_and_history(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    other = repo.parent / "other"
    git(repo.parent, "clone", "--quiet", str(remote(repo)), str(other))
    git(other, "checkout", "--quiet", "--orphan", "gh-pages")
    (other / "CNAME").write_text("explainer.example.org\n", encoding="utf-8")
    git(other, "add", "CNAME")
    git(other, "commit", "--quiet", "-m", "custom domain")
    git(other, "push", "--quiet", "origin", "gh-pages")
    result = run_cli(repo, "deploy", "--message", "Second edition")
    assert result.code == 0, result.err
    assert git(remote(repo), "show", "gh-pages:CNAME") == "explainer.example.org"
    assert git(remote(repo), "rev-list", "--count", "gh-pages") == "2"
    assert git(remote(repo), "log", "-1", "--format=%s", "gh-pages") == "Second edition"
    assert "custom domain explainer.example.org" in result.err


def test_cname_from_config(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (repo / "mkdocs.yml").write_text(MINIMAL_CONFIG + "extra:\n  cname: data.example.org\n", encoding="utf-8")
    assert run_cli(repo, "deploy", "--branch", "pages").code == 0
    assert git(remote(repo), "show", "pages:CNAME") == "data.example.org"


def test_refuses_to_publish_a_failing_build(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (repo / "content" / "index.md").write_text("# Home\n\nA [broken link](nowhere.md).\n", encoding="utf-8")
    result = run_cli(repo, "deploy")
    assert result.code == 1
    assert "content/index.md:3:17: missing page" in result.err
    assert "not published: the build failed with 1 error(s)" in result.err
    assert git(remote(repo), "ls-remote", "--heads", ".") == ""


def test_dry_run_pushes_nothing(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(repo, "deploy", "--dry-run")
    assert result.code == 0, result.err
    assert "dry run: would publish" in result.err
    assert git(remote(repo), "ls-remote", "--heads", ".") == ""


def test_outside_a_repository_or_without_the_remote(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = write_site(tmp_path / "plain", PAGES)
    result = run_cli(root, "deploy")
    assert result.code == 1 and "\nmkdocs.yml:1:1: git rev-parse failed: fatal: not a git repository" in result.err
    assert "run `git init` and commit" in result.err
    git(root, "init", "--quiet")
    git(root, "add", ".")
    git(root, "-c", "user.name=A", "-c", "user.email=a@b", "commit", "--quiet", "-m", "x")
    result = run_cli(root, "deploy", "--remote", "upstream")
    assert result.code == 1 and "git remote add upstream URL" in result.err
    assert "built" not in result.err  # checked before building


@pytest.mark.parametrize(("remote_url", "cname", "address"), [
    ("git@github.com:Someone/my-explainer.git", None, "https://someone.github.io/my-explainer/"),
    ("https://github.com/someone/my-explainer", None, "https://someone.github.io/my-explainer/"),
    ("https://github.com/someone/someone.github.io.git", None, "https://someone.github.io/"),
    ("git@github.com:someone/my-explainer.git", "data.example.org", "https://data.example.org/"),
    ("/srv/git/site.git", None, None),
])
def test_pages_address(remote_url: str, cname: str | None, address: str | None) -> None:
    assert pages_address(remote_url, cname) == address


def test_refuses_a_site_url_that_does_not_match_github_pages(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    # A bare repository whose path looks like a GitHub remote, so the check applies.
    github = repo.parent / "github.com" / "someone"
    github.mkdir(parents=True)
    git(github, "init", "--quiet", "--bare", "my-explainer.git")
    git(repo, "remote", "add", "github", str(github / "my-explainer.git"))
    refused = run_cli(repo, "deploy", "--remote", "github")
    assert refused.code == 1
    assert ("mkdocs.yml:2:1: site_url is https://example.org/repo/, but this branch is served at "
            "https://someone.github.io/my-explainer/ — set `site_url: https://someone.github.io/my-explainer/`"
            in refused.err)
    assert git(github / "my-explainer.git", "ls-remote", "--heads", ".") == ""
    (repo / "mkdocs.yml").write_text(MINIMAL_CONFIG.replace("https://example.org/repo/",
                                                            "https://someone.github.io/my-explainer/"))
    assert run_cli(repo, "deploy", "--remote", "github").code == 0


def test_a_bad_cname_in_config_is_an_error(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (repo / "mkdocs.yml").write_text(MINIMAL_CONFIG + "extra:\n  cname: https://data.example.org/x\n")
    result = run_cli(repo, "build")
    assert result.code == 1
    assert "mkdocs.yml:1:1: extra.cname must be a domain name, not 'https://data.example.org/x'" in result.err


def test_a_cname_file_in_content_is_published(repo: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    (repo / "content" / "CNAME").write_text("www.example.org\n", encoding="utf-8")
    assert run_cli(repo, "deploy").code == 0
    assert git(remote(repo), "show", "gh-pages:CNAME") == "www.example.org"
