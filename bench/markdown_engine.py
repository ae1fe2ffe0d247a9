"""Markdown engine speed: our engine vs Python-Markdown with the extensions Material recommends.

Renders the same deterministic explainer pages (bench/pages.py) with each and prints pages per
second and two ratios (goal: ours ≥ 3× Python-Markdown):

- the issue's comparison: Python-Markdown with the extensions the issue lists;
- "same output features": those plus `smarty`, `pymdownx.tilde` and `pymdownx.tasklist`, because
  our engine also renders smart quotes and dashes, strikethrough and task lists, which the issue's
  list leaves as plain text; only this one compares engines doing the same work.

Ours renders as in a build (links resolved and recorded); Python-Markdown reuses one instance with
`reset()`, which favours it (MkDocs makes a new instance per page).

    python bench/markdown_engine.py [--pages 240] [--rounds 5]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

import markdown
from common import best_times
from pages import make_pages

from site_builder.markdown.engine import create_md, render_markdown
from site_builder.markdown.links import LinkContext, SiteLinks

EXTENSIONS = ["admonition", "pymdownx.details", "pymdownx.superfences", "footnotes", "attr_list", "def_list",
              "tables", "toc"]
SAME_FEATURES = [*EXTENSIONS, "smarty", "pymdownx.tilde", "pymdownx.tasklist"]


def ours(pages: dict[str, str]) -> Callable[[], None]:
    md = create_md()
    site = SiteLinks({name: name.removesuffix(".md") + "/" for name in pages})

    def run() -> None:
        for name, text in pages.items():
            links = LinkContext(name, f"content/{name}", site, text.splitlines(), 1)
            rendered = render_markdown(md, text, links)
            assert not rendered.errors, rendered.errors
    return run


def python_markdown(pages: dict[str, str], extensions: list[str]) -> Callable[[], None]:
    md = markdown.Markdown(extensions=extensions, extension_configs={"toc": {"permalink": True}})

    def run() -> None:
        for text in pages.values():
            md.reset().convert(text)
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=240)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = make_pages(args.pages)
    size = sum(len(t) for t in pages.values()) / 1024
    print(f"{len(pages)} pages, {size:.0f} KiB of markdown, best of {args.rounds} rounds")
    runs = [ours(pages), python_markdown(pages, EXTENSIONS), python_markdown(pages, SAME_FEATURES)]
    ours_s, theirs_s, same_s = best_times(runs, args.rounds, warm_up=True)
    print(f"site-builder engine (markdown-it-py): {len(pages) / ours_s:8.1f} pages/s  ({ours_s:.3f} s)")
    print(f"Python-Markdown + Material's exts:    {len(pages) / theirs_s:8.1f} pages/s  ({theirs_s:.3f} s)")
    print(f"Python-Markdown, same output features: {len(pages) / same_s:7.1f} pages/s  ({same_s:.3f} s)")
    print("  (Material's exts + smarty, pymdownx.tilde, pymdownx.tasklist: what our engine also renders)")
    print(f"ratio (ours / Python-Markdown, pages/s): {theirs_s / ours_s:.2f}x  (goal >= 3x)")
    print(f"ratio, same output features (ours / Python-Markdown + smarty, tilde, tasklist): {same_s / ours_s:.2f}x")


if __name__ == "__main__":
    main()
