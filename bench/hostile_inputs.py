"""Pathological page text: how render time grows with each hostile pattern's size.

Each pattern is a known way to make a markdown parser or our Jinja step super-linear (many
admonitions, nested brackets, unmatched backticks, reference definitions, ...). Each is timed at
half size (the baseline) and at full size in the same run: growth ≈ 2 is linear, ≈ 4 quadratic
(20,000 admonitions took 42 s, growth 4, before the renderer stopped slicing the token list; 1 s now).
The raw-HTML patterns render as a page does, with its links resolved and checked (every URL
attribute, each `srcset` candidate), since that check is what they stress.

    python bench/hostile_inputs.py [--size 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from common import best_times
from markdown_it import MarkdownIt

from site_builder.markdown.engine import create_md, render_markdown
from site_builder.markdown.links import LinkContext, SiteLinks
from site_builder.templating import protect_code


def patterns(n: int) -> dict[str, str]:
    return {
        "admonitions": "!!! note\n    x\n" * n,
        "collapsibles": '??? note "T"\n    x\n' * n,
        "nested brackets": "[" * n + "a" + "](" * n,
        "nested images": "![" * n + "a" + "]()" * n,
        "open links": "[a](" * n,
        "distinct backtick runs": "".join("`" * i + "a" for i in range(1, int(n ** 0.5) * 4)),
        "reference definitions": "".join(f"[a{i}]: /u{i}\n" for i in range(n)) + "".join(f"[a{i}] " for i in range(n)),
        "emphasis mix": "*_" * n * 2,
        "entities": "&#" * n * 5,
        "definition lists": "Term\n: " * n,
        "citations": "[@" * n * 2,
        "repeated headings": "# Data\n\n" * (n // 4),
    }


def raw_html_patterns(n: int) -> dict[str, str]:
    return {
        "srcset candidates": '<img alt="" srcset="' + "img/chart.png 1x, " * n + '">\n',
        "srcset comma run": '<img alt="" srcset="a' + "," * n * 10 + 'b">\n',
        "URL attributes": '<video poster="img/chart.png" src="clip.mp4"></video>\n' * n,
        "ids in one paragraph": "".join(f"`w`{{#id{i}}}\n" for i in range(n // 4)),
        "unsafe URLs": '<form action="javascript:x"><meta http-equiv=refresh content="0;url=javascript:y">\n' * n,
    }


_SITE = SiteLinks(pages={"index.md": ""}, files={"img/chart.png": "img/chart.png"})


def render(md: MarkdownIt, text: str, as_page: bool) -> Callable[[], None]:
    def run() -> None:
        protect_code(text)
        links = LinkContext("index.md", "content/index.md", _SITE, text.splitlines(), 1) if as_page else None
        render_markdown(md, text, links)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000, help="repetitions of each pattern")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    md = create_md()
    print(f"{'pattern':24} {'chars':>9} {'half s':>7} {'full s':>7} {'growth':>7}")
    for make, as_page in ((patterns, False), (raw_html_patterns, True)):
        half, full = make(args.size // 2), make(args.size)
        for name, text in full.items():
            runs = [render(md, half[name], as_page), render(md, text, as_page)]
            base, hostile = best_times(runs, args.rounds)
            print(f"{name:24} {len(text):9,} {base:7.3f} {hostile:7.3f} {hostile / base:7.1f}")

if __name__ == "__main__":
    main()
