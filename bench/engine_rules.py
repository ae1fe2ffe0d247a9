"""Where our engine's time goes: CPU time of each markdown-it core rule over the bench pages.

markdown-it-py's own rules (`block`, `inline`, typography) and ours (links, headings, ids, figures,
raw HTML, citations) side by side, so a slow plugin rule shows before it shows in a build; the
rest of the total is rendering. CPU time (not wall time), best round of `--rounds`, because the
machine may be shared.

    python bench/engine_rules.py [--pages 240] [--rounds 10]
"""

from __future__ import annotations

import argparse
import collections
import time
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from pages import make_pages

from site_builder.markdown.engine import create_md, render_markdown
from site_builder.markdown.links import LinkContext, SiteLinks


def timed_parser(spent: collections.defaultdict[str, float]) -> MarkdownIt:
    """Our parser, each core rule wrapped to add its CPU time to `spent`."""
    md = create_md()
    for rule in md.core.ruler.__rules__:
        rule.fn = _timed(rule.name, rule.fn, spent)
    md.core.ruler.__cache__ = None  # the chains were compiled with the unwrapped functions
    return md


def _timed(name: str, fn: Callable[[StateCore], None], spent: collections.defaultdict[str, float]) -> Callable[[StateCore], None]:
    def run(state: StateCore) -> None:
        start = time.process_time()
        fn(state)
        spent[name] += time.process_time() - start
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    pages = make_pages(args.pages)
    site = SiteLinks({name: name.removesuffix(".md") + "/" for name in pages})
    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    md = timed_parser(spent)
    best: tuple[float, dict[str, float]] | None = None
    for _ in range(args.rounds):
        spent.clear()
        start = time.process_time()
        for name, text in pages.items():
            render_markdown(md, text, LinkContext(name, f"content/{name}", site, text.splitlines(), 1))
        total = time.process_time() - start
        if best is None or total < best[0]:
            best = (total, dict(spent))
    assert best is not None
    total, rules = best
    print(f"{len(pages)} pages, best of {args.rounds} rounds: {total:.3f} s CPU")
    for name, seconds in sorted(rules.items(), key=lambda item: -item[1]):
        print(f"  {name:18s} {seconds * 1000:7.1f} ms  {seconds / total:6.1%}")
    print(f"  {'(rendering)':18s} {(total - sum(rules.values())) * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
