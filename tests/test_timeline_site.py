"""The timeline in a built site: the generated page, slices in articles, errors, escaping, overrides.

Golden files: tests/golden/timeline/*.html; regenerate deliberately with UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import MINIMAL_CONFIG, write_site

from site_builder.host.runner import BuildResult, build_site

FIXTURE = Path(__file__).parent / "fixtures" / "timeline_site"
GOLDEN = Path(__file__).parent / "golden" / "timeline"


def build_fixture(tmp_path: Path, extra: dict[str, str] | None = None, config: str | None = None) -> BuildResult:
    root = tmp_path / "site-src"
    shutil.copytree(FIXTURE, root)
    if config is not None:
        (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    write_site(root, extra or {}, (root / "mkdocs.yml").read_text(encoding="utf-8"))
    return build_site(root / "mkdocs.yml", site_dir=tmp_path / "out")


def article(html: str) -> str:
    """The page's content: what our engine rendered, without the theme around it."""
    start = html.index('<article class="md-content__inner md-typeset">')
    return html[start:html.index("</article>", start)]


def check_golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs; UPDATE_GOLDEN=1 if intended"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("timeline")
    result = build_fixture(tmp)
    assert result.errors == [] and result.ok, [str(e) for e in result.errors]
    assert result.stats == {"pages": 3, "charts": 1, "timeline events": 4}
    return tmp / "out"


def test_page_matches_golden(built: Path) -> None:
    content = article((built / "timeline" / "index.html").read_text(encoding="utf-8"))
    check_golden("page.html", content[content.index('<form class="sb-timeline-filters"'):].strip() + "\n")


def test_slices_match_golden(built: Path) -> None:
    content = article((built / "articles" / "report" / "index.html").read_text(encoding="utf-8"))
    slices = re.findall(r'<div class="sb-timeline-slice">.*?\n</div>\n', content, re.DOTALL)
    assert len(slices) == 2
    check_golden("slices.html", "\n".join(slices))


