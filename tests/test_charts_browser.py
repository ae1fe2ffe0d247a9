"""Charts in a real browser (Playwright + Debian's chromium), on a built site served from 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from site_builder.host.runner import build_site
from tests.charts_helpers import BAR_CHART, chart_site

pytestmark = pytest.mark.browser
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
CONFIG = """\
site_name: Chart test
site_url: http://127.0.0.1:{port}/repo/
docs_dir: content
theme:
  name: material
  font: false
  features: [navigation.instant]
  palette:
    - scheme: default
      toggle: {icon: material/weather-night, name: Switch to dark mode}
    - scheme: slate
      toggle: {icon: material/weather-sunny, name: Switch to light mode}
plugins: [search, explainer]
"""
HIDDEN_CHART = BAR_CHART.replace("title: Population by city", "title: Hidden at first")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass
class Served:
    url: str
    page: str
    problems: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = chart_site(tmp_path_factory.mktemp("site"), {
        "index.md": "# Home\n\nNo charts here. [See the charts](sub/charts.md)\n",
        "sub/charts.md": "# Charts\n\n" + BAR_CHART + "\n<details><summary>More</summary>\n\n"
                         + HIDDEN_CHART + "\n</details>\n",
    })
    # Served under a GitHub Pages-like sub-path; Material's instant navigation needs site_url's port.
    handler = functools.partial(_Quiet, directory=str(root / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    (root / "mkdocs.yml").write_text(CONFIG.replace("{port}", str(port)), encoding="utf-8")
    result = build_site(root / "mkdocs.yml", site_dir=root / "public" / "repo")
    assert result.ok, [str(e) for e in result.errors]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{port}/repo/"
    yield Served(url, url + "sub/charts/")
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, served: Served) -> Iterator[object]:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    tab = context.new_page()
    tab.on("console", lambda m: served.problems.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: served.problems.append(str(e)))
    tab.on("dialog", lambda d: (served.problems.append("dialog: " + d.message), d.dismiss()))
    tab.on("request", lambda r: None if r.url.startswith(served.url) else served.foreign.append(r.url))
    yield tab
    context.close()


def label_fill(tab) -> str:  # type: ignore[no-untyped-def]
    return str(tab.evaluate("document.querySelector('#sb-chart-0 .sb-chart__live .role-axis-label text')"
                            ".getAttribute('fill')"))


def test_chart_hydrates_with_no_errors_and_only_local_requests(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served.page)
    page.wait_for_selector("#sb-chart-0.is-live .sb-chart__live svg")
    assert not page.is_visible("#sb-chart-0 .sb-chart__static--light svg")
    assert any(u.endswith("vendor/vega.min.js") for u in requests)
    assert served.problems == [] and served.foreign == []


def test_palette_toggle_rethemes_the_live_chart(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    page.goto(served.page)
    page.wait_for_selector("#sb-chart-0.is-live .sb-chart__live svg")
    light = label_fill(page)
    page.click("label[title='Switch to dark mode']")
    page.wait_for_function("document.querySelector('#sb-chart-0 .sb-chart__live .role-axis-label text')"
                           f".getAttribute('fill') !== '{light}'")
    assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
    assert label_fill(page) != light
    assert served.problems == []


def test_data_table_opens_and_shows_hostile_text_as_text(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    page.goto(served.page)
    assert not page.is_visible("#sb-chart-0 table")
    page.click("#sb-chart-0 .sb-chart__data summary")
    assert page.is_visible("#sb-chart-0 table")
    assert "<script>alert(1)</script>" in page.inner_text("#sb-chart-0 table")
    assert served.problems == []


def test_keyboard_focus_shows_tooltips(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    page.goto(served.page)
    page.wait_for_selector("#sb-chart-0.is-live .sb-chart__live svg")
    page.focus("#sb-chart-0 .sb-chart__view")
    page.keyboard.press("ArrowRight")
    tip = page.locator("#sb-chart-0 .sb-chart__tooltip")
    assert tip.is_visible() and "city: Paris" in tip.inner_text()
    page.keyboard.press("Escape")
    assert not tip.is_visible()


def test_width_follows_the_column_and_hidden_charts_wake_when_opened(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 480, "height": 900})
    page.goto(served.page)
    page.wait_for_selector("#sb-chart-0.is-live .sb-chart__live svg")
    sizes = "[document.querySelector('#sb-chart-0 .sb-chart__live svg').getAttribute('width'), " \
            "document.querySelector('#sb-chart-0 .sb-chart__view').clientWidth]"
    svg_width, column = page.evaluate(sizes)
    assert float(svg_width) == column < 480
    ratio = page.evaluate("(s => s.getAttribute('height') / s.getAttribute('width'))"
                          "(document.querySelector('#sb-chart-0 .sb-chart__static svg'))")
    live_height = page.evaluate("document.querySelector('#sb-chart-0 .sb-chart__view').clientHeight")
    assert abs(live_height - column * ratio) <= 1  # same box as the static SVG: no layout shift
    page.click("details:not(.sb-chart__data) > summary")
    page.wait_for_selector("#sb-chart-1.is-live .sb-chart__live svg")
    assert served.problems == []


def test_without_javascript_the_static_svg_shows(browser, served: Served) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(served.page)
    assert tab.is_visible("#sb-chart-0 .sb-chart__static--light svg")
    assert not tab.is_visible("#sb-chart-0 .sb-chart__static--dark svg")
    box = tab.locator("#sb-chart-0 .sb-chart__static--light svg").bounding_box()
    assert box is not None and box["height"] > 100
    context.close()


def test_instant_navigation_from_a_chart_free_page_hydrates(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(served.url)
    assert not any("assets/charts" in u for u in requests)  # chart-free page: no chart runtime
    page.wait_for_load_state("networkidle")  # Material intercepts links once it has read sitemap.xml
    page.evaluate("window.sbMarker = 1")
    page.click(".md-content a[href$='charts/']")
    page.wait_for_selector("#sb-chart-0.is-live .sb-chart__live svg")
    assert page.evaluate("window.sbMarker") == 1  # same document: Material's instant navigation
    assert served.problems == [] and served.foreign == []


def test_hover_tooltip_and_downloads(page, served: Served) -> None:  # type: ignore[no-untyped-def]
    page.goto(served.page)
    page.wait_for_selector("#sb-chart-0.is-live .sb-chart__live svg")
    page.hover("#sb-chart-0 .sb-chart__live .role-mark path >> nth=1")
    tip = page.locator("#sb-chart-0 .sb-chart__tooltip")
    tip.wait_for(state="visible")
    assert "city: Lyon" in tip.inner_text() and '"><img src=x onerror=alert(2)>' in tip.inner_text()
    bodies = {}
    for link in page.locator("#sb-chart-0 .sb-chart__downloads a").all():
        response = page.request.get(link.evaluate("a => a.href"))
        assert response.ok and len(response.body()) > 100
        bodies[link.inner_text()] = response.body()
    assert b'Brest,-0.1,"\'=HYPERLINK(' in bodies["CSV"]  # a spreadsheet shows the formula as text
    assert served.problems == []
