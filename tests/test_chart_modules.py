"""Chart modules run in a worker process: one that hangs, exits, crashes or changes the process's
state costs its chart an error at its line, never the build or the live preview (on its build thread)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import site_builder.charts.load as chart_load
import site_builder.charts.modules as chart_modules
from site_builder.host.incremental import PreviewBuilder
from site_builder.host.runner import BuildResult
from tests.conftest import write_site
from tests.test_serve_equivalence import preview_config

GOOD = ('import altair as alt\n\n\ndef chart(data):\n'
        '    return alt.Chart(alt.Data(values=data["cities"])).mark_bar().encode(x="city:N", y="pop:Q")\n')
LOOPS = "def chart(data):\n    n = 0\n    while True:\n        n += 1\n"
EXITS = "import os\n\n\ndef chart(data):\n    os._exit(3)\n"
CRASHES = "import ctypes\n\n\ndef chart(data):\n    return ctypes.string_at(0)\n"
RAISES = "def chart(data):\n    return data['nope']\n"
# Ignores the polite stop at its line, so it is killed.
DEAF = "import signal\n\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\n\n\ndef chart(data):\n    while True:\n        pass\n"
# Changes everything it can reach in its process, then charts normally.
MEDDLES = ('import json, os, sys\nimport altair as alt\n\n\ndef chart(data):\n'
           '    json.dumps = lambda *a, **k: "garbage"\n    os.chdir("/")\n    sys.path.insert(0, "/nowhere")\n'
           '    data["cities"].clear()\n'
           '    return alt.Chart(alt.Data(values=[{"c": "x"}])).mark_point().encode(x="c:N")\n')
LIMIT = 0.5


@pytest.fixture(autouse=True)
def short_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Half a second per module and for the grace after it, so a module that hangs costs a test ~1 s."""
    monkeypatch.setattr(chart_load, "MODULE_SECONDS", LIMIT)
    monkeypatch.setattr(chart_modules, "GRACE_SECONDS", LIMIT)


def module_site(root: Path, modules: dict[str, str]) -> Path:
    """One page per module (`NAME.md` draws `charts/NAME.py`) and a page listing the cities with Jinja."""
    files = {f"content/{name}.md": f"# {name}\n\n```chart charts/{name}.py\n```\n" for name in modules}
    files |= {f"content/charts/{name}.py": text for name, text in modules.items()}
    files["content/index.md"] = "# Home\n\n{% for row in data.cities %}- {{ row.city }}\n{% endfor %}"
    files["content/data/cities.csv"] = "city,pop\nParis,2.1\nLyon,0.5\n"
    files["templates/main.html"] = '{% extends "base.html" %}\n'
    return write_site(root, files, preview_config("Modules"))


