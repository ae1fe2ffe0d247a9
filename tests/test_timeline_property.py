"""Random timeline files and slice queries: the result is a timeline or positioned user errors, never a crash."""

from __future__ import annotations

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from site_builder.content.yaml_source import ValidationErrors
from site_builder.errors import SourcePosition, UserError
from site_builder.markdown.engine import MarkdownOptions, create_md
from site_builder.markdown.fences import FenceBlock
from site_builder.markdown.links import SiteLinks
from site_builder.timeline.fence import timeline_fence
from site_builder.timeline.load import load_timeline
from site_builder.timeline.render import EventRenderer

PATH = "content/data/timeline.yaml"
SITE = SiteLinks({"index.md": "", "a.md": "a/", "timeline.md": "timeline/"}, {"img/x.png": "img/x.png"})
MD = create_md(MarkdownOptions(raw_html=False))

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 3000), st.floats(allow_nan=False),
                    st.text(max_size=12), st.sampled_from(["2024", "2024-02-30", "2024-13", "a.md#x", "#c33",
                                                           "https://e.org", "javascript:x", "img/x.png"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6),
                                                                                          inner, max_size=3),
                      max_leaves=6)
fields = st.sampled_from(["date", "title", "body", "category", "tags", "sources", "link", "id", "image", "x"])
events = st.lists(st.dictionaries(fields, values, max_size=8), max_size=6)
categories = st.dictionaries(st.sampled_from(["policy", "release", "bad key"]),
                             st.dictionaries(st.sampled_from(["label", "color"]), scalars, max_size=2), max_size=3)


@settings(max_examples=80, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(categories=categories, events=events)
def test_random_timelines_load_or_give_user_errors(categories: object, events: object) -> None:
    text = yaml.safe_dump({"categories": categories, "events": events}, allow_unicode=True)
    timeline, errors = load_timeline(text, PATH, SITE, "timeline.md")
    assert all(isinstance(e, UserError) and e.position.path == PATH for e in errors)
    if timeline is not None:
        reported: list[UserError] = []
        renderer = EventRenderer(timeline, MD, SITE, "timeline.md", text.splitlines(), reported.append)
        for at in ("timeline/", "a/"):
            renderer.events(timeline.events, at)


@settings(max_examples=60, deadline=2000)
@given(body=st.dictionaries(st.sampled_from(["category", "tags", "from", "to", "x"]), values, max_size=4))
def test_random_slice_queries_render_or_give_user_errors(body: dict[str, object]) -> None:
    text = yaml.safe_dump({"categories": {"policy": {"label": "P", "color": "#ccc"}},
                           "events": [{"date": 2024, "title": "T", "category": "policy", "tags": ["Qwen"]}]})
    timeline, errors = load_timeline(text, PATH, SITE, "timeline.md")
    assert timeline is not None and errors == []
    renderer = EventRenderer(timeline, MD, SITE, "timeline.md", text.splitlines(), lambda e: None)
    handler = timeline_fence(renderer, has_data=True)
    block = FenceBlock("timeline", "", yaml.safe_dump(body) if body else "", SourcePosition("content/a.md", 3), "a.md")
    try:
        html = handler(block)
    except UserError as exc:
        assert exc.position.path == "content/a.md"
    except ValidationErrors as exc:  # several problems in one block: the fence seam reports them all
        assert exc.errors and all(e.position.path == "content/a.md" for e in exc.errors)
    else:
        assert html.startswith('<div class="sb-timeline-slice">')
