"""Sources and citations: `[@key]` syntax, reference lists, sources.yaml validation, positioned errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import write_site

from site_builder.content.sources import SourceRegistry, registry_from_yaml
from site_builder.content.yaml_source import parse_yaml
from site_builder.markdown.citations import PageCitations, cite_filter, parse_citation
from site_builder.markdown.engine import create_md, render_markdown
from site_builder.markdown.links import LinkContext, SiteLinks

GOLDEN = Path(__file__).parent / "golden"

SOURCES = """\
longpre:
  title: Economies of Open Intelligence <i>
  url: https://arxiv.org/abs/2512.03073
  publisher: arXiv
  date: 2025-11-27
ft:
  title: China leapfrogs US
  url: https://www.ft.com/content/x
  publisher: Financial Times
  date: 2025-11
  note: Paywalled.
"""


def registry(text: str = SOURCES) -> SourceRegistry:
    reg, errors = registry_from_yaml(parse_yaml(text, "content/data/sources.yaml"))
    assert errors == []
    return reg


def render(markdown: str, reg: SourceRegistry | None = None) -> tuple[str, list[str]]:
    links = LinkContext("page.md", "content/page.md", SiteLinks({"page.md": "page/"}), markdown.splitlines(), 3)
    citations = PageCitations(reg or registry(), links.errors)
    result = render_markdown(create_md(), markdown, links, extra_env={"citations": citations})
    return result.html, [str(e) for e in result.errors]


def test_citations_are_numbered_in_reading_order_and_the_page_ends_with_its_references() -> None:
    html, errors = render("First [@ft], then [@longpre; @ft].\n\nAgain [@longpre][^1].\n\n[^1]: A footnote.\n")
    assert errors == []
    expected = (GOLDEN / "citations.html")
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(html, encoding="utf-8")
    assert html == expected.read_text(encoding="utf-8")
    assert html.rstrip().endswith("</section>")
    assert html.index('class="footnote"') < html.index('class="sb-references"')


def test_unknown_key_and_malformed_citation_are_errors_at_their_line_and_column() -> None:
    _, errors = render("Fine [@ft].\n\nSee [@fta] and\n[@bad key] here.\n")
    assert errors == [
        "content/page.md:5:5: unknown source `fta` — did you mean `ft`?",
        "content/page.md:6:1: malformed citation `[@bad key]` — write [@key] or [@key1; @key2]",
    ]


def test_a_heading_that_takes_an_id_of_the_reference_list_is_an_error() -> None:
    """The list is `#references` and each entry `#ref-KEY`: a second element with one is ambiguous."""
    _, errors = render("## References\n\nSee [@ft].\n\n<span id=\"ref-ft\"></span>\n")
    hint = "rename it; the reference list that `[@key]` citations add at the end of the page uses this id"
    assert errors == [f'content/page.md:3:1: duplicate id "references" — {hint}',
                      f'content/page.md:7:11: duplicate id "ref-ft" — {hint}']
    assert render("## References\n\nNo citation here.\n")[1] == []


def test_citation_syntax_in_code_links_and_without_sources_stays_text() -> None:
    html, errors = render("Code `[@ft]` stays, [@someone](https://example.org/someone) is a link.\n")
    assert "<code>[@ft]</code>" in html and "sb-cite" not in html and errors == []
    assert '<a href="https://example.org/someone">@someone</a>' in html
    plain = create_md().render("Data field [@ft].")
    assert "[@ft]" in plain and "sb-cite" not in plain


@pytest.mark.parametrize("text, keys", [("[@a]", ["a"]), ("[@a; @b.c]", ["a", "b.c"]), ("[@a;@b]", ["a", "b"]), ("[@a;\n @b]", ["a", "b"]),
                                        ("[@a b]", None), ("[@a;]", None), ("[@-a]", None)])
def test_parse_citation(text: str, keys: list[str] | None) -> None:
    assert parse_citation(text) == keys


def test_cite_filter_turns_a_key_from_data_into_a_citation_and_refuses_markup() -> None:
    assert str(cite_filter("a-b; c")) == "[@a-b; @c]"
    with pytest.raises(ValueError):
        cite_filter("<script>")


def test_sources_yaml_entries_are_validated_with_positions() -> None:
    text = ("good:\n  title: T\n  url: https://x.org\n  publisher: P\n  date: 2024\n"
            "bad:\n  title: T\n  url: javascript:alert(1)\n  publisher: P\n  date: May 2024\n"
            "short:\n  title: T\n  url: https://x.org\n  date: 2024-01-01\n")
    reg, errors = registry_from_yaml(parse_yaml(text, "content/data/sources.yaml"))
    assert list(reg.sources) == ["good"]
    assert [str(e).split(" — ")[0] for e in errors] == [
        "content/data/sources.yaml:8:8: `url`: must be an http:// or https:// address",
        "content/data/sources.yaml:10:9: `date`: must be a date",
        "content/data/sources.yaml:12:3: `publisher` is required",
    ]


def _site(tmp_path: Path, page: str, sources: str = SOURCES, **more: str) -> Path:
    return write_site(tmp_path, {"content/data/sources.yaml": sources, "content/index.md": page, **more})


def test_build_renders_citations_escapes_sources_and_generates_the_sources_page(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path, "# Home\n\nText [@longpre] and [@ft].\n")
    result = run_cli(root, "build")
    assert result.code == 0, result.err
    home = (root / "site/index.html").read_text(encoding="utf-8")
    assert ('<a class="sb-cite" href="#ref-longpre" title="arXiv: Economies of Open Intelligence &lt;i&gt;">[1]</a>'
            in home)
    assert "Economies of Open Intelligence &lt;i&gt;" in home and "<i>" not in home.split("sb-references")[1]
    sources = (root / "site/sources/index.html").read_text(encoding="utf-8")
    assert sources.index('id="src-longpre"') < sources.index('id="src-ft"')  # arXiv before Financial Times
    assert 'href="https://www.ft.com/content/x"' in sources


def test_an_unknown_key_fails_the_build_with_its_position(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path, "---\ntitle: Home\n---\nText [@longpre] [@ft] [@nope].\n")
    result = run_cli(root, "build")
    assert result.code == 1
    assert "content/index.md:4:23: unknown source `nope`" in result.err


def test_a_source_nothing_cites_is_a_coded_warning(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path, "# Home\n\nText [@longpre].\n")
    strict = run_cli(root, "build")
    assert strict.code == 1
    assert ("content/data/sources.yaml:6:1: source `ft` is never cited — cite it with [@ft] or remove it from "
            "sources.yaml [uncited-source]") in strict.err
    assert not (root / "site").exists()
    assert run_cli(root, "build", "--no-strict").code == 0


def test_an_authors_own_sources_page_replaces_the_generated_one(tmp_path: Path, run_cli) -> None:
    root = _site(tmp_path, "# Home\n\n[@longpre] [@ft]\n",
                 **{"content/sources.md": "# Our sources\n\n```sources\n```\n"})
    assert run_cli(root, "build").code == 0
    page = (root / "site/sources/index.html").read_text(encoding="utf-8")
    assert "Our sources" in page and 'id="src-ft"' in page
