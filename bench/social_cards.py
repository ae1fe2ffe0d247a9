"""What social cards cost a build: a generated site of N articles built with cards drawn afresh,
and again with the card cache warm, against the same build with card drawing stubbed out (the
baseline), in one run. Baseline and cached builds are the best of three (the machine is shared).

    .venv/bin/python bench/social_cards.py [N]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from site_builder.host.runner import build_site

CONFIG = """\
site_name: Bench
site_url: https://example.github.io/bench/
docs_dir: content
theme: {name: material, font: false}
plugins: [search, explainer]
"""


def make_site(root: Path, articles: int) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (root / "content" / "index.md").write_text("# Home\n\nArticles.\n", encoding="utf-8")
    for n in range(articles):
        (root / "content" / f"a{n}.md").write_text(
            f"---\ntitle: Article number {n} about open models and their downloads\ndate: 2025-01-{n % 28 + 1:02d}\n"
            f"description: Summary {n}.\n---\n\nBody {n}.\n", encoding="utf-8")
    return root / "mkdocs.yml"


def timed(config: Path, out: Path) -> float:
    start = time.perf_counter()
    result = build_site(config, site_dir=out)
    assert result.ok, result.errors
    return time.perf_counter() - start


def main() -> None:
    articles = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["XDG_CACHE_HOME"] = str(Path(scratch) / "cache")  # start with no card cached
        config = make_site(Path(scratch) / "site", articles)
        with mock.patch("site_builder.publish.outputs.render_card", return_value=b""):
            timed(config, Path(scratch) / "warm")  # imports and theme
            baseline = min(timed(config, Path(scratch) / f"base{n}") for n in range(3))
        cold = timed(config, Path(scratch) / "cold")  # once: it fills the cache; includes vl-convert's start
        warm = min(timed(config, Path(scratch) / f"cached{n}") for n in range(3))
    cards = articles + 1
    print(f"{articles} articles, {cards} cards: baseline (no cards) {baseline:.2f}s; cards drawn {cold:.2f}s "
          f"(x{cold / baseline:.2f}, {(cold - baseline) / cards * 1000:.1f} ms per card); "
          f"cards from cache {warm:.2f}s (x{warm / baseline:.2f})")


if __name__ == "__main__":
    main()
