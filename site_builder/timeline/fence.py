"""The `timeline` fence: a slice of the timeline inside an article, and the parts of the generated page.

In an article the body is YAML selecting events (`category`, `tags`, `from`, `to`, all optional);
each event links to its place on the timeline page. On the timeline page itself the generated
markdown uses `timeline filters` (the filter form) and `timeline year` (one year's events).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from site_builder.content.yaml_source import ValidationErrors, parse_yaml
from site_builder.errors import UserError
from site_builder.markdown.fences import FenceBlock, FenceHandler
from site_builder.markdown.links import relative_url
from site_builder.timeline.load import TIMELINE_DATA
from site_builder.timeline.model import DateValue, Event, Timeline
from site_builder.timeline.render import EventRenderer, filter_form


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class SliceQuery(BaseModel):
    """Which events a slice shows: any of `category`, any of `tags`, dated within `from`…`to`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    category: Annotated[list[str], BeforeValidator(_one_or_many)] = []
    tags: Annotated[list[str], BeforeValidator(_one_or_many)] = []
    start: DateValue | None = Field(None, alias="from")
    end: DateValue | None = Field(None, alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> SliceQuery:
        if self.start and self.end and self.end.last_day < self.start.first_day:
            raise ValueError(f"`to` ({self.end.iso}) is before `from` ({self.start.iso}); swap them")
        return self

    def matches(self, event: Event) -> bool:
        return ((not self.category or event.category in self.category)
                and (not self.tags or any(t in event.tags for t in self.tags))
                and (self.start is None or event.date.first_day >= self.start.first_day)
                and (self.end is None or event.date.first_day <= self.end.last_day))


def parse_query(block: FenceBlock, timeline: Timeline | None) -> SliceQuery:
    """The slice's query, checked against the timeline's categories and tags; all problems raised."""
    doc = parse_yaml(block.body, block.position.path, block.position.line)
    if doc.value is None:
        return SliceQuery()
    query: SliceQuery = doc.validate(SliceQuery)
    if timeline is None:
        return query
    errors = [UserError(f"unknown category `{c}`", doc.position(("category",)),
                        f"use one of: {', '.join(timeline.categories)}")
              for c in query.category if c not in timeline.categories]
    tags = set(timeline.tags)
    errors += [UserError(f"no event has the tag `{t}`", doc.position(("tags",)),
                         "check its spelling and case against the tags in timeline.yaml")
               for t in query.tags if t not in tags]
    if errors:
        raise ValidationErrors(errors)
    return query


def timeline_fence(renderer: EventRenderer | None, report: Callable[[UserError], None],
                   has_data: bool) -> FenceHandler:
    """The handler for ```` ```timeline ````; `renderer` is None when timeline.yaml has errors or is absent."""

    def handle(block: FenceBlock) -> str:
        if not has_data:
            raise UserError("there is no timeline to show", block.position,
                            f"create content/data/{TIMELINE_DATA} with `categories:` and `events:`")
        internal = block.args.split()[:1]
        if internal and renderer is None:
            return ""  # timeline.yaml has errors, reported on their own
        if internal and renderer is not None and block.page != renderer.page:
            raise UserError(f"`timeline {block.args}` is only for the generated timeline page", block.position,
                            "write ```timeline with a YAML body (category, tags, from, to) in articles")
        try:
            query = parse_query(block, renderer.timeline if renderer else None)
        except ValidationErrors as exc:
            return _raise_all(exc.errors, report)
        if renderer is None:
            return ""
        if internal == ["filters"]:
            return filter_form(renderer.timeline)
        if internal == ["year"]:
            return _year(renderer, block)
        return _slice(renderer, query, block)

    return handle


def _raise_all(errors: Sequence[UserError], report: Callable[[UserError], None]) -> str:
    """A fence handler raises one error; the others of the same block are reported beside it."""
    for error in errors[1:]:
        report(error)
    raise errors[0]


def _year(renderer: EventRenderer, block: FenceBlock) -> str:
    words = block.args.split()
    if len(words) != 2 or not words[1].isdigit():
        raise UserError(f"`timeline {block.args}` needs a year, e.g. `timeline year 2024`", block.position,
                        "check the timeline page template in templates/")
    year = int(words[1])
    events = [e for e in renderer.timeline.events if e.date.year == year]
    return renderer.events(events, renderer.page_url, f' data-year="{year}" aria-labelledby="{year}"')


def _slice(renderer: EventRenderer, query: SliceQuery, block: FenceBlock) -> str:
    at_url = renderer.site.pages[block.page]
    events = [e for e in renderer.timeline.events if query.matches(e)]
    listing = (renderer.events(events, at_url) if events
               else '<p class="sb-timeline-slice__empty">No events match.</p>\n')
    more = relative_url(at_url, renderer.page_url)
    return (f'<div class="sb-timeline-slice">\n{listing}<p class="sb-timeline-slice__more">'
            f'<a href="{escape(more)}">The full timeline</a></p>\n</div>\n')

