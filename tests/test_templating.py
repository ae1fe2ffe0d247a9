"""The Jinja data step as an author meets it: a page's text → HTML, with data, errors and filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from site_builder.content.data import parse_csv
from site_builder.content.frontmatter import parse_page
from site_builder.errors import UserError
from site_builder.markdown.engine import create_md
from site_builder.markdown.links import SiteLinks
from site_builder.pages import Site, render_page
from site_builder.templating import format_date, format_number, format_percent

MD = create_md()


def render_errors(text: str, data: dict[str, Any] | None = None) -> tuple[str, list[UserError]]:
    source, errors = parse_page(text, "content/p.md")
    assert not errors
    site = Site(md=MD, links=SiteLinks({"p.md": "p/", "other.md": "other/"}), data=data or {},
                extra={"owner": "Desk"})
    rendered = render_page(source, "p.md", site)
    return rendered.markdown.html, rendered.markdown.errors


def render(text: str, data: dict[str, Any] | None = None) -> str:
    html, errors = render_errors(text, data)
    assert not errors
    return html


def error_of(text: str, data: dict[str, Any] | None = None) -> UserError:
    errors = render_errors(text, data)[1]
    assert len(errors) == 1
    return errors[0]


def test_a_template_error_still_reports_the_pages_link_errors() -> None:
    errors = render_errors("[a](gone.md) {{ nope }}\n\n[b](lost.md) and [c](other.md#x)\n\n[d]({{ x }}.md)\n")[1]
    assert [(e.position.line, e.message.split(":")[0]) for e in errors] == [(1, "undefined name"), (3, "missing page")]


def test_values_from_data_page_and_config() -> None:
    html = render("---\ntitle: Downloads\n---\n{{ page.title }}: {{ data.stats.total }} by {{ config.extra.owner }}\n",
                  {"stats": {"total": 12}})
    assert html == "<p>Downloads: 12 by Desk</p>\n"


def test_braces_in_code_spans_and_fences_stay_literal() -> None:
    text = "Write `{{ data.x }}` or ``{% raw %}``.\n\n```jinja\n{{ page.title }}\n{% for r in rows %}\n```\n\n" \
           "~~~\n{{ y }}\n~~~\nAfter: {{ 1 + 1 }}\n"
    html = render(text)
    assert "<code>{{ data.x }}</code>" in html and "<code>{% raw %}</code>" in html
    assert "{{ page.title }}\n{% for r in rows %}\n</code></pre>" in html
    assert "<pre><code>{{ y }}\n</code></pre>" in html
    assert html.endswith("<p>After: 2</p>\n")


def test_fences_inside_admonitions_and_lists_stay_literal() -> None:
    html = render('!!! note "Template"\n    ~~~\n    {{ x }}\n    ~~~\n\n- step\n\n    ~~~\n    {% y %}\n    ~~~\n')
    assert "<pre><code>{{ x }}\n</code></pre>" in html and "<pre><code>{% y %}\n</code></pre>" in html


def test_indented_code_blocks_stay_literal() -> None:
    html = render("Intro {{ 1 + 1 }}.\n\n    {{ data.x }}\n    {% for r in rows %}\n\nAfter {{ 2 + 2 }}.\n")
    assert html == "<p>Intro 2.</p>\n<pre><code>{{ data.x }}\n{% for r in rows %}\n</code></pre>\n<p>After 4.</p>\n"


def test_indented_code_inside_list_items_and_admonitions_stays_literal() -> None:
    """Inside a list item, an admonition or a quote, code is indented four columns past the content."""
    html = render("- step\n\n      {{ a }}\n\n!!! note\n    Body\n\n        {{ b }}\n\n"
                  "> Quote\n>\n>     {{ c }}\n")
    assert "<pre><code>{{ a }}\n</code></pre>" in html and "<pre><code>{{ b }}\n</code></pre>" in html
    assert "<pre><code>{{ c }}\n</code></pre>" in html


def test_an_error_after_indented_code_points_at_its_own_line() -> None:
    error = error_of("Intro.\n\n    {{ a }}\n    {{ b }}\n\nSee {{ nope }}.\n")
    assert (error.position.line, error.position.column) == (6, 8)


def test_indented_lines_that_are_not_code_are_templated() -> None:
    """CommonMark: an indented line continues a paragraph (it cannot interrupt one), and a list
    item's or an admonition's indented content is prose."""
    html = render("Total:\n    {{ 1 + 1 }}\n\n- item\n\n    {{ 2 + 2 }}\n\n!!! note\n    {{ 3 + 3 }}\n")
    assert "<p>Total:\n2</p>" in html
    assert "<p>4</p>" in html and "<p>6</p>" in html and "{{" not in html


def test_fences_keep_the_lines_after_them_in_place() -> None:
    """A protected fence must not add blank lines: later blocks would move and shift positions."""
    html = render("```\n{{ a }}\nb\n```\nx {{ 1 }}\n")
    assert html == "<pre><code>{{ a }}\nb\n</code></pre>\n<p>x 1</p>\n"


def test_attribute_braces_are_not_jinja_comments() -> None:
    html = render("{#intro .lead}\nOpening {{ 1 + 1 }}.\n\n## Method {#method}\n\nA{## a Jinja comment ##}B\n")
    assert '<p id="intro" class="lead">Opening 2.</p>' in html
    assert '<h2 id="method">Method' in html
    assert "<p>AB</p>" in html


def test_a_csv_cell_with_markup_shows_as_text() -> None:
    rows = parse_csv('name,note\nQwen,"<script>alert(1)</script> **bold** [x](javascript:y)"\n', "content/data/m.csv")
    html = render("{% for r in data.m %}- {{ r.name }}: {{ r.note }}\n{% endfor %}", {"m": rows})
    assert "<script>" not in html and "<strong>" not in html and "<a " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold** [x](javascript:y)" in html


def test_a_data_value_cannot_open_a_raw_html_attribute() -> None:
    html = render('<span title="{{ data.t }}">x</span>\n', {"t": '"><img src=x onerror=alert(1)>'})
    assert "<img" not in html and 'onerror' in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JavaScript:alert(1)", "java\tscript:alert(1)",
                                 "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>"])
def test_a_data_value_in_a_raw_html_link_is_never_a_script_url(url: str) -> None:
    """A browser decodes `javascript&#58;` in an attribute, so escaping alone would not stop it: the
    value is defused (`javascript\u200b:`), and the raw HTML check empties it and says so."""
    html, errors = render_errors('<a href="{{ data.u }}">x</a> <img src="{{ data.img }}">\n',
                                 {"u": url, "img": "data:image/png;base64,AA"})
    assert 'href=""' in html and 'src="data&#58;image/png;base64,AA"' in html
    assert [(e.position.line, e.message.split(" `")[0]) for e in errors] == [(1, "unsafe href")]


@pytest.mark.parametrize("text", ["Data: World Bank", "File: annual report", "JavaScripts: a history"])
def test_text_that_only_looks_like_a_scheme_stays_as_written(text: str) -> None:
    assert "\u200b" not in render("{{ data.s }}\n", {"s": text})


@pytest.mark.parametrize("expression", ["data.s | e", "data.s | escape", "data.s | forceescape", "data.s | tojson",
                                        "data.s | urlize", "{'a': data.s} | xmlattr"])
def test_filters_that_make_markup_still_give_text(expression: str) -> None:
    html = render("{{ " + expression + " }}\n", {"s": "**x** <b>y</b> ![px](https://tracker.example/q.png)"})
    assert not any(tag in html for tag in ("<strong>", "<b>", "<img", "<a ")), html
    assert "tracker.example/q.png" in html


@pytest.mark.parametrize("expression", ["data.k | cite ~ data.s", "(data.k | cite) + data.s",
                                        "[data.k | cite, data.s] | join"])
def test_a_citation_joined_with_data_makes_the_whole_text(expression: str) -> None:
    html = render("{{ " + expression + " }}\n", {"k": "ex", "s": "![px](https://tracker.example/q.png)"})
    assert "<img" not in html and "[@ex]![px](https://tracker.example/q.png)" in html


def test_big_numbers_are_fine_where_they_are_not_sizes() -> None:
    rows = [{"city": "Tokyo", "pop": 37_000_000}, {"city": "Lyon", "pop": 500_000}]
    html = render("{% set ns = namespace(limit=5000000) %}"
                  "{{ data.rows | selectattr('pop', 'gt', ns.limit) | map(attribute='city') | join }} "
                  "{{ (data.rows | map(attribute='pop') | sum) * 1000000 }}\n", {"rows": rows})
    assert "Tokyo 37500000000000" in html


def test_the_safe_filter_is_refused_with_a_reason() -> None:
    error = error_of("{{ data.s | safe }}\n", {"s": "<script>alert(1)</script>"})
    assert error.message == ("template error: the `safe` filter is not available: values from data are always "
                             "shown as text")


def test_undefined_name_points_at_the_page_line_and_name() -> None:
    error = error_of("---\ntitle: T\n---\nIntro.\n\nTotal: {{ data.stats.totl }}\n", {"stats": {"total": 1}})
    assert (error.position.path, error.position.line, error.position.column) == ("content/p.md", 6, 22)
    assert "totl" in error.message and "data.<file name>" in error.hint


def test_undefined_top_level_name() -> None:
    error = error_of("Line one\nSee {{ dat.stats }}\n")
    assert (error.position.line, error.position.column) == (2, 8)
    assert "'dat' is undefined" in error.message


def test_syntax_error_points_at_its_line() -> None:
    error = error_of("---\ntitle: T\n---\nOne\nTwo {{ data.x }\n")
    assert (error.position.line, error.position.column) == (5, 5)
    assert error.message.startswith("template syntax error")


def test_unclosed_block_points_at_its_opening_tag() -> None:
    error = error_of("Intro\n\nA {% if true %}\nshown\n")
    assert (error.position.line, error.position.column) == (3, 3) and "endif" in error.message


def test_sandbox_refuses_internals() -> None:
    error = error_of("{{ data.__class__.__mro__ }}\n")
    assert "unsafe" in error.message


@pytest.mark.parametrize(("value", "args", "expected"), [
    (1234567, (), "1,234,567"), (2.0, (), "2"), (1234.5, (), "1,234.5"), ("12", (), "12"),
    (1.25, (1,), "1.3"), (1234.5678, (2,), "1,234.57"), (-0.125, (2,), "-0.13"),
])
def test_number_filter(value: Any, args: tuple[int, ...], expected: str) -> None:
    assert format_number(value, *args) == expected


def test_percent_filter() -> None:
    assert format_percent(17.123) == "17.1%"
    assert format_percent(0.1715, 1, fraction=True) == "17.2%"
    assert format_percent(41, 0) == "41%"


def test_date_filter() -> None:
    assert format_date("2025-11-07") == "7 November 2025"
    assert format_date(dt.date(2025, 1, 31), "%Y-%m") == "2025-01"


def test_filters_in_a_page() -> None:
    html = render("{{ data.n | number }} · {{ data.s | percent(0, fraction=true) }} · {{ data.d | date('%b %Y') }}\n",
                  {"n": 1500000, "s": 0.413, "d": "2025-02-01"})
    assert html == "<p>1,500,000 · 41% · Feb 2025</p>\n"


@pytest.mark.parametrize("expression", ["'n/a' | number", "none | number", "'2025-13-01' | date",
                                        "data.x | percent"])
def test_a_bad_filter_input_is_a_positioned_error(expression: str) -> None:
    error = error_of(f"Intro\n\nValue: {{{{ {expression} }}}}\n", {"x": "lots"})
    assert (error.position.line, error.position.column) == (3, 8)
    assert error.message.startswith("template error")


def test_positions_after_a_loop_point_into_the_file() -> None:
    """A loop makes more lines than it has; errors below it still name the page's own line."""
    rows = {"rows": [{"name": n} for n in "abcdef"]}
    text = "Intro\n\n{% for r in data.rows %}\n- {{ r.name }} [x](gone-{{ r.name }}.md)\n{% endfor %}\n\n[y](lost.md)\n"
    errors = render_errors(text, rows)[1]
    assert [(e.position.line, e.position.column) for e in errors][-1] == (7, 5)
    assert [e.position.line for e in errors[:-1]] == [4] * 6  # the loop's body
