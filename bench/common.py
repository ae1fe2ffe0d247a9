"""What the benchmarks share: a minimal site config and interleaved best-of timing."""

from __future__ import annotations

import time
from collections.abc import Callable

from site_builder.memory import forget


def site_config(name: str) -> str:
    """A mkdocs.yml for a generated bench site: Material, search and our plugin, under a sub-path."""
    return f"""\
site_name: {name}
site_url: https://example.org/repo/
docs_dir: content
theme:
  name: material
  font: false
plugins:
  - search
  - explainer
"""


def best_times(runs: list[Callable[[], None]], rounds: int, warm_up: bool = False) -> list[float]:
    """The best time of each run over `rounds`, interleaved so that a load change on a shared machine
    hits every contender alike; `warm_up` runs each once first (imports, compiled regexes). Before
    each run, site-builder forgets what it remembers between builds, as a fresh process would."""
    for run in runs if warm_up else []:
        run()
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(rounds):
        for run, spent in zip(runs, times):
            forget()
            start = time.perf_counter()
            run()
            spent.append(time.perf_counter() - start)
    return [min(spent) for spent in times]
