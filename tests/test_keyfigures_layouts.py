"""Key figures, the article and home layouts, and `check --strict-sources`."""

from __future__ import annotations

from pathlib import Path

from conftest import write_site

from site_builder.errors import SourcePosition
from site_builder.sourcecheck import missing_sources

SOURCES = """\
study:
  title: The study
  url: https://example.org/study
  publisher: Example
  date: 2025
"""

HOME = """\
---
title: Home <b>
description: The finding & more
layout: home
key_figures:
  - value: "{{ data.shares[0].share }}%"
    label: share for {{ data.shares[0].country }}
    source: study
---
Body cites [@study] too.
"""

ARTICLE = """\
---
title: The article
description: A dek
date: 2025-11-27
authors: [Ann Author]
---
Body text [@study].
"""


def _site(tmp_path: Path, **files: str) -> Path:
    base = {"content/data/sources.yaml": SOURCES, "content/data/shares.csv": "country,share\n<i>China</i>,17.1\n",
            "content/index.md": HOME, "content/article.md": ARTICLE}
    return write_site(tmp_path, {**base, **files})


def test_key_figures_are_evaluated_escaped_and_cited_first(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path)
    assert run_cli(root, "build").code == 0
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert ('<div class="sb-key-figure"><dt class="sb-key-figure__value">17.1%</dt><dd class="sb-key-figure__label">'
            'share for &lt;i&gt;China&lt;/i&gt; <a class="sb-cite" href="#ref-study" title="Example: The study">[1]</a></dd></div>') in home
    assert '<h1 class="sb-hero__headline">Home &lt;b&gt;</h1>' in home
    assert '<p class="sb-hero__finding">The finding &amp; more</p>' in home


def test_key_figure_errors_point_at_the_front_matter_value(tmp_path: Path, run_cli) -> None:
    page = ("---\ntitle: T\nkey_figures:\n  - value: \"{{ data.nope }}\"\n    label: L\n    source: study\n"
            "  - value: 1\n    label: L\n    source: missing\n  - label: no value\n    source: study\n---\n[@study]\n")
    result = run_cli(_site(tmp_path, **{"content/index.md": page}), "build")
    assert result.code == 1
    assert "content/index.md:4:12: undefined name in key figure: 'dict object' has no attribute 'nope'" in result.err
    assert "content/index.md:9:13: unknown source `missing`" in result.err
    assert "content/index.md:10:5: `value` is required" in result.err


def test_article_layout_has_headline_dek_byline_reading_time_and_references(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path)
    assert run_cli(root, "build").code == 0
    article = (root / "site/article/index.html").read_text(encoding="utf-8")
    assert '<h1 class="sb-headline">The article</h1>' in article
    assert '<p class="sb-dek">A dek</p>' in article
    assert "By Ann Author" in article and '<time datetime="2025-11-27">27 November 2025</time>' in article
    assert "1 min read" in article and 'class="sb-references"' in article
    assert 'data-md-component="search"' in article  # Material's search and palette are still there
    assert "../assets/site-builder/explainer.css" in article


def test_home_layout_lists_articles_as_cards(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path)
    assert run_cli(root, "build").code == 0
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert '<a class="sb-card" href="article/">' in home and '<span class="sb-card__dek">A dek</span>' in home


def test_templates_folder_overrides_a_layout_and_a_bad_layout_is_an_error(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path, **{"templates/sb-article.html": '{% extends "main.html" %}{% block content %}MINE'
                              '{{ page.content }}{% endblock %}'})
    text = (root / "mkdocs.yml").read_text().replace("  name: material\n", "  name: material\n  custom_dir: templates\n")
    (root / "mkdocs.yml").write_text(text)
    assert run_cli(root, "build").code == 0
    assert "MINE" in (root / "site/article/index.html").read_text(encoding="utf-8")
    (root / "content/article.md").write_text(ARTICLE.replace("date:", "layout: magazine\ndate:"))
    result = run_cli(root, "build")
    assert result.code == 1
    assert "content/article.md:4:9: unknown layout `magazine` — use one of: article, home" in result.err


TIMELINE = """\
categories:
  policy: {label: Policy, color: "#123456"}
events:
  - date: 2017
    title: Sourced
    category: policy
    sources: [study]
  - date: 2018
    title: Unsourced
    category: policy
"""


def test_unsourced_timeline_event_is_a_warning_or_with_strict_sources_an_error(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path, **{"content/data/timeline.yaml": TIMELINE})
    lenient = run_cli(root, "check", "--no-strict")
    assert lenient.code == 0
    assert ("content/data/timeline.yaml:8:5: timeline event has no source — add a `source` to this timeline event "
            "(citation key or title and url) [missing-source]") in lenient.err
    strict = run_cli(root, "check", "--no-strict", "--strict-sources")
    assert strict.code == 1 and "1 error(s)" in strict.err


def test_timeline_source_keys_count_as_citations_and_unknown_ones_are_errors(tmp_path: Path, run_cli) -> None:
    body = TIMELINE.replace("sources: [study]", "sources: [study, stdy]")
    result = run_cli(_site(tmp_path, **{"content/data/timeline.yaml": body}), "check", "--no-strict")
    assert result.code == 1
    assert "content/data/timeline.yaml:7:22: unknown source `stdy` — did you mean `study`?" in result.err


def test_missing_sources_hook() -> None:
    here, there = SourcePosition("content/a.md", 3, 1), SourcePosition("content/b.md", 9, 1)
    errors, warnings = missing_sources([(here, True), (there, False)], "chart", strict=False)
    assert errors == [] and [w.position for w in warnings] == [there] and warnings[0].code == "missing-source"
    errors, warnings = missing_sources([(there, False)], "chart", strict=True)
    assert [e.position for e in errors] == [there] and warnings == []


def test_a_page_with_key_figures_and_no_layout_gets_the_article_layout(tmp_path: Path, run_cli) -> None:
    page = "---\ntitle: Plain\nkey_figures:\n  - {value: 42, label: answers, source: study}\n---\nText.\n"
    root = _site(tmp_path, **{"content/plain.md": page})
    assert run_cli(root, "build").code == 0
    html = (root / "site/plain/index.html").read_text(encoding="utf-8")
    assert '<h1 class="sb-headline">Plain</h1>' in html and '<dt class="sb-key-figure__value">42</dt>' in html
