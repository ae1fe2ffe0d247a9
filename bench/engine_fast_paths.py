"""What the engine's fast paths (site_builder/markdown/fast_paths.py) gain: our engine as built vs the
same engine with markdown-it-py's own parsers and replacements rule (tests/engine_reference.py), rendering
as in a build either the bench pages (bench/pages.py, one line per paragraph) or, with `--flagship`, the
flagship's pages (content/*.md, Jinja left as text, lines wrapped as authors write), `--pages` times over.
Prints pages per second of each (best of `--rounds`, interleaved) and the ratio; both render
byte-identical HTML (tests/test_engine_fast_paths.py).

Wall-clock figures move with the load of a shared machine; for a load-independent figure count
instructions with callgrind, one engine at a time, and take the difference of two round counts
(run from the project root, with it on PYTHONPATH, as the other benchmarks):

    python bench/engine_fast_paths.py [--pages 240] [--rounds 5] [--flagship]
    valgrind --tool=callgrind python bench/engine_fast_paths.py --pages 40 --only fast --rounds 1   # then 3
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from common import best_times
from markdown_it import MarkdownIt
from pages import make_pages

from site_builder.markdown.engine import MarkdownOptions, create_md, render_markdown
from site_builder.markdown.links import LinkContext, SiteLinks
from tests.engine_reference import reference_md


def renders(md: MarkdownIt, pages: dict[str, str]) -> Callable[[], None]:
    site = SiteLinks({name: name.removesuffix(".md") + "/" for name in pages})

    def run() -> None:
        for name, text in pages.items():
            render_markdown(md, text, LinkContext(name, f"content/{name}", site, text.splitlines(), 1))
    return run


def flagship_pages(copies: int) -> dict[str, str]:
    """`copies` of each of the flagship's pages, named as pages of one site."""
    content = sorted((Path(__file__).parent.parent / "content").glob("*.md"))
    return {f"copy-{n}/{path.name}": path.read_text(encoding="utf-8") for n in range(copies) for path in content}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["fast", "reference"], help="render with one engine only (for callgrind)")
    parser.add_argument("--flagship", action="store_true", help="render the flagship's pages, --pages times each")
    args = parser.parse_args()
    pages = flagship_pages(args.pages) if args.flagship else make_pages(args.pages)
    engines = {"fast": create_md(), "reference": reference_md(MarkdownOptions())}
    if args.only:
        run = renders(engines[args.only], pages)
        for _ in range(1 + args.rounds):  # the first round warms up, as below
            run()
        return
    fast_s, reference_s = best_times([renders(md, pages) for md in engines.values()], args.rounds, warm_up=True)
    print(f"{len(pages)} pages, best of {args.rounds} rounds")
    print(f"engine as built (fast paths):         {len(pages) / fast_s:7.1f} pages/s  ({fast_s:.3f} s)")
    print(f"engine with markdown-it-py's parsers: {len(pages) / reference_s:7.1f} pages/s  ({reference_s:.3f} s)")
    print(f"ratio (fast paths / reference, pages/s): {reference_s / fast_s:.2f}x")


if __name__ == "__main__":
    main()
