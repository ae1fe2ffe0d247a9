"""What running chart modules (`charts/NAME.py`) costs a build (prints figures; no pass/fail).

1. Handing the site's data over: the worker gets it pickled once per build (dumps + loads),
   where in-process modules each got a deep copy; for the flagship's data and with a 10 MB CSV.
2. Whole builds (chart cache warm) of N pages each drawing one chart, written as N chart modules
   (Altair) vs the same N charts as YAML chart files: the ratio and the cost per module; once with
   small data and once with a 10 MB CSV among the data (every module is handed all of it).

    PYTHONPATH=. python bench/chart_modules.py [--modules 8] [--rounds 3]
"""

from __future__ import annotations

import argparse
import copy
import logging
import pickle
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import best_times, site_config

from site_builder.content.data import load_data_files, nest_data
from site_builder.host.runner import build_site

FLAGSHIP = Path(__file__).resolve().parent.parent
MODULE = ("import altair as alt\n\n\ndef chart(data):\n"
          "    return alt.Chart(alt.Data(values=data['small'])).mark_bar().encode(x='k:N', y='v:Q')"
          ".properties(title='Chart {n}')\n")
YAML = "title: Chart {n}\ndata: {{url: data/small.csv}}\nmark: bar\nencoding:\n  x: {{field: k, type: nominal}}\n" \
       "  y: {{field: v, type: quantitative}}\n"


def big_csv(target_bytes: int = 10_000_000) -> str:
    """A CSV of about `target_bytes`: dates, a text column and numbers, like download counts."""
    lines = ["date,model,org,downloads,likes"]
    size, i = 0, 0
    while size < target_bytes:
        line = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d},model-{i % 997},org-{i % 61},{i * 37 % 100000},{i % 503}"
        lines.append(line)
        size += len(line) + 1
        i += 1
    return "\n".join(lines) + "\n"


def write_site(root: Path, modules: int, as_python: bool, big: bool) -> Path:
    files = {"mkdocs.yml": site_config("Modules bench"), "content/index.md": "# Home\n\nCharts.\n",
             "content/data/small.csv": "k,v\n" + "".join(f"k{i},{i * 3 % 17}\n" for i in range(20))}
    if big:
        files["content/data/downloads.csv"] = big_csv()
    for n in range(modules):
        chart = f"charts/c{n}.{'py' if as_python else 'yaml'}"
        files[f"content/{chart}"] = (MODULE if as_python else YAML).format(n=n)
        files[f"content/p{n}.md"] = f"# Page {n}\n\n```chart {chart}\n```\n"
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root / "mkdocs.yml"


def best(run: Callable[[], Any], rounds: int) -> float:
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        spent.append(time.perf_counter() - start)
    return min(spent)


def handover(tmp: Path, rounds: int) -> None:
    print("data handover (best of rounds):")
    for name, data_dir in [("flagship", FLAGSHIP / "content/data"), ("10 MB CSV", tmp / "big/content/data")]:
        files, _ = load_data_files(data_dir, data_dir.parent.parent)
        data, _ = nest_data(files)
        pickled = pickle.dumps(data, pickle.HIGHEST_PROTOCOL)
        once = best(lambda: pickle.loads(pickle.dumps(data, pickle.HIGHEST_PROTOCOL)), rounds)  # noqa: B023
        deep = best(lambda: copy.deepcopy(data), rounds)  # noqa: B023
        print(f"  {name:10} {len(pickled) / 1e6:7.2f} MB pickled; pickle+unpickle once {once * 1000:8.1f} ms; "
              f"deepcopy (old, per module) {deep * 1000:8.1f} ms; ratio {once / deep:.2f}")


def builds(tmp: Path, modules: int, rounds: int) -> None:
    print(f"warm builds of {modules} pages with one chart each (best of {rounds}):")
    for big in (False, True):
        configs = [write_site(tmp / f"{'big' if big else 'small'}-{kind}", modules, kind == "py", big)
                   for kind in ("yaml", "py")]
        runs = [lambda c=c: _build_ok(c) for c in configs]
        yaml_s, py_s = best_times(runs, rounds, warm_up=True)
        label = "with a 10 MB CSV" if big else "small data"
        print(f"  {label:16} yaml {yaml_s:6.2f} s  modules {py_s:6.2f} s  ratio {py_s / yaml_s:.2f}  "
              f"per module {(py_s - yaml_s) / modules * 1000:6.0f} ms")


def _build_ok(config: Path) -> None:
    result = build_site(config, site_dir=config.parent / "site")
    assert result.ok, result.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        (tmp / "big/content/data").mkdir(parents=True)
        (tmp / "big/content/data/downloads.csv").write_text(big_csv(), encoding="utf-8")
        handover(tmp, args.rounds)
        builds(tmp, args.modules, args.rounds)
    print("(timings: shared machine; rerun on a quiet one)")


if __name__ == "__main__":
    main()
