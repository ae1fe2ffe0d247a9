"""Parallel page rendering (site_builder/render_pool.py): a full build rendered in worker processes
writes the same files and reports the same errors, in the same order, as a serial build.

Builds run in processes of their own (tests/render_pool_build.py) with `SITE_BUILDER_WORKERS`
forcing 1 or 2 processes; a spy on `Prerenders.take` lists the pages whose worker render the build
used, so a test cannot pass by quietly building serially.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from site_builder.content.frontmatter import parse_page
from site_builder.dependencies import declares_inputs, effect
from site_builder.errors import UserError
from site_builder.markdown.engine import MarkdownOptions, shared_md
from site_builder.markdown.links import SiteLinks
from site_builder.pages import Site
from site_builder.render_pool import MIN_PAGES, WORKERS_ENV, PageTask, prerender, worker_count

REPO = Path(__file__).resolve().parent.parent
PAGES = 30

# Every feature whose render leaves something behind in the build: a chart job (numbered per
# page), citations, a timeline slice, key figures, data from the Jinja step, links between pages.
PAGE = """\
---
title: Page {n}
key_figures:
  - value: "{{{{ data.headline_shares[0].share_pct }}}}%"
    label: Share, page {n}
    source: longpre2025
---
# Page {n}

Chinese share: {{{{ data.headline_shares[0].share_pct }}}}% [@longpre2025]. Next: [page](p{next:02}.md#page-{next}).

{charts}
```timeline
category: policy
```

More [@ft2025].
"""

CHART = """\
```chart
title: {mark} chart
description: Shares.
source: {{text: The study}}
data: {{url: data/headline_shares.csv}}
mark: {mark}
encoding:
  x: {{field: developer_country, type: nominal}}
  y: {{field: share_pct, type: quantitative}}
```
"""
CHARTS = "\n".join(CHART.format(mark=mark) for mark in ("bar", "point"))
"""Two charts: their placeholders are numbered within the page."""

# One mistake of each kind, on pages spread over the page list (so over the workers).
BROKEN = {
    3: "[gone](missing.md) and [@no-such-source]\n",
    8: "{{ data.headline_shares[0].nope.deeper }}\n",
    13: "```chart\ntitle: Bad\ndescription: x\ndata: {url: data/headline_shares.csv}\nmark: bar\n"
        "encoding:\n  x: {field: no_such_column, type: nominal}\n```\n",
    21: "```timeline\ncategory: no-such-category\n```\n",
    27: "[anchor](p01.md#no-such-heading)\n",
}


MODULE_CHART = """\
def chart(data):
    rows = [{"country": r["developer_country"], "share": r["share_pct"]} for r in data["headline_shares"]]
    return {"title": "From a module", "description": "Bars.", "source": {"text": "The study"},
            "data": {"values": rows}, "mark": "bar",
            "encoding": {"x": {"field": "country", "type": "nominal"}, "y": {"field": "share", "type": "quantitative"}}}
"""


MODULE_PAGE = "p10.md"
"""Its chart module runs in the build's process (its worker comes from the build's fork server)."""


def many_pages(root: Path, broken: bool = False) -> None:
    """The flagship plus PAGES generated pages (one has a chart made by Python code); with `broken`,
    some pages carry errors."""
    (root / "content" / "charts").mkdir(exist_ok=True)
    (root / "content" / "charts" / "module.py").write_text(MODULE_CHART, encoding="utf-8")
    for n in range(PAGES):
        text = PAGE.format(n=n, next=(n + 1) % PAGES, charts=CHARTS) + (BROKEN.get(n, "") if broken else "")
        text += "\n```chart charts/module.py\n```\n" if f"p{n:02}.md" == MODULE_PAGE else ""
        (root / "content" / f"p{n:02}.md").write_text(text, encoding="utf-8")
    if broken:
        (root / "content" / "p17.md").write_text("---\ntitle: [unclosed\n---\n# Bad front matter\n", encoding="utf-8")


@pytest.fixture(scope="module")
def flagship(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("flagship")
    shutil.copy(REPO / "mkdocs.yml", root)
    for folder in ("content", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    if (REPO / ".site-builder-cache").is_dir():  # compiled charts: both builds read the same cache anyway
        shutil.copytree(REPO / ".site-builder-cache", root / ".site-builder-cache")
    return root


@dataclass
class Build:
    code: int
    err: list[str]
    """The error output, without the timing of the summary line."""
    files: dict[str, bytes]
    taken: list[str]
    """The pages whose worker render the build used."""


def build(root: Path, workers: int, *options: str) -> Build:
    """`site-builder build` in its own process (tests/render_pool_build.py) with `workers` forced."""
    env = {**os.environ, WORKERS_ENV: str(workers), "PYTHONPATH": os.pathsep.join([str(REPO), *sys.path])}
    taken = root / "taken.txt"
    done = subprocess.run([sys.executable, "-m", "tests.render_pool_build", str(taken), *options], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    err = [re.sub(r" in [0-9.]+s ", " ", line) for line in done.stderr.splitlines()]
    files = {p.relative_to(root / "site").as_posix(): p.read_bytes() for p in (root / "site").rglob("*") if p.is_file()}
    return Build(done.returncode, err, files, taken.read_text(encoding="utf-8").split())


def assert_same_build(root: Path, pages: int, in_build: tuple[str, ...] = ()) -> Build:
    """Parallel and serial builds are the same; every page but `in_build` rendered in a worker."""
    # Parallel first: its pages' new charts are then compiled after a parallel render.
    parallel, serial = build(root, 2), build(root, 1)
    assert serial.taken == []
    assert len(parallel.taken) == pages - len(in_build), "every page rendered in a worker"
    assert not set(in_build) & set(parallel.taken)
    assert (serial.code, serial.err) == (parallel.code, parallel.err)
    assert sorted(serial.files) == sorted(parallel.files)
    assert [name for name in serial.files if serial.files[name] != parallel.files[name]] == []
    return parallel


def test_flagship_builds_the_same_in_parallel(flagship: Path) -> None:
    result = assert_same_build(flagship, pages=6)
    assert result.code == 0, result.err


def test_many_pages_with_every_feature_build_the_same(flagship: Path) -> None:
    many_pages(flagship)
    result = assert_same_build(flagship, pages=6 + PAGES, in_build=(MODULE_PAGE,))
    assert result.code == 0, result.err
    assert any("36 pages, 67 charts" in line for line in result.err)


def test_a_broken_site_reports_the_same_errors_in_the_same_order(flagship: Path) -> None:
    many_pages(flagship, broken=True)
    result = assert_same_build(flagship, pages=6 + PAGES, in_build=(MODULE_PAGE,))
    assert result.code != 0
    for page, line in (("p03", 39), ("p08", 39), ("p13", 45), ("p17", 2), ("p21", 40), ("p27", 39)):
        assert any(e.startswith(f"content/{page}.md:{line}:") for e in result.err)


def test_a_worker_that_dies_leaves_its_pages_to_the_build(flagship: Path) -> None:
    many_pages(flagship, broken=True)
    serial, parallel = build(flagship, 1), build(flagship, 2, "--kill", "p05.md")
    assert 0 < len(parallel.taken) < 6 + PAGES
    assert "p05.md" not in parallel.taken
    assert (serial.code, serial.err, serial.files) == (parallel.code, parallel.err, parallel.files)


def test_a_page_another_plugin_changed_renders_in_the_build(flagship: Path) -> None:
    many_pages(flagship)
    result = build(flagship, 2, "--change", "methodology.md")
    assert result.code == 0, result.err
    assert "methodology.md" not in result.taken
    assert "explainer.md" in result.taken


class TwoArgumentError(Exception):
    """Pickles, but does not unpickle: `Exception` unpickles as `cls(*args)`."""

    def __init__(self, message: str, extra: str) -> None:
        super().__init__(message)
        self.extra = extra


def test_pages_a_worker_cannot_vouch_for_are_left_to_the_build(tmp_path: Path) -> None:
    """A fence that does not declare its inputs, effects that do not pickle or unpickle, a file
    that cannot be read: no result."""
    applied: list[Any] = []

    def with_effect(payload: Any) -> Any:
        return declares_inputs(lambda block: effect("test", payload, applied.append) or "<p>made</p>")

    fences = {"opaque": lambda block: "<p>opaque</p>", "unpicklable": with_effect(lambda: None),
              "unloadable": with_effect(TwoArgumentError("a", "b"))}
    pages = {"plain.md": "# Plain\n", "opaque.md": "```opaque\n```\n", "unpicklable.md": "```unpicklable\n```\n",
             "unloadable.md": "```unloadable\n```\n", "unreadable.md": None}
    site = Site(md=shared_md(MarkdownOptions()), links=SiteLinks(dict.fromkeys(pages, "")), fences=fences,
                effects={"test": applied.append})
    for name, text in pages.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
    done = prerender([PageTask(name, name, tmp_path / name) for name in pages], site, workers=2)
    assert applied == []  # a worker's effects stay in the worker until the build takes its render
    taken = {name: done.take(parse_page(text or "", name)[0], name, site) for name, text in pages.items()}
    assert [name for name, rendered in taken.items() if rendered is not None] == ["plain.md"]
    assert taken["plain.md"] is not None and "<h1" in taken["plain.md"].markdown.html


@pytest.mark.parametrize(("env", "pages", "cpus", "expected"), [
    ("", MIN_PAGES - 1, 4, 1),  # too few pages to be worth forking
    ("", MIN_PAGES, 4, 4),
    ("", 500, 1, 1),  # one usable core
    ("", 500, 16, 8),  # at most MAX_WORKERS
    ("1", 500, 4, 1),
    ("3", 2, 4, 2),  # never more workers than pages
    ("4", 100, 1, 4),  # forced, whatever the cores
])
def test_worker_count(env: str, pages: int, cpus: int, expected: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, env)
    monkeypatch.setattr("site_builder.render_pool.usable_cpus", lambda: cpus)
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # whatever other tests left running
    assert worker_count(pages) == expected


def test_no_workers_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "4")
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    thread.start()
    try:
        assert worker_count(100) == 1
    finally:
        done.set()
        thread.join()


def test_a_bad_worker_count_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(WORKERS_ENV, "two")
    with pytest.raises(UserError, match="whole number"):
        worker_count(100)
