"""Lighthouse over every page type of the flagship: scores, web vitals and bytes, against a baseline.

Builds the flagship into a temp folder, serves it on 127.0.0.1 under /site-builder/ (as on GitHub
Pages), and runs Lighthouse (npm, installed on first use into ~/.cache/site-builder-bench/ — bench
only, never in CI) with Debian's chromium and the default mobile profile (simulated slow 4G, mid-range
phone). The baseline is a one-page plain Material site built in the same run, so byte ratios show
what site-builder adds. Goals from issue 8 are checked and marked. Usage:
    python bench/lighthouse.py [PAGE_TYPE ...]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.host.runner import build_site
from tests.browser.reader import PAGE_TYPES
from tests.sitecrawl import serve_under

CACHE = Path.home() / ".cache" / "site-builder-bench"
LIGHTHOUSE = CACHE / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-sync --no-first-run"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]
CHART_RUNTIME = ("sb-charts", "vega")  # file names of the chart runtime and its vendored Vega
GOALS = {"performance": 95, "accessibility": 95, "best-practices": 95}
BASELINE_CONFIG = "site_name: Baseline\nsite_url: https://example.org/site-builder/\ntheme:\n  name: material\n" \
                  "  font: false\nplugins:\n  - search\n"
BASELINE_PAGE = "# Baseline\n\nA plain Material page with one paragraph of text.\n"


def ensure_lighthouse() -> Path:
    if not LIGHTHOUSE.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"installing lighthouse into {CACHE} …", file=sys.stderr)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "lighthouse@12"],
                       check=True, stdout=subprocess.DEVNULL)
    return LIGHTHOUSE


def run_lighthouse(url: str) -> dict[str, Any]:
    """Lighthouse's JSON report for `url` (mobile profile, the four categories)."""
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    with tempfile.TemporaryDirectory(prefix="sb-lh-") as tmp:
        report = Path(tmp) / "report.json"
        done = subprocess.run(
            [str(ensure_lighthouse()), url, "--output=json", f"--output-path={report}", "--quiet",
             f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"],
            check=False, env=env, capture_output=True, text=True, timeout=300)  # a report may still exist
        if not report.is_file():
            raise RuntimeError(f"lighthouse failed on {url} (exit {done.returncode}): {done.stderr.strip()[-500:]}")
        return dict(json.loads(report.read_text(encoding="utf-8")))


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """Scores (0–100), LCP/TBT (ms), CLS, and transferred bytes (JS, total, chart runtime)."""
    if report.get("runtimeError"):
        return {"error": report["runtimeError"]["code"]}
    audits = report["audits"]
    row: dict[str, Any] = {c: round(100 * (report["categories"][c]["score"] or 0)) for c in CATEGORIES}
    row["lcp"] = audits["largest-contentful-paint"]["numericValue"]
    row["cls"] = audits["cumulative-layout-shift"]["numericValue"]
    row["tbt"] = audits["total-blocking-time"]["numericValue"]
    requests = audits["network-requests"]["details"]["items"]
    row["js"] = sum(r["transferSize"] for r in requests if r.get("resourceType") == "Script")
    row["total"] = sum(r["transferSize"] for r in requests)
    row["chart_js"] = sum(r["transferSize"] for r in requests if any(k in r["url"] for k in CHART_RUNTIME))
    row["charts"] = "sb-charts" in json.dumps(audits["network-requests"]["details"]["items"])
    return row


def build_flagship(out: Path) -> None:
    result = build_site(ROOT / "mkdocs.yml", site_dir=out)
    if not result.ok:
        sys.exit("flagship build failed:\n" + "\n".join(str(e) for e in result.errors))


def build_baseline(work: Path, out: Path) -> None:
    (work / "docs").mkdir(parents=True)
    (work / "docs" / "index.md").write_text(BASELINE_PAGE, encoding="utf-8")
    (work / "mkdocs.yml").write_text(BASELINE_CONFIG, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-f", str(work / "mkdocs.yml"),
                    "-d", str(out)], check=True)


def print_table(rows: dict[str, dict[str, Any]], baseline: dict[str, Any]) -> None:
    head = f"{'page':<12} {'perf':>4} {'a11y':>4} {'bp':>4} {'seo':>4} {'LCP ms':>7} {'CLS':>6} {'TBT ms':>6} " \
           f"{'JS kB':>7} {'×base':>5} {'total kB':>8} {'×base':>5} {'chart kB':>8}"
    print(head)
    print("-" * len(head))
    for name, r in rows.items():
        if "error" in r:
            print(f"{name:<12} lighthouse: {r['error']}")
            continue
        print(f"{name:<12} {r['performance']:>4} {r['accessibility']:>4} {r['best-practices']:>4} {r['seo']:>4} "
              f"{r['lcp']:>7.0f} {r['cls']:>6.3f} {r['tbt']:>6.0f} {r['js'] / 1000:>7.1f} "
              f"{r['js'] / baseline['js']:>5.2f} {r['total'] / 1000:>8.1f} {r['total'] / baseline['total']:>5.2f} "
              f"{r['chart_js'] / 1000:>8.1f}")


def check_goals(rows: dict[str, dict[str, Any]]) -> list[str]:
    """Issue 8's budget: scores ≥ 95 everywhere, CLS ≤ 0.01 on the article, no chart runtime on
    pages without charts. Returns the misses."""
    misses = [f"{name}: {cat} {r[cat]} < {goal}" for name, r in rows.items() if "error" not in r
              for cat, goal in GOALS.items() if r[cat] < goal]
    article = rows.get("article", {})
    if "cls" in article and article["cls"] > 0.01:
        misses.append(f"article: CLS {article['cls']:.3f} > 0.01")
    misses += [f"{name}: loads {r['chart_js']} bytes of chart runtime without charts"
               for name, r in rows.items() if "error" not in r and not r["charts"] and r["chart_js"]]
    return misses


def main(names: list[str]) -> None:
    if shutil.which("npm") is None:
        sys.exit("npm is needed to install lighthouse")
    wanted = {n: PAGE_TYPES[n] for n in names} if names else dict(PAGE_TYPES)
    with tempfile.TemporaryDirectory(prefix="sb-lighthouse-") as tmp:
        build_flagship(Path(tmp) / "site")
        build_baseline(Path(tmp) / "baseline-src", Path(tmp) / "baseline")
        with serve_under(Path(tmp) / "baseline", "/site-builder/", compress=True) as url:
            baseline = figures(run_lighthouse(url))
        rows: dict[str, dict[str, Any]] = {"baseline": baseline}
        with serve_under(Path(tmp) / "site", "/site-builder/", compress=True) as url:
            for name, path in wanted.items():
                print(f"lighthouse {name} …", file=sys.stderr)
                rows[name] = figures(run_lighthouse(url + path))
    print_table(rows, baseline)
    misses = check_goals({k: v for k, v in rows.items() if k != "baseline"})
    print("\ngoals met" if not misses else "\ngoals missed:\n  " + "\n  ".join(misses))


if __name__ == "__main__":
    main(sys.argv[1:])