def test_every_broken_module_is_an_error_at_its_line_and_the_rest_builds(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = module_site(tmp_path / "s", {"a_loops": LOOPS, "b_exits": EXITS, "c_crashes": CRASHES,
                                        "d_raises": RAISES, "e_deaf": DEAF, "f_good": GOOD})
    run = run_cli(root, "build")
    assert run.code == 1
    errors = [line for line in run.err.splitlines() if line.startswith("content/")]
    assert re.fullmatch(r"content/charts/a_loops\.py:[34]:1: chart module ran for over 0\.5 s and was stopped — .*",
                        errors[0])
    assert errors[1].startswith("content/charts/b_exits.py:1:1: chart module ended the process (exit code 3) — ")
    assert errors[2].startswith("content/charts/c_crashes.py:5:1: chart module ended the process "
                                "(killed by signal 11) — ")  # the line it crashed at
    assert errors[3] == ("content/charts/d_raises.py:2:1: chart module raised KeyError: 'nope' — "
                         "fix the Python code at this line")
    assert errors[4].startswith("content/charts/e_deaf.py:1:1: chart module ran for over 0.5 s and was stopped")
    assert len(errors) == 5 and "Traceback" not in run.err


def test_check_runs_modules_in_the_worker_too(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    run = run_cli(module_site(tmp_path / "s", {"exits": EXITS}), "check")
    assert run.code == 1
    assert "content/charts/exits.py:1:1: chart module ended the process (exit code 3) — " in run.err


def test_a_module_that_takes_too_much_memory_is_stopped_at_its_line(tmp_path: Path, run_cli,  # type: ignore[no-untyped-def]
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_modules, "MEMORY_BYTES", 1_000_000_000)
    root = module_site(tmp_path / "s", {"hungry": "def chart(data):\n    return bytearray(2_000_000_000)\n"})
    run = run_cli(root, "build")
    assert run.code == 1
    assert "content/charts/hungry.py:2:1: chart module ran out of memory (a module may use 1.0 GB) — " in run.err


def test_a_module_that_meddles_leaves_the_build_and_the_other_modules_alone(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = module_site(tmp_path / "s", {"a_meddles": MEDDLES, "b_good": GOOD})
    run = run_cli(root, "build")
    assert run.code == 0, run.err
    assert Path.cwd() == root and json.dumps([1]) == "[1]" and "/nowhere" not in sys.path
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert "Paris" in home and "Lyon" in home  # the data it cleared is the worker's copy
    # b_good, run after it in the same worker, still charts both cities.
    assert "Lyon" in (root / "site/b_good/index.html").read_text(encoding="utf-8")


def test_a_module_can_read_files_relative_to_where_the_build_runs(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    reads = ("import altair as alt\n\n\ndef chart(data):\n    label = open('label.txt').read().strip()\n"
             "    return alt.Chart(alt.Data(values=[{'c': label}])).mark_point().encode(x='c:N')\n")
    root = module_site(tmp_path / "s", {"reads": reads})
    (root / "label.txt").write_text("from-the-project-root")
    run = run_cli(root, "build")
    assert run.code == 0, run.err
    assert "from-the-project-root" in (root / "site/reads/index.html").read_text(encoding="utf-8")


class Preview:
    """A preview session whose builds run on a thread, as `site-builder serve` runs them."""

    def __init__(self, root: Path) -> None:
        self.root, self.builder, self.count = root, PreviewBuilder(root / "mkdocs.yml"), 0
        self.previous: Path | None = None
        self.thread = ThreadPoolExecutor(1)

    def build(self) -> BuildResult:
        self.count += 1
        out = self.root.parent / f"gen{self.count}"
        result = self.thread.submit(self.builder.build, out, self.previous).result(timeout=120)
        if result.ok:
            self.previous = out
        return result

    def write_module(self, text: str) -> None:
        (self.root / "content/charts/m.py").write_text(text, encoding="utf-8")


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[Preview]:
    session = Preview(module_site(tmp_path / "s", {"m": GOOD}))
    try:
        assert session.build().ok
        yield session
    finally:
        session.builder.close()
        session.thread.shutdown()


@pytest.mark.parametrize(("module", "expected"), [
    (LOOPS, r"content/charts/m\.py:[34]:1: chart module ran for over 0\.5 s and was stopped"),
    (EXITS, r"content/charts/m\.py:1:1: chart module ended the process \(exit code 3\)"),
    (CRASHES, r"content/charts/m\.py:5:1: chart module ended the process \(killed by signal 11\)"),
], ids=["loops", "exits", "crashes"])
def test_the_preview_reports_a_broken_module_and_recovers_when_it_is_fixed(
        preview: Preview, module: str, expected: str) -> None:
    preview.write_module(module)
    result = preview.build()
    assert [str(e) for e in result.errors if re.match(expected, str(e))] and len(result.errors) == 1
    preview.write_module(GOOD.replace(".mark_bar()", ".properties(title='Fixed now').mark_bar()"))
    result = preview.build()
    assert result.ok, result.errors
    assert "Fixed now" in (preview.previous / "m/index.html").read_text(encoding="utf-8")  # type: ignore[operator]


# Forks a process that outlives the chart (holding the reply's pipe) and records its pid.
FORKS = ('import os, time\nimport altair as alt\n\n\ndef chart(data):\n    pid = os.fork()\n    if pid == 0:\n'
         '        time.sleep(600)\n        os._exit(0)\n    open("forked.pid", "w").write(str(pid))\n'
         '    return alt.Chart(alt.Data(values=[{"c": "forked"}])).mark_point().encode(x="c:N")\n')


def test_a_module_that_forks_gets_its_chart_and_its_process_is_ended(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = module_site(tmp_path / "s", {"forks": FORKS})
    run = run_cli(root, "build")
    assert run.code == 0, run.err  # not "ran for over 0.5 s": the reply came before the forked process ended
    assert "forked" in (root / "site/forks/index.html").read_text(encoding="utf-8")
    stat = Path(f"/proc/{(root / 'forked.pid').read_text()}/stat")
    assert not stat.exists() or stat.read_text().split(") ")[1].startswith("Z")  # gone (or dead, not yet reaped)


def test_a_module_that_signals_its_process_group_ends_only_itself(tmp_path: Path) -> None:
    root = module_site(tmp_path / "s", {"kills": "import os, signal\n\n\ndef chart(data):\n"
                                                 "    os.kill(0, signal.SIGTERM)\n"})
    # In a session of its own, so that if the signal reached the build's group it would not end pytest's.
    run = subprocess.run([sys.executable, "-c", "import sys; from site_builder.cli import main; sys.exit(main(['build']))"],
                         cwd=root, capture_output=True, text=True, timeout=120, start_new_session=True, check=False)
    assert run.returncode == 1, run.stderr  # not killed by the module's SIGTERM (-15)
    assert "content/charts/kills.py:1:1: chart module ended the process (killed by signal 15) — " in run.stderr
