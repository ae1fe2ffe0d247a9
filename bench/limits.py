"""Limits: build time and peak memory of big sites, each against a small baseline built in the same run.

Each build runs in a fresh process, so its peak memory (`ru_maxrss`) is that build's own:
  - pages: a 200-page site (baseline) and a 2,000-page site (bench/pages.py's explainer pages);
  - timeline: a 1,000-event timeline (baseline) and a 10,000-event one (bench/timeline.py's events);
  - data: a 50 MB CSV under content/data, which the build refuses before reading (max_data_file_mb),
    and the same rows at the 20 MB default limit, which it reads.

    python bench/limits.py [--pages 2000] [--events 10000] [--csv-mb 50]
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

from common import site_config
from pages import make_pages
from timeline import timeline_yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIG = site_config("Limits bench")

_CHILD = textwrap.dedent("""\
    import resource, sys, time
    from pathlib import Path
    from site_builder.host.runner import build_site
    start = time.perf_counter()
    result = build_site(Path(sys.argv[1]), site_dir=Path(sys.argv[2]), strict=False)
    seconds = time.perf_counter() - start
    first = str(result.errors[0]).split(" — ")[0] if result.errors else "ok"
    print(seconds, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, first, sep="\\t")
""")


def write_site(folder: Path, files: dict[str, str]) -> Path:
    for name, text in {"mkdocs.yml": CONFIG, **files}.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder / "mkdocs.yml"


def measure(config: Path) -> tuple[float, float, str]:
    """(seconds, peak MiB, first error or `ok`) of one build in a fresh process."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(config), str(config.parent / "site")],
                         check=True, capture_output=True, text=True, cwd=ROOT,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}).stdout.strip().split("\t")
    return float(out[0]), int(out[1]) / 1024, out[2]


def pages_site(count: int) -> dict[str, str]:
    return {f"content/{name}": text for name, text in make_pages(count).items()}


def timeline_site(events: int) -> dict[str, str]:
    return {"content/index.md": "# Home\n", "content/report.md": "# Report\n\n## Findings\n",
            "content/data/timeline.yaml": timeline_yaml(events)}


def csv_site(megabytes: float) -> dict[str, str]:
    """Daily download counts per model: ~40 bytes a row."""
    rng, rows, size = random.Random(1), ["date,country,model,downloads"], 0
    while size < megabytes * 1_000_000:
        row = (f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d},"
               f"{rng.choice(['China', 'United States', 'France'])},model-{rng.randrange(5000)},{rng.randrange(10**7)}")
        rows.append(row)
        size += len(row) + 1
    page = "# Home\n\nRows: {{ data.downloads | length }}.\n"
    return {"content/index.md": page, "content/data/downloads.csv": "\n".join(rows) + "\n"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--csv-mb", type=float, default=50)
    args = parser.parse_args()
    runs = [(f"{args.pages // 10:,} pages (base)", pages_site(args.pages // 10)),
            (f"{args.pages:,} pages", pages_site(args.pages)),
            (f"{args.events // 10:,} events (base)", timeline_site(args.events // 10)),
            (f"{args.events:,} events", timeline_site(args.events)),
            ("19.9 MB CSV (base)", csv_site(19.9)),
            (f"{args.csv_mb:g} MB CSV", csv_site(args.csv_mb))]
    print(f"{'site':<24}{'build s':>9}{'× base':>8}{'peak MiB':>10}{'× base':>8}  result")
    with tempfile.TemporaryDirectory() as tmp:
        base: tuple[float, float] = (1.0, 1.0)
        for index, (name, files) in enumerate(runs):
            seconds, mib, outcome = measure(write_site(Path(tmp) / str(index), files))
            if name.endswith("(base)"):
                base = (seconds, mib)
            print(f"{name:<24}{seconds:>9.2f}{seconds / base[0]:>8.1f}{mib:>10.0f}{mib / base[1]:>8.1f}  "
                  f"{outcome[:90]}", flush=True)


if __name__ == "__main__":
    main()
