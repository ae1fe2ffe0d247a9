"""`site-builder build` in a process of its own, for tests/test_render_pool.py.

A fresh process, because a build forks its page workers only when it has no other thread, and the
test process may run servers of other tests. Writes the pages whose worker render the build used
to TAKEN (one per line) and exits with the build's code.

    python -m tests.render_pool_build TAKEN [--kill PAGE] [--change PAGE]

`--kill PAGE`: the worker rendering PAGE dies (as if killed or out of memory). `--change PAGE`: a
plugin's `on_page_markdown` changes PAGE's markdown.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from site_builder import render_pool
from site_builder.cli import main
from site_builder.host.plugin import ExplainerPlugin
from site_builder.pages import RenderedPage


def spy_on_take(taken: list[str]) -> None:
    real = render_pool.Prerenders.take

    def take(self: render_pool.Prerenders, source: Any, page: str, site: Any) -> RenderedPage | None:
        found = real(self, source, page, site)
        if found is not None:
            taken.append(page)
        return found

    render_pool.Prerenders.take = take  # type: ignore[method-assign]


def kill_worker_at(killed: str) -> None:
    real = render_pool._render_one

    def render_or_die(task: render_pool.PageTask, site: Any) -> bytes | None:
        if task.page == killed:
            os._exit(1)
        return real(task, site)

    render_pool._render_one = render_or_die


def change_markdown_of(changed: str) -> None:
    def on_page_markdown(self: ExplainerPlugin, markdown: str, *, page: Any, **kwargs: Any) -> str:
        return markdown + "\nChanged.\n" if page.file.src_uri == changed else markdown

    ExplainerPlugin.on_page_markdown = on_page_markdown  # type: ignore[attr-defined]


def run() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("taken", type=Path)
    parser.add_argument("--kill")
    parser.add_argument("--change")
    args = parser.parse_args()
    taken: list[str] = []
    spy_on_take(taken)
    if args.kill:
        kill_worker_at(args.kill)
    if args.change:
        change_markdown_of(args.change)
    code = main(["build"])
    args.taken.write_text("".join(f"{page}\n" for page in taken), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(run())
