"""Escaping audit: a site with a hostile string in every field an author or a data file controls.

tests/fixtures/hostile_site puts `<script>`, `"><img src=x onerror=…>`, `</script>`, `javascript:`
URLs and `{{ }}`/`{% %}` into front matter (title, description, authors, tags, key figures),
mkdocs.yml (site_name, site_description, site_author, nav labels and a nav link), CSV and JSON cells
used through the Jinja step, sources.yaml, timeline.yaml and a chart (title, description, source,
caption, axis title, tooltips showing CSV cells). Every built page is parsed and must
hold no injected element, event handler or script URL; in chromium no dialog may open.
"""

from __future__ import annotations

import functools
import shutil
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html import unescape
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from site_builder.host.runner import build_site
from tests.htmlaudit import audit_html

FIXTURE = Path(__file__).parent / "fixtures" / "hostile_site"
PAGES = ["index.html", "articles/report/index.html", "sources/index.html", "timeline/index.html", "404.html"]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile site built under a `/repo/` sub-path; returns the folder holding `repo/`."""
    tmp = tmp_path_factory.mktemp("hostile")
    shutil.copytree(FIXTURE, tmp / "src")
    result = build_site(tmp / "src" / "mkdocs.yml", site_dir=tmp / "www" / "repo")
    assert result.ok, [str(e) for e in [*result.errors, *result.warnings]]
    return tmp / "www"


def _text(site: Path, page: str) -> str:
    return (site / "repo" / page).read_text(encoding="utf-8")


@pytest.mark.parametrize("page", PAGES)
def test_no_hostile_string_becomes_markup(site: Path, page: str) -> None:
    assert audit_html(_text(site, page)) == []


def test_every_page_is_audited(site: Path) -> None:
    assert sorted(p.relative_to(site / "repo").as_posix() for p in (site / "repo").rglob("*.html")) == sorted(PAGES)


def test_hostile_strings_are_shown_as_text(site: Path) -> None:
    """The reader sees what the author wrote: template syntax in data is not run, markup is literal."""
    home = unescape(_text(site, "index.html"))
    for literal in ("<script>alert('csv')</script>", "{{ 7 * 7 }}", "{% for x in range(3) %}LOOP{% endfor %}",
                    "{{ config }} {% if true %}IF{% endif %}", "Home <script>alert('title')</script>",
                    "Site <script>alert('site_name')</script>", "Home <script>alert('nav')</script>"):
        assert literal in home
    assert "LOOPLOOP" not in home


def test_script_links_in_pages_and_data_are_not_links(site: Path) -> None:
    html = _text(site, "index.html") + _text(site, "timeline/index.html") + _text(site, "sources/index.html")
    assert "href=\"javascript:" not in html.lower() and "href=\"vbscript:" not in html.lower()
    assert "[page link](javascript:alert(" in unescape(_text(site, "index.html"))


def test_raw_html_in_data_markdown_is_text(site: Path) -> None:
    """Timeline bodies and source notes are markdown with raw HTML off: the tags show as text."""
    timeline, sources = unescape(_text(site, "timeline/index.html")), unescape(_text(site, "sources/index.html"))
    assert "<b onclick=alert(" in timeline and ">raw</b>" in timeline  # quotes become typographic
    assert "<b onclick=alert(" in sources and ">bold</b>" in sources


@pytest.mark.parametrize("name", ["feed.xml", "sitemap.xml"])
def test_xml_outputs_stay_well_formed(site: Path, name: str) -> None:
    ET.parse(site / "repo" / name)


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/repo/"
    server.shutdown()
    server.server_close()


_POKE_EVERY_ELEMENT = """() => { for (const el of document.querySelectorAll("body *"))
    for (const type of ["mouseover", "mouseenter", "focus", "load", "error"]) el.dispatchEvent(new Event(type)); }"""
"""Inline handlers an injection could add (onmouseover=, onerror=, …) run on these synthetic events too."""


def _sweep_charts(page) -> None:  # type: ignore[no-untyped-def]
    """Move the mouse across each chart, so its tooltips (which show data cells) are drawn."""
    for view in page.locator(".sb-chart__view").all():
        view.scroll_into_view_if_needed()
        page.wait_for_timeout(300)  # the live chart loads when it nears the viewport
        box = view.bounding_box()
        for step in range(1, 20) if box else ():
            page.mouse.move(box["x"] + box["width"] * step / 20, box["y"] + box["height"] * 0.8)


@pytest.mark.browser
def test_no_dialog_fires_in_the_browser(base_url: str) -> None:
    """Every page opened, every element sent mouse and focus events, the search run for the hostile
    strings: no alert() ever runs."""
    sync_api = pytest.importorskip("playwright.sync_api")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        for path in PAGES:
            page.goto(base_url + path.removesuffix("index.html"))
            page.wait_for_load_state("load")
            page.evaluate(_POKE_EVERY_ELEMENT)
            _sweep_charts(page)
        page.goto(base_url)
        page.keyboard.press("/")  # Material's search shortcut; results render titles and text as HTML
        page.keyboard.type("alert onerror script", delay=5)
        page.wait_for_timeout(800)
        browser.close()
    assert dialogs == []