def test_page_is_in_the_nav_with_its_assets(built: Path) -> None:
    home = (built / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="timeline/" class="md-nav__link">', home)
    assert 'src="assets/site-builder/timeline.js"' in home
    assert (built / "assets" / "site-builder" / "timeline.css").is_file()


def test_page_chart_is_a_chart_with_category_colours(built: Path) -> None:
    content = article((built / "timeline" / "index.html").read_text(encoding="utf-8"))
    figure = chart_figures(content)[0]
    assert 'class="sb-chart' in figure and "<svg" in figure
    assert all(colour in figure.lower() for colour in ("#1f77b4", "#d62728", "#123"))


def chart_figures(content: str) -> list[str]:
    return re.findall(r'<figure class="sb-chart.*?</figure>', content, flags=re.DOTALL)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


@pytest.mark.parametrize("page", ["timeline/index.html", "articles/report/index.html"])
def test_hostile_strings_are_text(built: Path, page: str) -> None:
    content = article((built / page).read_text(encoding="utf-8"))
    for figure in chart_figures(content):  # the chart's own SVG and runtime: its labels must be text
        assert "<script>alert" not in figure and "onerror=" not in figure.replace("onerror=alert(1)&gt;", "")
        content = content.replace(figure, "")
    content = re.sub(r'<script src="[./]*assets/charts/sb-charts\.js" defer></script>', "", content)  # our runtime
    parser = _Elements()
    parser.feed(content)
    tags = {tag for tag, _ in parser.tags}
    assert not tags & {"script", "svg", "b", "iframe"}
    assert [a for _, attrs in parser.tags for a, _ in attrs if a.startswith("on")] == []
    assert all(v is None or not v.lower().startswith("javascript:") for _, attrs in parser.tags for _, v in attrs)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content


def test_site_without_timeline_has_no_timeline_page(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/index.md": "# Home\n"})
    result = build_site(tmp_path / "mkdocs.yml", site_dir=tmp_path / "out")
    assert result.ok and result.stats == {"pages": 1}
    assert not (tmp_path / "out" / "timeline").exists()
    assert "timeline.js" not in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_timeline_fence_without_data_is_an_error(tmp_path: Path) -> None:
    write_site(tmp_path, {"content/index.md": "# Home\n\n```timeline\ncategory: policy\n```\n"})
    result = build_site(tmp_path / "mkdocs.yml", site_dir=tmp_path / "out")
    assert [str(e) for e in result.errors] == [
        ("content/index.md:3:1: there is no timeline to show — create content/data/timeline.yaml with "
        "`categories:` and `events:`")]


def test_intro_from_content_timeline_md(tmp_path: Path) -> None:
    result = build_fixture(tmp_path, {"content/timeline.md": """\
        ---
        title: Ten years of open models
        ---

        # Ten years of open models

        What happened when, and where to read more: {{ data.timeline.events | length }} entries.
        """})
    assert result.ok, [str(e) for e in result.errors]
    html = (tmp_path / "out" / "timeline" / "index.html").read_text(encoding="utf-8")
    content = article(html)
    assert "<title>Ten years of open models" in html
    assert content.index("4 entries") < content.index('<form class="sb-timeline-filters"')
    assert content.count("<h1") == 1


def test_intro_errors_point_into_the_intro_file(tmp_path: Path) -> None:
    result = build_fixture(tmp_path, {"content/timeline.md": "# Timeline\n\nSee [this](nowhere.md).\n"})
    assert [str(e) for e in result.errors] == [
        ("content/timeline.md:3:12: missing page: `nowhere.md` (looked for nowhere.md) — check the path; it is "
        "relative to this page's file")]


def test_explicit_nav_gets_the_timeline(tmp_path: Path) -> None:
    build_fixture(tmp_path, config=MINIMAL_CONFIG + "nav:\n  - Home: index.md\n  - articles/report.md\n")
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="timeline/" class="md-nav__link">\s*<span class="md-ellipsis">\s*Timeline', home)


def test_template_override(tmp_path: Path) -> None:
    config = MINIMAL_CONFIG.replace("  font: false\n", "  font: false\n  custom_dir: templates\n")
    result = build_fixture(tmp_path, {"templates/timeline.md.html": """\
        # Our timeline

        {% for year in years %}
        ## The year {{ year }}

        ```timeline year {{ year }}
        ```
        {% endfor %}
        """}, config=config)
    assert result.ok, [str(e) for e in result.errors]
    content = article((tmp_path / "out" / "timeline" / "index.html").read_text(encoding="utf-8"))
    assert "The year 2023" in content and 'class="sb-event"' in content
    assert "sb-timeline-filters" not in content


def test_mistakes_in_pages_and_bodies_are_all_reported(tmp_path: Path) -> None:
    data = (FIXTURE / "content" / "data" / "timeline.yaml").read_text(encoding="utf-8")
    data = data.replace("link: articles/report.md#releases", "link: articles/report.md#no-such-section")
    data = data.replace("body: China's interim measures take effect.", "body: See [the law](law.md).")
    result = build_fixture(tmp_path, {
        "content/data/timeline.yaml": data,
        "content/articles/other.md": """\
            # Other

            ```timeline
            category: [policy, nope]
            tags: [qwen]
            from: 2025
            to: 2024
            ```

            ```timeline year 2024
            ```
            """})
    assert [str(e) for e in result.errors] == [
        "content/articles/other.md:4:20: unknown category `nope` — use one of: release, policy, hostile",
        ("content/articles/other.md:5:8: unknown tag `qwen` — use one of: <img src=x onerror=alert(1)>, China, "
        "Llama, Qwen, United States"),
        "content/articles/other.md:7:5: `to` (2024) is before `from` (2025) — swap the two dates",
        ("content/articles/other.md:10:1: `timeline year 2024` is only for the generated timeline page — write "
        "```timeline with a YAML body (category, tags, from, to) in articles"),
        ("content/data/timeline.yaml:15:11: link to a missing anchor: `articles/report.md#no-such-section` (no "
        "`#no-such-section` on articles/report.md) — use one of the page's heading ids"),
        ("content/data/timeline.yaml:27:25: missing page: `law.md` (looked for law.md) — check the path; it is "
        "relative to this page's file"),
    ]


def test_yaml_syntax_error_is_reported_once(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    build_fixture(tmp_path, {"content/data/timeline.yaml": "categories:\n  policy: {label: P, color: '#ccc'\n"})
    result = run_cli(tmp_path / "site-src", "build")
    assert result.code == 1
    assert result.err.count("content/data/timeline.yaml:2:11: YAML syntax error") == 1, result.err  # the open `{`


def test_cli_reports_the_event_count(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    build_fixture(tmp_path)
    result = run_cli(tmp_path / "site-src", "build", "-d", str(tmp_path / "cli-out"))
    assert result.code == 0 and "3 pages, 1 chart, 4 timeline events" in result.out + result.err
