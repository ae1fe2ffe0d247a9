"""The engine's fast paths (site_builder/markdown/fast_paths.py) change speed, never output.

Each input is rendered twice: by `create_md()` as built, and by the reference (tests/engine_reference.py:
the same parser with markdown-it-py's own inline and block parsers and `replacements` rule); HTML,
headings, errors and anchor links must be equal. Inputs: the benchmark's explainer pages, the flagship's pages, every golden fixture, the
CommonMark spec examples and hypothesis-generated markdown made of every syntax's characters.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.parser_block import ParserBlock
from markdown_it.parser_inline import ParserInline
from markdown_it.ruler import Ruler
from markdown_it.rules_core import replace
from markdown_it.rules_inline import StateInline

from site_builder.markdown.engine import MarkdownOptions, create_md, render_markdown
from site_builder.markdown.fast_paths import (
    DispatchingBlock,
    DispatchingBlockRuler,
    DispatchingInline,
    typographic_replacements,
)
from site_builder.markdown.links import LinkContext, SiteLinks
from tests.engine_reference import reference_md
from tests.golden_files import fixture_cases

ROOT = Path(__file__).parent.parent
OPTIONS = [MarkdownOptions(), MarkdownOptions(raw_html=False)]
SITE = SiteLinks(pages={"index.md": "", "about.md": "about/"}, files={"img/chart.png": "img/chart.png"})


def _replacements_rule(md: MarkdownIt) -> object:
    return next(rule.fn for rule in md.core.ruler.__rules__ if rule.name == "replacements")


PARSERS = {options: (create_md(options), reference_md(options)) for options in OPTIONS}


def rendered(md: MarkdownIt, text: str, page: str, site: SiteLinks) -> tuple[object, ...]:
    links = LinkContext(page, f"content/{page}", site, text.splitlines(), 1)
    result = render_markdown(md, text, links)
    return result.html, result.headings, [str(e) for e in result.errors], result.anchor_links


def assert_same(text: str, options: MarkdownOptions = OPTIONS[0], page: str = "index.md", site: SiteLinks = SITE) -> None:
    fast, reference = PARSERS[options]
    assert rendered(fast, text, page, site) == rendered(reference, text, page, site)


def _bench_pages() -> dict[str, str]:
    spec = importlib.util.spec_from_file_location("bench_pages", ROOT / "bench" / "pages.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pages: dict[str, str] = module.make_pages(40)
    return pages


def test_parsers_are_the_fast_ones() -> None:
    """The comparisons below would prove nothing if `create_md` stopped installing the fast paths."""
    fast, reference = PARSERS[OPTIONS[0]]
    assert isinstance(fast.inline, DispatchingInline) and isinstance(fast.block, DispatchingBlock)
    assert isinstance(fast.block.ruler, DispatchingBlockRuler)
    assert type(reference.inline) is ParserInline and type(reference.block) is ParserBlock
    assert type(reference.block.ruler) is Ruler
    assert _replacements_rule(fast) is typographic_replacements and _replacements_rule(reference) is replace


@pytest.mark.parametrize("options", OPTIONS, ids=["raw_html", "no_raw_html"])
def test_bench_pages(options: MarkdownOptions) -> None:
    pages = _bench_pages()
    site = SiteLinks({name: name.removesuffix(".md") + "/" for name in pages})
    for name, text in pages.items():
        assert_same(text, options, name, site)


@pytest.mark.parametrize("path", sorted((ROOT / "content").glob("*.md")), ids=lambda p: p.name)
def test_flagship_pages(path: Path) -> None:
    """Their Jinja is left as text: what matters is the same input to both parsers."""
    for options in OPTIONS:
        assert_same(path.read_text(encoding="utf-8"), options)


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "fixtures").glob("*.md")), ids=lambda p: p.stem)
def test_golden_fixtures(path: Path) -> None:
    for _, _, given_text, _ in fixture_cases(path):
        for options in OPTIONS:
            assert_same(given_text, options)


def test_commonmark_spec_examples() -> None:
    for example in json.loads((ROOT / "tests" / "commonmark" / "spec.json").read_text(encoding="utf-8")):
        for options in OPTIONS:
            assert_same(example["markdown"], options)


# Every character some rule triggers on, the syntax around them, and plain text.
PIECES = ["\n", "\n\n", "    ", "\t", " ", "# ", "> ", "- ", "* ", "+ ", "1. ", "2) ", "---\n", "***", "___", "```\n",
          "~~~\n", "~~", "`", "**", "_", "[", "]", "(", ")", "![", "<", ">", "&amp;", "&#35;", "\\", "^[", "[^1]",
          "[^1]: ", "[@src]", "{#id}", "{.cls}", "{", "}", "!!! note \"T\"\n    ", "??? tip\n    ", "| a | b |\n",
          "|---|---|\n", "Term\n:   ", "[x]: about.md\n", "[x]", "[a](about.md)", "<https://example.org>",
          "<div>\n", "<span>", "<!-- c -->", '"', "'", "- [ ] ", "word", "数据", "=", ":", "%",
          # typographic replacements, also inside an autolink, whose text keeps them
          "--", "---", "-", "(c)", "(TM)", "(r)", "+-", "..", "...", "…", "?", "!", "?!?!", "!!!!", ",,", ",", ".",
          "<https://example.org/a--b...>"]
markdown_texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=30).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(markdown_texts, st.sampled_from(OPTIONS))
def test_generated_markdown(text: str, options: MarkdownOptions) -> None:
    assert_same(text, options)


def _percent_rule(state: StateInline, silent: bool) -> bool:
    """A plugin's inline rule the trigger table does not know: `%%` becomes a <kbd>."""
    if not state.src.startswith("%%", state.pos):
        return False
    if not silent:
        state.push("html_inline", "", 0).content = "<kbd>%</kbd>"
    state.pos += 2
    return True


def test_rules_changed_after_a_parse_apply() -> None:
    """A plugin may add, replace or disable rules on a parser that has already parsed: its unlisted
    rules are always tried, and a changed rule chain is seen at the next parse."""
    fast, reference = create_md(), reference_md(MarkdownOptions())
    text = "a %% b *em* [link](about.md)\n\n> quote\n"
    assert fast.render(text) == reference.render(text)
    for md in (fast, reference):
        md.inline.ruler.before("emphasis", "percent", _percent_rule)
        md.disable("blockquote")
        md.inline.ruler.at("link", _percent_rule)
    assert fast.render(text) == reference.render(text)
    assert "<kbd>%</kbd>" in fast.render(text) and "<blockquote>" not in fast.render(text)
