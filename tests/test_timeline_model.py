"""timeline.yaml validation: every mistake is reported at its own line and column, all at once."""

from __future__ import annotations

import textwrap

import pytest

from site_builder.markdown.links import SiteLinks
from site_builder.timeline.load import load_timeline
from site_builder.timeline.model import EventDate

PATH = "content/data/timeline.yaml"
SITE = SiteLinks({"index.md": "", "articles/report.md": "articles/report/", "timeline.md": "timeline/"},
                 {"img/a.png": "img/a.png"})
HEAD = """\
categories:
  policy: {label: Policy, color: "#c33"}
  release: {label: Release, color: "#1f77b4"}
events:
"""


def load(events: str, head: str = HEAD):  # type: ignore[no-untyped-def]
    return load_timeline(head + textwrap.dedent(events), PATH, SITE, "timeline.md")


def errors_of(events: str, head: str = HEAD) -> list[str]:
    _, errors = load(events, head)
    return sorted((str(e) for e in errors), key=lambda s: [int(p) if p.isdigit() else p for p in s.split(":")[1:3]])


@pytest.mark.parametrize(("written", "expected"), [
    (2024, EventDate(2024)),
    ("2024-05", EventDate(2024, 5)),
    ("2024-02-29", EventDate(2024, 2, 29)),
])
def test_dates_keep_their_precision(written: object, expected: EventDate) -> None:
    date = EventDate.parse(written)
    assert date == expected
    assert date.iso == str(written)


def test_dates_display_with_their_precision() -> None:
    assert [EventDate.parse(d).display for d in (2024, "2024-05", "2024-05-03")] == ["2024", "May 2024",
                                                                                      "3 May 2024"]


@pytest.mark.parametrize("written", ["2025-13-01", "2023-02-29", "2024-00", "24-05-01", "May 2024", True, 3.5])
def test_impossible_dates_are_refused(written: object) -> None:
    with pytest.raises(ValueError):
        EventDate.parse(written)


def test_valid_file_sorts_events_and_keeps_file_order_on_same_date() -> None:
    timeline, errors = load("""\
        - {date: 2024-06-07, title: Second same day, category: release}
        - {date: 2023, title: Year only, category: policy}
        - {date: 2024-06-07, title: Third same day, category: policy}
        - {date: 2023-01-01, title: New year, category: policy}
        - {date: 2024-06, title: June, category: release}
        """)
    assert errors == []
    assert timeline is not None
    assert [e.title for e in timeline.events] == ["Year only", "New year", "June", "Second same day",
                                                  "Third same day"]
    assert timeline.events[0].id == "2023-year-only"


def test_every_mistake_is_reported_at_its_position() -> None:
    assert errors_of("""\
        - date: 2025-13-01
          title: Impossible date
          category: policy
        - date: 2024
          category: policy
        - date: 2024
          title: Unknown category
          category: polcy
        - date: 2024
          title: Wrong type
          category: release
          tags: {a: 1}
        - date: 2024
          title: Broken link
          category: release
          link: articles/missing.md
        - date: 2024
          title: Bad source
          category: release
          sources: [{title: x, url: "javascript:alert(1)"}]
        - date: 2024
          title: Unknown field
          category: release
          colour: red
        """) == [
        (f"{PATH}:5:9: `date`: `2025-13-01` has no month 13 — write YYYY, YYYY-MM or YYYY-MM-DD with a real "
        "month and day, e.g. 2024-05-12"),
        f"{PATH}:8:3: `title` is required — add a `title:` entry",
        (f"{PATH}:12:13: unknown category `polcy` — use one of the keys under `categories:` (policy, release) "
        "or declare it there"),
        f"{PATH}:16:9: `tags`: Input should be a valid list — fix the value's type or format",
        (f"{PATH}:20:9: `link` points to a missing page: `articles/missing.md` — the path is relative to the "
        "content folder, e.g. articles/report.md"),
        (f"{PATH}:24:29: `sources.0.url`: `javascript:alert(1)` is not a web address — write a full URL "
        "starting with https://"),
        f"{PATH}:28:11: unknown field `colour` — remove it or check its spelling",
    ]


def test_duplicate_ids_explicit_and_derived() -> None:
    errors = errors_of("""\
        - {date: 2024, title: A, category: policy, id: same}
        - {date: 2024, title: B, category: policy, id: same}
        - {date: 2024-05, title: Twice, category: policy}
        - {date: 2024-05, title: Twice, category: release}
        """)
    assert errors == [
        (f"{PATH}:6:48: duplicate event id `same`; line 5 has it too — give one of the two events a "
        "different `id:`"),
        (f"{PATH}:8:3: duplicate event id `2024-05-twice` (derived from its date and title); line 7 has it "
        "too — give one of the two events a different `id:`"),
    ]


def test_category_colours_and_link_targets() -> None:
    head = 'categories:\n  policy: {label: Policy, color: "javascript:alert(1)"}\nevents:\n'
    errors = errors_of("""\
        - {date: 2024, title: External link, category: policy, link: "https://example.org/"}
        - {date: 2024, title: Missing image, category: policy, image: img/missing.png}
        """, head)
    assert errors[0].startswith(f"{PATH}:2:34: `color`: `javascript:alert(1)` is not a colour")
    assert errors[1].startswith(f"{PATH}:4:62: `link` must be a page of this site")
    assert errors[2].startswith(f"{PATH}:5:63: missing image `img/missing.png`")


def test_link_anchor_is_kept_for_the_after_render_check() -> None:
    timeline, errors = load("- {date: 2024, title: T, category: policy, link: 'articles/report.md#findings'}\n")
    assert errors == [] and timeline is not None
    assert timeline.events[0].link == ("articles/report.md", "findings")
    [anchor] = timeline.anchor_links
    assert (anchor.page, anchor.anchor, anchor.position.line) == ("articles/report.md", "findings", 5)


def test_yaml_syntax_error_and_wrong_top_level() -> None:
    _, errors = load_timeline("categories: [\n", PATH, SITE, "timeline.md")
    assert str(errors[0]).startswith(f"{PATH}:2:1: YAML syntax error")
    _, errors = load_timeline("- just a list\n", PATH, SITE, "timeline.md")
    assert "must be a mapping" in str(errors[0])
    _, errors = load_timeline("events: []\n", PATH, SITE, "timeline.md")
    assert [str(e) for e in errors] == [f"{PATH}:1:1: `categories` is required — add a `categories:` entry"]
