"""The preview's incremental builds equal a clean `site-builder build`, after any sequence of edits.

Seeded random sequences of edits — page text and titles, data used by pages, template overrides,
mkdocs.yml, new, deleted and renamed pages and data files, chart files and the CSVs charts read,
sources.yaml, timeline.yaml (shown in slices on pages), and breakages that are then fixed —
each followed by an incremental build and a clean build of the same sources; the two trees must be
byte-identical, and fail together. `SERVE_EQUIVALENCE_RUNS=N` runs more seeds.
"""

from __future__ import annotations

import difflib
import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.host.incremental import PreviewBuilder
from site_builder.host.runner import build_site
from tests.conftest import site_config, write_site


def preview_config(name: str) -> str:
    """The sites these tests edit have a theme folder, which the preview watches too."""
    return site_config(name, "  custom_dir: templates\n")


WORDS = ["data", "model", "share", "download", "open", "weight", "chart", "source", "year", "growth"]


def page_text(rng: random.Random, title: str) -> str:
    """A page, or an article (a `date`: listed on the home page with its reading time)."""
    uses = rng.choice(["{{ data.nums[0].v | number }}", "{{ data.other[1].label }}", "no data here",
                       "{% for r in data.nums %}{{ r.v }} {% endfor %}"])
    words = " ".join(rng.choice(WORDS) for _ in range(12))
    article = f"date: 2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}\ndescription: {rng.choice(WORDS)}\n"
    meta = f"title: {title}\n" + (article if rng.random() < 0.5 else "")
    cite = rng.choice(["", " [@second]"])
    return (f"---\n{meta}---\n\n# {title}\n\n{words}. Value: {uses}.{cite} [Home](index.md).\n\n"
            "## Part\n\nMore.\n")


def chart_file(title: str, mark: str) -> str:
    return (f"title: {title}\ndata: {{url: data/nums.csv}}\nmark: {mark}\n"
            "encoding:\n  x: {field: w, type: ordinal}\n  y: {field: v, type: quantitative}\n")


def timeline_yaml(title: str, body: str) -> str:
    """Two categories; the event in `a` has a markdown body (its link errors are reported once)."""
    return ("categories:\n  a: {label: A, color: '#111111'}\n  b: {label: B, color: '#222222'}\n"
            f"events:\n- date: 2024-01-02\n  title: {title}\n  category: a\n  body: '{body}'\n"
            "  sources: [first]\n- date: 2023\n  title: Other\n  category: b\n")


def sources_yaml(title: str) -> str:
    return "".join(f"{key}:\n  title: {title} {key}\n  url: https://example.org/{key}\n  publisher: Example\n"
                   f"  date: 2024-01-01\n" for key in ("first", "second"))


