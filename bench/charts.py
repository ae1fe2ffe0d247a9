"""Chart speed and weight: 100 charts over 20 pages (prints figures; no pass/fail).

Cold build (empty cache), warm rebuild with nothing changed (goal: chart stage < 5% of cold),
cold compile with two worker processes vs one (goal: >= 1.6x on 2 cores), and the bytes of
JS and of everything a chart page and a chart-free page load (goal: runtime <= 200 KB gzip,
0 B of it on chart-free pages).  Run: PYTHONPATH=. python bench/charts.py
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from site_builder.charts import build as chart_build
from site_builder.host import plugin as host_plugin
from site_builder.host.runner import build_site
from site_builder.memory import forget

PAGES, PER_PAGE = 20, 5
CONFIG = "site_name: Bench\nsite_url: https://example.org/repo/\ndocs_dir: content\n" \
         "theme: {name: material, font: false}\nplugins: [search, explainer]\n"


def write_site(root: Path) -> None:
    (root / "content/data").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(CONFIG)
    rows = "\n".join(f"{year},{region},{(year * 7 + i) % 97}" for year in range(2000, 2025)
                     for i, region in enumerate(["China", "US", "EU"]))
    (root / "content/data/series.csv").write_text("year,region,value\n" + rows + "\n")
    (root / "content/index.md").write_text("# Home\n\nNo charts on this page.\n")
    marks = ["line", "bar", "point", "area", "tick"]
    for page in range(PAGES):
        charts = [f"```chart\ntitle: Chart {page}-{n}\ndata: {{url: data/series.csv}}\n"
                  f"transform: [{{filter: 'datum.value > {page + n}'}}]\nmark: {marks[n]}\nencoding:\n"
                  f"  x: {{field: year, type: ordinal}}\n  y: {{field: value, type: quantitative}}\n"
                  f"  color: {{field: region, type: nominal}}\n  tooltip: [{{field: region}}, {{field: value}}]\n```\n"
                  for n in range(PER_PAGE)]
        (root / f"content/p{page}.md").write_text(f"# Page {page}\n\n" + "\n".join(charts))


def timed_build(root: Path) -> tuple[float, dict[str, float]]:
    """Seconds for a whole build and for its chart stage (validate + compile)."""
    captured: list[chart_build.ChartBuild] = []
    real = host_plugin.new_chart_build

    def capture(*args, **kwargs):  # type: ignore[no-untyped-def]
        made = real(*args, **kwargs)
        made.progress = lambda message: None
        captured.append(made)
        return made

    forget()  # each build as a fresh `site-builder build` process runs it
    with mock.patch.object(host_plugin, "new_chart_build", capture):
        started = time.perf_counter()
        result = build_site(root / "mkdocs.yml")
        total = time.perf_counter() - started
    if not result.ok:
        sys.exit("\n".join(map(str, result.errors)))
    return total, captured[-1].seconds


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (Linux `/proc/stat`). Machine-wide, because the
    compile workers are children of the fork server, not of this process."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def page_weight(site: Path, page: str) -> tuple[int, int, int]:
    """(JS bytes gzip, chart-runtime bytes gzip, all bytes gzip) the page loads, hydrated or not."""
    html = (site / page).read_text()
    urls = re.findall(r'(?:src|href)="([^"#?]+\.(?:js|css))"', html)
    files = [(site / page).parent / u for u in urls]
    if any(f.name == "sb-charts.js" for f in files):
        files.append(site / "assets/charts/vendor/vega.min.js")  # fetched when a chart nears the viewport
    size = {f: len(gzip.compress(f.read_bytes())) for f in files if f.exists()}
    js = sum(v for f, v in size.items() if f.suffix == ".js")
    runtime = sum(v for f, v in size.items() if "assets/charts" in f.as_posix())
    return js, runtime, sum(size.values()) + len(gzip.compress(html.encode()))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_site(root)
        cache = root / ".site-builder-cache"
        cold, cold_stage = timed_build(root)
        warm, warm_stage = timed_build(root)
        shutil.rmtree(cache)
        with mock.patch.object(chart_build, "default_workers", return_value=1):
            before = busy_cpu_seconds()
            serial, serial_stage = timed_build(root)
            serial_cores = (busy_cpu_seconds() - before) / serial
        # vl-convert's V8 runs helper threads, so even the serial compile keeps more than one core busy:
        # that bounds what more workers can gain.
        shutil.rmtree(cache)
        parallel, parallel_stage = timed_build(root)
        workers = chart_build.default_workers()
        chart_page, free_page = page_weight(root / "site", "p0/index.html"), page_weight(root / "site", "index.html")
    cold_charts, warm_charts = sum(cold_stage.values()), sum(warm_stage.values())
    print(f"{PAGES * PER_PAGE} charts on {PAGES} pages, {workers} worker(s)")
    print(f"cold build            {cold:6.2f} s   chart stage {cold_charts:6.2f} s  {json.dumps(cold_stage)}")
    print(f"warm rebuild          {warm:6.2f} s   chart stage {warm_charts:6.2f} s "
          f"= {100 * warm_charts / cold_charts:.1f}% of cold (goal < 5%)")
    print(f"cold compile serial   {serial_stage['compile']:6.2f} s   parallel {parallel_stage['compile']:6.2f} s "
          f"= {serial_stage['compile'] / parallel_stage['compile']:.2f}x (goal >= 1.6x on 2 cores)")
    print(f"cold build serial     {serial:6.2f} s   parallel {parallel:6.2f} s")
    ceiling = workers / serial_cores
    print(f"serial build kept {serial_cores:.2f} cores busy (machine-wide), so {workers} cores allow at most {ceiling:.2f}x; "
          f"parallel compile reached {100 * serial_stage['compile'] / parallel_stage['compile'] / ceiling:.0f}% of that")
    for name, (js, runtime, total) in (("chart page", chart_page), ("chart-free page", free_page)):
        print(f"{name:16} JS {js / 1024:6.1f} KB gz, chart runtime {runtime / 1024:6.1f} KB gz (goal <= 200; 0 on "
              f"chart-free), all {total / 1024:6.1f} KB gz")


if __name__ == "__main__":
    main()
