"""Whole-build speed: `site-builder build` vs a stock mkdocs-material build of the same pages.

Writes the deterministic explainer pages (bench/pages.py) into two temporary sites: one with our
`explainer` plugin, one stock (Python-Markdown with the extensions Material recommends, our plugin
removed), both with the flagship's theme features. Builds each in-process, interleaved, and prints
the best time of each and the ratio (goal: ours / stock ≤ 0.8). A third site adds to stock the
extensions for what our engine renders and Material's list does not (smart quotes and dashes,
strikethrough, task lists), for a comparison of equal output; site-builder forgets what it
remembers between builds before each run (bench/common.py), as a fresh process would. Our build
renders pages in worker processes (site_builder/render_pool.py); `SITE_BUILDER_WORKERS=1` measures
it serial. One more build of ours prints its CPU seconds in its own process and in its page workers,
figures that other load on a shared machine hardly changes.

    python bench/build.py [--pages 240] [--rounds 3]
"""

from __future__ import annotations

import argparse
import logging
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from common import best_times
from markdown_engine import EXTENSIONS, SAME_FEATURES
from mkdocs.commands.build import build
from mkdocs.config import load_config
from pages import make_pages

from site_builder.host.runner import build_site
from site_builder.memory import forget
from site_builder.render_pool import WORKERS_ENV, worker_count

COMMON = """\
site_name: Benchmark
site_url: https://example.org/bench/
docs_dir: content
theme:
  name: material
  font: false
  features: [navigation.instant, navigation.sections, navigation.top, search.suggest, toc.follow]
"""
OURS = COMMON + "plugins:\n  - search\n  - explainer\n"


def stock_config(extensions: list[str]) -> str:
    return COMMON + "plugins:\n  - search\nmarkdown_extensions:\n" \
        + "".join(f"  - {e}\n" for e in extensions if e != "toc") + "  - toc:\n      permalink: true\n"


STOCK = stock_config(EXTENSIONS)
STOCK_SAME_FEATURES = stock_config(SAME_FEATURES)


def write_site(root: Path, config: str, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        path = root / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root / "mkdocs.yml"


def ours(config_file: Path) -> Callable[[], None]:
    def run() -> None:
        result = build_site(config_file)
        assert result.ok, [str(e) for e in result.errors + result.warnings][:5]
    return run


def cpu_split(run: Callable[[], None]) -> tuple[float, float]:
    """CPU seconds of one run in this process and in the page workers it forked and reaped: unlike
    wall time, a measure that other load on the machine hardly changes."""
    forget()
    children, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.process_time()
    run()
    parent, after = time.process_time() - started, resource.getrusage(resource.RUSAGE_CHILDREN)
    return parent, (after.ru_utime + after.ru_stime) - (children.ru_utime + children.ru_stime)


def stock(config_file: Path) -> Callable[[], None]:
    def run() -> None:
        build(load_config(str(config_file)))
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    pages = make_pages(args.pages)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        ours_config = write_site(Path(tmp) / "ours", OURS, pages)
        stock_config = write_site(Path(tmp) / "stock", STOCK, pages)
        same_config = write_site(Path(tmp) / "same", STOCK_SAME_FEATURES, pages)
        ours_s, stock_s, same_s = best_times([ours(ours_config), stock(stock_config), stock(same_config)],
                                             args.rounds)
        parent_cpu, workers_cpu = cpu_split(ours(ours_config))
    workers = worker_count(len(pages))
    print(f"{len(pages)} pages, best of {args.rounds} builds each; ours renders pages in "
          f"{workers} process(es) ({WORKERS_ENV}=1: serial)")
    print(f"site-builder build (our engine):         {ours_s:6.2f} s  ({len(pages) / ours_s:.0f} pages/s)")
    print(f"stock mkdocs-material (Python-Markdown): {stock_s:6.2f} s  ({len(pages) / stock_s:.0f} pages/s)")
    print(f"stock, same output features:             {same_s:6.2f} s  ({len(pages) / same_s:.0f} pages/s)")
    print("  (+ smarty, pymdownx.tilde, pymdownx.tasklist: what our engine also renders)")
    print(f"ratio (ours / stock, time): {ours_s / stock_s:.2f}  (goal <= 0.8)")
    print(f"ratio, same output features (ours / stock + smarty, tilde, tasklist): {ours_s / same_s:.2f}")
    print(f"ours, CPU: {parent_cpu:.2f} s in the build's process + {workers_cpu:.2f} s in page workers; on an idle "
          f"machine about {parent_cpu + workers_cpu / workers:.2f} s")


if __name__ == "__main__":
    main()
