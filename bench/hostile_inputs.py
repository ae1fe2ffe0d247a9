"""Pathological page text: how render time grows with each hostile pattern's size.

Each pattern is a known way to make a markdown parser or our Jinja step super-linear (many
admonitions, nested brackets, unmatched backticks, reference definitions, ...). Each is timed at
half size (the baseline) and at full size in the same run: growth ≈ 2 is linear, ≈ 4 quadratic
(20,000 admonitions took 42 s, growth 4, before the renderer stopped slicing the token list; 1 s now).

    python bench/hostile_inputs.py [--size 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from common import best_times

from site_builder.markdown.engine import create_md
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
    }


def render(md: object, text: str) -> Callable[[], None]:
    def run() -> None:
        protect_code(text)
        md.render(text)  # type: ignore[attr-defined]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20000, help="repetitions of each pattern")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    md = create_md()
    half, full = patterns(args.size // 2), patterns(args.size)
    print(f"{'pattern':24} {'chars':>9} {'half s':>7} {'full s':>7} {'growth':>7}")
    for name, text in full.items():
        base, hostile = best_times([render(md, half[name]), render(md, text)], args.rounds)
        print(f"{name:24} {len(text):9,} {base:7.3f} {hostile:7.3f} {hostile / base:7.1f}")

if __name__ == "__main__":
    main()
