"""Build a site with a 10,000-event timeline; print build time and peak memory against baselines.

Each build runs in its own process (so peak memory is that build's own): the same site without a
timeline, with 1,000 events, and with N events (default 10,000). Usage:
    python bench/timeline.py [N]
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from common import site_config

ROOT = Path(__file__).resolve().parent.parent
CONFIG = site_config("Timeline bench")
CATEGORIES = {"release": "#1f77b4", "policy": "#d62728", "funding": "#2ca02c", "research": "#9467bd",
              "hardware": "#8c564b", "adoption": "#e377c2"}


def timeline_yaml(n: int, seed: int = 1) -> str:
    """`n` events over 30 years, 200 tags, markdown bodies with a link, a source each."""
    rng = random.Random(seed)
    lines = ["categories:"]
    lines += [f'  {key}: {{label: {key.title()}, color: "{color}"}}' for key, color in CATEGORIES.items()]
    lines.append("events:")
    for i in range(n):
        year, month, day = 1996 + rng.randrange(30), rng.randrange(1, 13), rng.randrange(1, 29)
        date = rng.choice([f"{year}", f"{year}-{month:02d}", f"{year}-{month:02d}-{day:02d}"])
        tags = ", ".join(f"tag{rng.randrange(200)}" for _ in range(rng.randrange(1, 4)))
        lines += [
            f"  - date: {date}",
            f"    title: Event number {i} about model family {rng.randrange(500)}",
            f"    category: {rng.choice(list(CATEGORIES))}",
            f"    tags: [{tags}]",
            "    body: |",
            f"      Something **happened** (event {i}); see [the report](report.md#findings).",
            f"    sources: [{{title: Source {i}, url: 'https://example.org/{i}'}}]",
        ]
    return "\n".join(lines) + "\n"


def write_site(folder: Path, events: int | None) -> Path:
    (folder / "content" / "data").mkdir(parents=True)
    (folder / "mkdocs.yml").write_text(CONFIG, encoding="utf-8")
    (folder / "content" / "index.md").write_text("# Home\n", encoding="utf-8")
    slice_md = "```timeline\ncategory: policy\nfrom: 2020\nto: 2021\n```\n" if events else ""
    (folder / "content" / "report.md").write_text(f"# Report\n\n## Findings\n\n{slice_md}", encoding="utf-8")
    if events is not None:
        (folder / "content" / "data" / "timeline.yaml").write_text(timeline_yaml(events), encoding="utf-8")
    return folder / "mkdocs.yml"


_CHILD = textwrap.dedent("""\
    import resource, sys, time
    from pathlib import Path
    from site_builder.host.runner import build_site
    start = time.perf_counter()
    result = build_site(Path(sys.argv[1]), site_dir=Path(sys.argv[2]))
    seconds = time.perf_counter() - start
    assert result.ok, [str(e) for e in result.errors][:5]
    print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, result.stats.get("timeline events", 0))
""")


def measure(config: Path) -> tuple[float, float, int]:
    """(seconds, peak MiB, events) of one build in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(config), str(config.parent / "site")],
                         check=True, capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout.split()
    return float(out[0]), int(out[1]) / 1024, int(out[2])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        runs = [("no timeline", None), ("1,000 events", 1_000), (f"{n:,} events", n)]
        results = []
        for name, events in runs:
            seconds, mib, counted = measure(write_site(Path(tmp) / str(events), events))
            results.append((name, seconds, mib, counted))
    base_s, base_mib = results[0][1], results[0][2]
    print(f"{'site':<16}{'events':>8}{'build s':>10}{'× base':>9}{'peak MiB':>10}{'× base':>9}")
    for name, seconds, mib, counted in results:
        print(f"{name:<16}{counted:>8}{seconds:>10.2f}{seconds / base_s:>9.1f}{mib:>10.0f}{mib / base_mib:>9.1f}")


if __name__ == "__main__":
    main()
