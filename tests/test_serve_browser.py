"""End to end: the real `site-builder serve` (a subprocess, real watcher) and a real browser.

One server and one browser page for the module; each test edits the sources as an author would
and waits for what the author would see.
"""

from __future__ import annotations

import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import write_site

pytestmark = pytest.mark.browser
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LONG = "\n\n".join(f"## Section {i}\n\n" + "Filler text for scrolling. " * 40 for i in range(30))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    root: Path
    port: int
    process: subprocess.Popen[str] | None = None
    lines: queue.Queue[str] | None = None

    def start(self) -> None:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "site_builder.cli", "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=self.root, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.process, self.lines), daemon=True).start()
        self.wait_for("watching")

    @staticmethod
    def _read(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.put(line)

    def wait_for(self, text: str, timeout: float = 15) -> str:
        assert self.lines is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if text in line:
                return line
        raise AssertionError(f"the server did not print {text!r}")

    def drain(self) -> None:
        """Forget what the server printed so far (so `wait_for` sees only what comes next)."""
        assert self.lines is not None
        while not self.lines.empty():
            self.lines.get_nowait()

    def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=15)

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/repo/{path}"  # site_url's path, as in production


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_site(tmp_path_factory.mktemp("serve") / "site", {
        "content/index.md": "# Home\n\nWelcome.\n",
        "content/story.md": f"---\ntitle: The story\n---\n\n# The story\n\nFirst draft.\n\n{LONG}\n",
        "content/other.md": "# Other\n\nShare: {{ data.shares[0].share | percent }}.\n",
        "content/data/shares.csv": "country,share\nChina,17.1\n",
        "content/chart.md": "# Chart\n\n```chart\ntitle: Shares\ndata: {url: data/shares.csv}\nmark: bar\n"
                            "encoding:\n  x: {field: country, type: nominal}\n"
                            "  y: {field: share, type: quantitative}\n```\n",
    })
    running = Server(root, free_port())
    running.start()
    yield running
    if running.process and running.process.poll() is None:
        running.stop()


@pytest.fixture(scope="module")
def page(server: Server) -> Iterator[object]:
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        tab = browser.new_page()
        yield tab
        browser.close()


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


def mark(page: object) -> None:
    """A flag that only survives if the page is not reloaded."""
    page.evaluate("window.__notReloaded = true")  # type: ignore[attr-defined]


def test_edit_reloads_the_page_and_keeps_its_scroll_position(server: Server, page: object) -> None:
    page.goto(server.url("story/"))  # type: ignore[attr-defined]
    page.wait_for_function("() => window.__siteBuilderLive")  # type: ignore[attr-defined]
    page.evaluate("window.scrollTo(0, 1500)")  # type: ignore[attr-defined]
    mark(page)
    edit(server.root / "content/story.md", "First draft.", "Second draft.")
    page.wait_for_selector("text=Second draft.")  # type: ignore[attr-defined]
    assert page.evaluate("window.__notReloaded") is None  # type: ignore[attr-defined]
    page.wait_for_function("() => Math.abs(window.scrollY - 1500) < 50")  # type: ignore[attr-defined]


def test_an_edit_to_another_page_does_not_reload(server: Server, page: object) -> None:
    page.goto(server.url("story/"))  # type: ignore[attr-defined]
    page.wait_for_function("() => window.__siteBuilderLive")  # type: ignore[attr-defined]
    time.sleep(0.3)  # the event stream is open
    mark(page)
    server.drain()
    edit(server.root / "content/index.md", "Welcome.", "Welcome back.")
    server.wait_for("built in")
    time.sleep(0.5)
    assert page.evaluate("window.__notReloaded") is True  # type: ignore[attr-defined]


def test_broken_yaml_shows_the_overlay_and_fixing_it_removes_it(server: Server, page: object) -> None:
    page.goto(server.url("story/"))  # type: ignore[attr-defined]
    story = server.root / "content/story.md"
    edit(story, "title: The story", "title: The: story")
    overlay = page.wait_for_selector("#site-builder-overlay")  # type: ignore[attr-defined]
    text = overlay.inner_text()
    assert "content/story.md:2:" in text and "title: The: story" in text
    edit(story, "title: The: story", "title: The story")
    page.wait_for_selector("#site-builder-overlay", state="detached")  # type: ignore[attr-defined]


def test_a_new_page_appears_in_the_nav(server: Server, page: object) -> None:
    page.goto(server.url("story/"))  # type: ignore[attr-defined]
    page.wait_for_function("() => window.__siteBuilderLive")  # type: ignore[attr-defined]
    (server.root / "content/method.md").write_text("# Our method\n\nHow.\n")
    page.wait_for_selector("nav >> text=Our method", state="attached")  # type: ignore[attr-defined]


def test_a_data_edit_changes_the_page_that_uses_it(server: Server, page: object) -> None:
    page.goto(server.url("other/"))  # type: ignore[attr-defined]
    page.wait_for_selector("text=Share: 17.1%")  # type: ignore[attr-defined]
    # An editor's safe save: write a temp file, rename it over the original.
    temp = server.root / "content/data/.shares.csv.tmp"
    temp.write_text("country,share\nChina,21.5\n")
    os.replace(temp, server.root / "content/data/shares.csv")
    page.wait_for_selector("text=Share: 21.5%")  # type: ignore[attr-defined]


def test_a_csv_edit_changes_the_chart_that_uses_it(server: Server, page: object) -> None:
    page.goto(server.url("chart/"))  # type: ignore[attr-defined]
    page.wait_for_selector("figure.sb-chart")  # type: ignore[attr-defined]
    (server.root / "content/data/shares.csv").write_text("country,share\nChina,33.3\nUS,12.5\n")
    # The chart's data table (and its SVG) are rebuilt from the new rows.
    page.wait_for_function(  # type: ignore[attr-defined]
        "() => (document.querySelector('.sb-chart__data') || {textContent: ''}).textContent.includes('33.3')")
    assert "US" in page.text_content(".sb-chart__data")  # type: ignore[attr-defined]


def test_the_page_reconnects_after_a_restart_and_ctrl_c_leaves_nothing(server: Server, page: object) -> None:
    page.goto(server.url("other/"))  # type: ignore[attr-defined]
    page.wait_for_function("() => window.__siteBuilderLive")  # type: ignore[attr-defined]
    before = set(Path(tempfile.gettempdir()).glob("site-builder-serve-*"))
    assert server.stop() == 0
    after = set(Path(tempfile.gettempdir()).glob("site-builder-serve-*"))
    assert after < before, "the server's temporary folder is removed"
    edit(server.root / "content/other.md", "Share:", "Latest share:")
    server.start()
    page.wait_for_selector("text=Latest share:")  # type: ignore[attr-defined]