class Sources:
    """The random site being edited."""

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.root, self.rng = root, rng
        self.pages = [f"p{i}.md" for i in range(4)]
        files = {f"content/{p}": page_text(rng, f"Page {p[1:-3]}") for p in self.pages}
        files["content/index.md"] = "---\nlayout: home\n---\n\n# Home\n\nHello {{ data.nums[1].v }} [@first].\n"
        files["content/data/sources.yaml"] = sources_yaml("Report")
        files["content/chart.md"] = ("# Chart\n\n```chart\ntitle: Values\ndata: {url: data/nums.csv}\nmark: bar\n"
                                     "encoding:\n  x: {field: w, type: ordinal}\n  y: {field: v, type: quantitative}\n```\n")
        files["content/data/nums.csv"] = "v,w\n1,2\n3,4\n"
        # A chart from a file, over a CSV outside the data folder, on a page also showing a timeline slice.
        files["content/filed.md"] = ("# Filed\n\n```chart charts/c.yaml\n```\n\n```timeline\ncategory: a\n```\n\n"
                                     "```chart\ndata: {url: tables/t.csv}\nmark: point\n"
                                     "encoding:\n  x: {field: k, type: quantitative}\n```\n")
        files["content/charts/c.yaml"] = chart_file("Filed", "bar")
        files["content/tables/t.csv"] = "k\n1\n2\n"
        files["content/data/timeline.yaml"] = timeline_yaml("First", "[Home](index.md)")
        files["content/data/other.csv"] = "label\nalpha\nbeta\n"
        files["templates/main.html"] = '{% extends "base.html" %}\n'
        write_site(root, files, preview_config("Site"))
        self.counter = 10

    def path(self, rel: str) -> Path:
        return self.root / "content" / rel

    def edit_body(self) -> None:
        """A few words, or enough to change an article's reading time on the home page."""
        page = self.path(self.rng.choice(self.pages))
        words = " ".join(self.rng.choice(WORDS) for _ in range(self.rng.choice([1, 300])))
        page.write_text(page.read_text() + f"\n{words} {self.counter}\n")

    def edit_title(self) -> None:
        page = self.rng.choice(self.pages)
        self.path(page).write_text(page_text(self.rng, f"Title {self.counter}"))

    def add_page(self) -> None:
        name = f"p{self.counter}.md"
        self.pages.append(name)
        self.path(name).write_text(page_text(self.rng, f"New {self.counter}"))

    def delete_page(self) -> None:
        if len(self.pages) > 1:
            self.path(self.pages.pop(self.rng.randrange(len(self.pages)))).unlink()

    def rename_page(self) -> None:
        old = self.pages.pop(self.rng.randrange(len(self.pages)))
        new = f"sub/r{self.counter}.md"
        self.path(new).parent.mkdir(exist_ok=True)
        # Relative links change with the folder; the page keeps linking to the home page.
        self.path(old).rename(self.path(new))
        self.path(new).write_text(self.path(new).read_text().replace("(index.md)", "(../index.md)"))
        self.pages.append(new)

    def edit_data(self) -> None:
        self.path("data/nums.csv").write_text(f"v,w\n{self.counter},2\n{self.rng.randint(0, 9)},4\n")

    def edit_other_data(self) -> None:
        self.path("data/other.csv").write_text(f"label\nx{self.counter}\ny{self.rng.randint(0, 9)}\n")

    def add_data(self) -> None:
        self.path(f"data/extra{self.counter}.json").write_text(f'{{"n": {self.counter}}}')

    def rename_data(self) -> None:
        """`other.csv` becomes `other.json` (same key) or goes away under another name and comes back."""
        data = self.path("data")
        if (data / "other.csv").exists():
            (data / "other.csv").rename(data / self.rng.choice(["renamed.csv", "other.json.bak"]))
        else:
            for name in ("renamed.csv", "other.json.bak"):
                if (data / name).exists():
                    (data / name).rename(data / "other.csv")

    def edit_sources(self) -> None:
        """A source's title changes: every citation of it shows the new one."""
        self.path("data/sources.yaml").write_text(sources_yaml(f"Report {self.counter}"))

    def edit_chart_file(self) -> None:
        """The chart file changes (another mark), or is broken (an unknown mark), or goes away."""
        chart = self.path("charts/c.yaml")
        choice = self.rng.choice(["area", "line", "nonsense", "delete"])
        if choice == "delete":
            chart.unlink(missing_ok=True)
        else:
            chart.write_text(chart_file(f"Filed {self.counter}", choice))

    def edit_chart_table(self) -> None:
        """The CSV outside the data folder that the inline chart reads."""
        self.path("tables/t.csv").write_text(f"k\n{self.counter}\n{self.rng.randint(0, 9)}\n")

    def edit_timeline(self) -> None:
        """An event's title, or its body's link (to a missing page: an error at timeline.yaml)."""
        body = self.rng.choice(["[Home](index.md)", "[Gone](missing.md)", "Plain *text*."])
        self.path("data/timeline.yaml").write_text(timeline_yaml(f"Event {self.counter}", body))

    def edit_template(self) -> None:
        (self.root / "templates/main.html").write_text(
            '{% extends "base.html" %}\n{% block announce %}Note ' + str(self.counter) + "{% endblock %}\n")

    def edit_config(self) -> None:
        (self.root / "mkdocs.yml").write_text(preview_config(f"Site {self.counter}"))

    def break_page(self) -> None:
        self.path(self.rng.choice(self.pages)).write_text("---\ntitle: [unclosed\n---\n\n# Broken\n")

    def break_data(self) -> None:
        self.path("data/nums.csv").write_text("v,w\n1,2,3\n")

    def atomic_save(self) -> None:
        """An editor's safe write: a temp file beside the page, renamed over it."""
        page = self.path(self.rng.choice(self.pages))
        temp = page.with_name(page.name + ".tmp")
        temp.write_text(page.read_text() + f"\nsaved {self.counter}\n")
        os.replace(temp, page)

    def random_edit(self) -> str:
        self.counter += 1
        edits: list[Callable[[], None]] = [
            self.edit_body, self.edit_body, self.edit_title, self.add_page, self.delete_page, self.rename_page,
            self.edit_data, self.edit_other_data, self.add_data, self.rename_data, self.edit_sources,
            self.edit_template,
            self.edit_config,
            self.edit_chart_file, self.edit_chart_table, self.edit_timeline,
            self.break_page, self.break_data, self.atomic_save,
        ]
        edit = self.rng.choice(edits)
        edit()
        return edit.__name__

    def repair(self) -> None:
        """Make every page and the CSV valid again (after a breakage)."""
        for page in self.pages:
            if "[unclosed" in self.path(page).read_text():
                self.path(page).write_text(page_text(self.rng, f"Fixed {self.counter}"))
        if "1,2,3" in self.path("data/nums.csv").read_text():
            self.edit_data()
        if not self.path("data/other.csv").exists():
            self.rename_data()
        chart = self.path("charts/c.yaml")
        if not chart.exists() or "nonsense" in chart.read_text():
            chart.write_text(chart_file(f"Repaired {self.counter}", "bar"))
        if "missing.md" in self.path("data/timeline.yaml").read_text():
            self.edit_timeline()
            self.repair()


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def assert_same_tree(incremental: Path, clean: Path, history: list[str]) -> None:
    got, want = tree(incremental), tree(clean)
    assert sorted(got) == sorted(want), f"after {history}: file sets differ: {set(got) ^ set(want)}"
    for rel in want:
        if got[rel] != want[rel]:
            diff = difflib.unified_diff(want[rel].decode(errors="replace").splitlines(),
                                        got[rel].decode(errors="replace").splitlines(), "clean", "preview",
                                        lineterm="", n=1)
            pytest.fail(f"after {history}: {rel} differs\n" + "\n".join(list(diff)[:40]))


