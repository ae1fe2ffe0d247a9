"""The preview server under load while the site rebuilds: every response complete, none an error.

Starts `site-builder serve` on a synthetic site, then 50 concurrent keep-alive clients make
10,000 requests in all (pages and assets) on loopback while another thread edits a page and a data
file every 0.2 s, so generations are swapped in under the clients' feet. Prints the counts of
errors (non-200, refused, reset) and truncated bodies (shorter than Content-Length, or an HTML page
without its end), the rate, and how many rebuilds happened meanwhile.

    python bench/serve_load.py [--requests 10000] [--clients 50]
"""

from __future__ import annotations

import argparse
import http.client
import random
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from serve import free_port, start, write_synthetic_site  # the sibling bench's helpers


def paths_of(root: Path, base: str) -> list[str]:
    pages = [base + p.relative_to(root / "content").with_suffix("").as_posix() + "/"
             for p in sorted((root / "content").rglob("page*.md"))]
    return [base, *pages, base + "search/search_index.json", base + "sitemap.xml", base + "data/numbers.csv"]


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ok = self.errors = self.truncated = 0
        self.examples: list[str] = []

    def add(self, kind: str, detail: str = "") -> None:
        with self.lock:
            setattr(self, kind, getattr(self, kind) + 1)
            if detail and len(self.examples) < 5:
                self.examples.append(detail)


def client(port: int, paths: list[str], count: int, tally: Tally, seed: int) -> None:
    rng = random.Random(seed)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(count):
        path = rng.choice(paths)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            body = response.read()
        except http.client.IncompleteRead as exc:
            tally.add("truncated", f"{path}: {exc}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        except (OSError, http.client.HTTPException) as exc:
            tally.add("errors", f"{path}: {exc!r}")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        if response.status != 200:
            tally.add("errors", f"{path}: HTTP {response.status}")
        elif path.endswith("/") and not body.rstrip().endswith(b"</html>"):
            tally.add("truncated", f"{path}: HTML without its end ({len(body)} bytes)")
        else:
            tally.add("ok")


def editor(root: Path, page: str, stop: threading.Event) -> int:
    edits = 0
    while not stop.wait(0.2):
        with open(root / page, "a", encoding="utf-8") as f:
            f.write(f"\nLoad edit {edits}.\n")
        if edits % 3 == 0:
            data = root / "content/data/numbers.csv"
            data.write_text("name,value\n" + "".join(f"r{i},{i * 3 + edits}\n" for i in range(20)))
        edits += 1
    return edits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-serve-load-"))
    root = scratch / "site"
    page = write_synthetic_site(root)
    port = free_port()
    process, base = start([sys.executable, "-m", "site_builder.cli", "serve", "-a", f"127.0.0.1:{port}"], root, port)
    tally, stop = Tally(), threading.Event()
    try:
        paths = paths_of(root, base)
        edit_thread = threading.Thread(target=editor, args=(root, page, stop))
        edit_thread.start()
        per_client = args.requests // args.clients
        threads = [threading.Thread(target=client, args=(port, paths, per_client, tally, n))
                   for n in range(args.clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
        stop.set()
        edit_thread.join()
        time.sleep(1)
    finally:
        process.terminate()
        process.wait(timeout=30)
    log = (root / "site_builder.cli.log").read_text()
    rebuilds = log.count("built in") - 1
    total = tally.ok + tally.errors + tally.truncated
    print(f"{total} requests from {args.clients} clients in {seconds:.1f}s ({total / seconds:.0f}/s), "
          f"{rebuilds} rebuilds meanwhile")
    print(f"errors: {tally.errors}, truncated: {tally.truncated}")
    for example in tally.examples:
        print("  ", example)
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
