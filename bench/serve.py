"""Edit-to-reload latency of `site-builder serve` next to stock `mkdocs serve`, measured in the same run.

For each site (the flagship, copied to a temporary folder, and a synthetic 200-page site) and each
server, it appends a line to one page, then times from just before the write to the moment the
server tells the browser to reload: for site-builder the SSE `changed` event naming that page, for
MkDocs the answer of its livereload long-poll. Two warm-up edits are not counted.

    python bench/serve.py [--edits 20]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import site_config

REPO = Path(__file__).resolve().parents[1]
WARMUP = 2
SYNTHETIC_CONFIG = site_config("Synthetic explainer")


def write_synthetic_site(root: Path, pages: int = 200) -> str:
    """A site of `pages` pages in 10 sections, some using data; returns the page to edit."""
    (root / "content/data").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(SYNTHETIC_CONFIG)
    (root / "content/data/numbers.csv").write_text("name,value\n" + "".join(f"r{i},{i * 3}\n" for i in range(20)))
    (root / "content/index.md").write_text("# Home\n\nWelcome.\n")
    for i in range(pages):
        section = root / f"content/section{i % 10}"
        section.mkdir(exist_ok=True)
        uses = f" Value {{{{ data.numbers[{i % 20}].value | number }}}}." if i % 5 == 0 else ""
        parts = "\n\n".join(f"## Part {j}\n\nSome *text* about item {i} and [home](../index.md).{uses}"
                            for j in range(8))
        (section / f"page{i}.md").write_text(f"# Page {i}\n\n{parts}\n")
    return "content/section3/page3.md"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, timeout: float = 60) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    connection.request("GET", path)
    return connection.getresponse().read().decode("utf-8", errors="replace")


def start(command: list[str], cwd: Path, port: int) -> tuple[subprocess.Popen[bytes], str]:
    """Start a server; returns it and the URL path it serves the site under (MkDocs: site_url's)."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_MKDOCS_2_WARNING": "1"}
    with open(cwd / f"{command[2]}.log", "wb") as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/")
            response = connection.getresponse()
            if response.status in {301, 302}:
                return process, response.getheader("Location") or "/"
            if response.status == 200 and b"</html>" in response.read():  # not site-builder's 503 "building"
                return process, "/"
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{command} did not start:\n" + (cwd / f"{command[2]}.log").read_text()[-2000:])


class SiteBuilderProbe:
    """Listens to site-builder's event stream like the browser client does."""

    def __init__(self, port: int, page_url: str, page_file: str) -> None:
        config = json.loads(re.search(r"window\.__siteBuilderLive=(\{.*?\});", get(port, page_url)).group(1))
        self.page_file = page_file
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connection.request("GET", f"/{config['events']}?generation={config['generation']}&server={config['server']}")
        self.stream = self.connection.getresponse()

    def wait(self) -> None:
        event = ""
        while line := self.stream.fp.readline().decode():
            if line.startswith("event: "):
                event = line[7:].strip()
            elif (line.startswith("data: ") and event == "changed"
                  and self.page_file in (json.loads(line[6:])["paths"] or [self.page_file])):
                return


class MkDocsProbe:
    """Long-polls MkDocs' livereload endpoint like its injected script does."""

    def __init__(self, port: int, page_url: str) -> None:
        self.port = port
        self.epoch, self.request_id = re.search(r"livereload\((\d+), (\d+)\)", get(port, page_url)).groups()

    def wait(self) -> None:
        while True:
            answer = get(self.port, f"/livereload/{self.epoch}/{self.request_id}", timeout=120).strip()
            if int(answer) > int(self.epoch):
                self.epoch = answer
                return


def wait_then_set(listener: SiteBuilderProbe | MkDocsProbe, done: threading.Event) -> None:
    listener.wait()
    done.set()


def measure(site: Path, page: str, tool: str, edits: int) -> list[float]:
    port = free_port()
    if tool == "site-builder":
        command = [sys.executable, "-m", "site_builder.cli", "serve", "-a", f"127.0.0.1:{port}"]
    else:
        command = [sys.executable, "-m", "mkdocs", "serve", "-q", "-a", f"127.0.0.1:{port}"]
    process, base = start(command, site, port)
    url = base + page.removeprefix("content/").removesuffix(".md") + "/"
    file_path = page.removeprefix("content/").removesuffix(".md") + "/index.html"
    try:
        times = []
        for n in range(edits + WARMUP):
            listener = SiteBuilderProbe(port, url, file_path) if tool == "site-builder" else MkDocsProbe(port, url)
            done = threading.Event()
            threading.Thread(target=wait_then_set, args=(listener, done), daemon=True).start()
            time.sleep(0.3)  # the listener is connected, the previous burst is over
            start_time = time.perf_counter()
            with open(site / page, "a", encoding="utf-8") as f:
                f.write(f"\nEdit number {n}.\n")
            if not done.wait(120):
                raise RuntimeError(f"{tool}: no reload after edit {n}")
            if n >= WARMUP:
                times.append(time.perf_counter() - start_time)
        return times
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=20)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        flagship = scratch / "flagship"
        for part in ("content", "templates"):  # the site alone: tests/ holds deliberately broken links
            shutil.copytree(REPO / part, flagship / part)
        shutil.copy2(REPO / "mkdocs.yml", flagship)
        synthetic = scratch / "synthetic"
        sites = [("flagship", flagship, "content/methodology.md"), ("200 pages", synthetic, write_synthetic_site(synthetic))]
        print(f"edit-to-reload latency over {args.edits} edits (after {WARMUP} warm-up edits)")
        print(f"{'site':<10} {'server':<13} {'p50 ms':>8} {'p95 ms':>8}")
        for name, root, page in sites:
            results = {tool: measure(root, page, tool, args.edits) for tool in ("site-builder", "mkdocs serve")}
            for tool, times in results.items():
                print(f"{name:<10} {tool:<13} {percentile(times, 50) * 1000:8.0f} {percentile(times, 95) * 1000:8.0f}")
            ratio = percentile(results["mkdocs serve"], 50) / percentile(results["site-builder"], 50)
            print(f"{name:<10} p50 ratio mkdocs serve / site-builder: {ratio:.1f}x")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