@pytest.mark.parametrize("seed", range(int(os.environ.get("SERVE_EQUIVALENCE_RUNS", "2"))))
def test_random_edit_sequences_match_clean_builds(tmp_path: Path, seed: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    # sitemap.xml.gz carries a timestamp: fixed, as for any reproducible build.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rng = random.Random(seed)
    sources = Sources(tmp_path / "site", rng)
    builder = PreviewBuilder(sources.root / "mkdocs.yml")
    previous: Path | None = None
    history: list[str] = ["start"]
    rendered: list[int] = []
    try:
        for step in range(12):
            out = tmp_path / f"gen{step}"
            out.mkdir()
            result = builder.build(out, previous)
            clean = build_site(sources.root / "mkdocs.yml", site_dir=tmp_path / f"clean{step}")
            problems = [str(e) for e in result.errors + result.warnings]
            assert problems == [str(e) for e in clean.errors + clean.warnings], f"after {history}"
            assert result.ok == clean.ok
            if result.ok:
                assert_same_tree(out, tmp_path / f"clean{step}", history)
                rendered.append(builder.rendered_pages)
                if previous is not None:
                    shutil.rmtree(previous)
                previous = out
            history.append(sources.random_edit())
            if rng.random() < 0.5:
                sources.repair()
    finally:
        builder.close()
    # Not vacuous: several builds succeeded, and some reused most pages instead of rendering them all.
    assert len(rendered) >= 3 and min(rendered[1:]) < max(rendered)
