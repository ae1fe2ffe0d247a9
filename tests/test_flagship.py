"""The repository's own site: it builds strictly with no warning, and everything in it is sourced."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
import yaml

from site_builder.host.runner import BuildResult, build_site

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
CHART_FENCE = re.compile(r"^```chart[^\n]*\n(.*?)^```", re.DOTALL | re.MULTILINE)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build_site(ROOT / "mkdocs.yml", site_dir=tmp_path_factory.mktemp("flagship") / "site",
                      strict_sources=True)


@pytest.fixture(scope="module")
def source_keys() -> set[str]:
    return set(yaml.safe_load((CONTENT / "data/sources.yaml").read_text(encoding="utf-8")))


def test_flagship_builds_strictly_with_no_error_or_warning(built: BuildResult) -> None:
    assert [str(e) for e in built.errors + built.warnings] == []
    assert built.ok and built.site_dir is not None
    for page in ("index.html", "explainer/index.html", "whos-who/index.html", "methodology/index.html",
                 "timeline/index.html", "sources/index.html"):
        assert (built.site_dir / page).is_file(), page


def test_every_timeline_event_has_a_known_source(source_keys: set[str]) -> None:
    timeline = yaml.safe_load((CONTENT / "data/timeline.yaml").read_text(encoding="utf-8"))
    events = timeline["events"]
    assert len(events) >= 30
    years = {int(str(e["date"])[:4]) for e in events}
    assert min(years) == 2017 and max(years) == 2025
    for event in events:
        assert event.get("sources"), event["title"]
        assert all(key in source_keys for key in event["sources"] if isinstance(key, str)), event["title"]


def test_every_chart_has_a_title_description_and_source() -> None:
    charts = [(page.name, yaml.safe_load(body)) for page in CONTENT.glob("*.md")
              for body in CHART_FENCE.findall(page.read_text(encoding="utf-8"))]
    assert len(charts) >= 5
    for page, spec in charts:
        assert spec.get("title") and spec.get("description"), page
        assert spec.get("source", {}).get("text"), f"{page}: {spec['title']}"
        assert (CONTENT / spec["data"]["url"]).is_file(), spec["data"]["url"]


@pytest.mark.parametrize("name", ["releases", "derivatives", "leaderboard", "headline_shares"])
def test_every_data_row_names_known_sources(name: str, source_keys: set[str]) -> None:
    rows = list(csv.DictReader((CONTENT / f"data/{name}.csv").open(encoding="utf-8")))
    assert rows
    for row in rows:
        keys = [k.strip() for k in row["source"].split(";")]
        assert keys and set(keys) <= source_keys, row


def test_the_release_list_has_thirty_rows_with_every_column_filled() -> None:
    rows = list(csv.DictReader((CONTENT / "data/releases.csv").open(encoding="utf-8")))
    assert len(rows) >= 30
    for row in rows:
        assert all(row[c] for c in ("date", "model", "organisation", "country", "licence", "source")), row


def test_the_explainer_is_between_1500_and_2500_words_of_prose(built: BuildResult) -> None:
    assert built.site_dir is not None
    html = (built.site_dir / "explainer/index.html").read_text(encoding="utf-8")
    body = html.split('<div class="sb-article__body">')[1].split('<section class="sb-references">')[0]
    body = re.sub(r"<pre.*?</pre>|<div class=\"sb-chart.*?</figure>", " ", body, flags=re.DOTALL)
    words = re.sub(r"<[^>]+>|\[\d+\]", " ", body).split()
    assert 1500 <= len(words) <= 2500


def test_the_headline_numbers_come_from_data_not_typed_in_prose() -> None:
    for page in CONTENT.glob("*.md"):
        prose = CHART_FENCE.sub("", page.read_text(encoding="utf-8"))
        assert not re.search(r"\b1[57]\.[18]6?%", prose), page.name


def test_timeline_links_point_at_existing_pages_and_headings(built: BuildResult) -> None:
    assert built.site_dir is not None
    timeline = yaml.safe_load((CONTENT / "data/timeline.yaml").read_text(encoding="utf-8"))
    for event in timeline["events"]:
        if "link" not in event:
            continue
        page, _, anchor = event["link"].partition("#")
        html = (built.site_dir / page.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        assert not anchor or f'id="{anchor}"' in html, event["link"]


def test_home_shows_the_headline_finding_from_data(built: BuildResult) -> None:
    assert built.site_dir is not None
    home = (built.site_dir / "index.html").read_text(encoding="utf-8")
    rows = list(csv.DictReader((CONTENT / "data/headline_shares.csv").open(encoding="utf-8")))
    for row in rows:
        assert f'<dt class="sb-key-figure__value">{row["share_pct"]}%</dt>' in home
    assert home.count('class="sb-card"') == 2  # the explainer and Who's who


def test_check_with_strict_sources_passes_on_the_flagship(run_cli) -> None:  # type: ignore[no-untyped-def]
    result = run_cli(ROOT, "check", "--strict-sources")
    assert result.code == 0, result.err
    assert "error" not in result.err and "warning" not in result.err
