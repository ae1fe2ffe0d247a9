"""`site-builder deploy`: build strictly and publish the output to a branch (gh-pages) as one commit.

Plain git plumbing instead of ghp-import, because publishing must never touch the author's work:
the tree is built from the output folder through a temporary index file (`GIT_INDEX_FILE`), the
commit is made with `commit-tree` on top of the remote branch's tip, and it is pushed by its id.
The working branch, the index, uncommitted work and local refs are left alone. The remote branch's
`CNAME` is kept when the build has none, and `.nojekyll` stops GitHub Pages from running Jekyll.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from site_builder.errors import SourcePosition, UserError
from site_builder.host.config_checks import locate_in_config
from site_builder.host.runner import BuildResult, build_site

_GITHUB_REMOTE = re.compile(r"github\.com[:/]+(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/?$")


@dataclass(frozen=True)
class DeployOptions:
    remote: str = "origin"
    branch: str = "gh-pages"
    message: str | None = None
    dry_run: bool = False


@dataclass(frozen=True)
class Source:
    """The commit the site is built from."""

    commit: str
    dirty: bool

    def message(self, subject: str | None) -> str:
        note = " (with uncommitted changes)" if self.dirty else ""
        return f"{subject or f'Publish site from {self.commit[:12]}'}\n\nSource commit: {self.commit}{note}\n"


@dataclass(frozen=True)
class Published:
    files: int
    commit: str | None
    """The new commit on the branch; None for a dry run."""
    cname: str | None


class Git:
    """Runs git in the site's repository; a failure is a user error at mkdocs.yml with git's words."""

    def __init__(self, cwd: Path, config_name: str) -> None:
        self.cwd = cwd
        self.position = SourcePosition(config_name)

    def run(self, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            hint: str = "") -> str:
        proc = subprocess.run(["git", *args], cwd=cwd or self.cwd, capture_output=True, text=True,
                              env={**os.environ, **(env or {})}, check=False)
        if proc.returncode != 0:
            said = (proc.stderr.strip() or proc.stdout.strip()).splitlines()
            raise UserError(f"git {args[0]} failed: {' '.join(said[-2:]) or f'exit {proc.returncode}'}",
                            self.position, hint or "fix the git problem above, then deploy again")
        return proc.stdout.strip()


def source_of(git: Git) -> Source:
    git.run("rev-parse", "--git-dir", hint="deploy publishes from a git repository: run `git init` and commit")
    commit = git.run("rev-parse", "--verify", "HEAD^{commit}", hint="commit your sources first")
    return Source(commit, dirty=bool(git.run("status", "--porcelain")))


def remote_tip(git: Git, remote: str, branch: str) -> str | None:
    """The branch's commit on the remote (fetched, so it can be the parent), or None if it is new."""
    if not git.run("ls-remote", "--heads", remote, f"refs/heads/{branch}"):
        return None
    git.run("fetch", "--quiet", "--no-tags", remote, f"refs/heads/{branch}")
    return git.run("rev-parse", "--verify", "FETCH_HEAD^{commit}")


def keep_cname(git: Git, site_dir: Path, parent: str | None) -> str | None:
    """The custom domain: the build's own CNAME, else the one already on the branch."""
    cname = site_dir / "CNAME"
    if not cname.exists() and parent is not None and git.run("ls-tree", "--name-only", parent, "CNAME"):
        cname.write_text(git.run("show", f"{parent}:CNAME") + "\n", encoding="utf-8")
    return cname.read_text(encoding="utf-8").strip() if cname.exists() else None


def commit_tree(git: Git, site_dir: Path, parent: str | None, message: str) -> str:
    """A commit of exactly `site_dir`, made through a throwaway index; no ref is updated."""
    git_dir = git.run("rev-parse", "--absolute-git-dir")
    with tempfile.TemporaryDirectory(prefix="site-builder-deploy-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index"), "GIT_DIR": git_dir, "GIT_WORK_TREE": str(site_dir)}
        # --force: the site's own .gitignore must not drop built files.
        git.run("add", "--all", "--force", ".", env=env, cwd=site_dir)
        tree = git.run("write-tree", env=env)
    parents = ["-p", parent] if parent else []
    return git.run("commit-tree", tree, *parents, "-m", message,
                   hint="set your name for commits: `git config user.name NAME` and `git config user.email EMAIL`")


def pages_address(remote_url: str, cname: str | None) -> str | None:
    """Where GitHub Pages serves a branch pushed to `remote_url`; None for a remote elsewhere."""
    match = _GITHUB_REMOTE.search(remote_url)
    if match is None:
        return None
    if cname:
        return f"https://{cname}/"
    owner, repo = match["owner"].lower(), match["repo"]
    return f"https://{owner}.github.io/" + ("" if repo.lower() == f"{owner}.github.io" else f"{repo}/")


def check_site_url(site_url: str | None, address: str | None, position: SourcePosition) -> None:
    """The 404 page, canonical links, feed and cards use `site_url`: a wrong one breaks them once published."""
    if address is None or (site_url or "").rstrip("/").lower() == address.rstrip("/").lower():
        return
    raise UserError(f"site_url is {site_url or 'not set'}, but this branch is served at {address}", position,
                    f"set `site_url: {address}` in mkdocs.yml (the 404 page and shared links need it)")


def publish(git: Git, site_dir: Path, source: Source, options: DeployOptions, parent: str | None,
            cname: str | None) -> Published:
    """Put the built site on the remote branch as one new commit on top of `parent`."""
    count = sum(1 for p in site_dir.rglob("*") if p.is_file())
    if options.dry_run:
        return Published(count, None, cname)
    commit = commit_tree(git, site_dir, parent, source.message(options.message))
    git.run("push", "--quiet", options.remote, f"{commit}:refs/heads/{options.branch}",
            hint=f"someone may have published meanwhile: deploy again, or check access to `{options.remote}`")
    return Published(count, commit, cname)


def deploy(config_file: Path, options: DeployOptions, verbose: bool = False) -> tuple[BuildResult, Published | None]:
    """Build into a scratch folder and publish it; nothing is published when the build fails."""
    git = Git(config_file.parent, config_file.name)
    source = source_of(git)
    remote_url = git.run("remote", "get-url", options.remote,
                         hint=f"add the remote: `git remote add {options.remote} URL`, or pass --remote")
    with tempfile.TemporaryDirectory(prefix="site-builder-deploy-") as scratch:
        result = build_site(config_file, site_dir=Path(scratch) / "site", strict=True, verbose=verbose)
        if not result.ok or result.site_dir is None:
            return result, None
        parent = remote_tip(git, options.remote, options.branch)
        (result.site_dir / ".nojekyll").write_bytes(b"")
        cname = keep_cname(git, result.site_dir, parent)
        check_site_url(result.site_url, pages_address(remote_url, cname), locate_in_config(config_file, "'site_url'"))
        return result, publish(git, result.site_dir, source, options, parent, cname)
