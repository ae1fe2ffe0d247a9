"""The `timeline` fence: a slice of the timeline inside an article, and the parts of the generated page.

In an article the body is YAML selecting events (`category`, `tags`, `from`, `to`, all optional);
each event links to its place on the timeline page. On the timeline page itself the generated
markdown uses `timeline filters` (the filter form) and `timeline year` (one year's events).
"""

from __future__ import annotations

from html import escape
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from site_builder.content.yaml_source import ValidationErrors, YamlDocument, parse_yaml
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

    model_config = ConfigDict(extra="forbid", populate_by_name=True, coerce_numbers_to_str=True)

    category: Annotated[list[str], BeforeValidator(_one_or_many)] = []
    tags: Annotated[list[str], BeforeValidator(_one_or_many)] = []
    start: DateValue | None = Field(None, alias="from")
    end: DateValue | None = Field(None, alias="to")

    def matches(self, event: Event) -> bool:
        return ((not self.category or event.category in self.category)
                and (not self.tags or any(t in event.tags for t in self.tags))
                and (self.start is None or event.date.first_day >= self.start.first_day)
                and (self.end is None or event.date.first_day <= self.end.last_day))


def parse_query(block: FenceBlock, timeline: Timeline | None) -> SliceQuery:
    """The slice's query, checked against the timeline's categories and tags; all problems raised."""
    doc = parse_yaml(block.body, block.position.path, block.position.line)
    if doc.value is None:
        return SliceQuery.model_validate({})
    query: SliceQuery = doc.validate(SliceQuery)
    errors = _check_query(query, doc, timeline)
    if errors:
        raise ValidationErrors(errors)
    return query


def _check_query(query: SliceQuery, doc: YamlDocument, timeline: Timeline | None) -> list[UserError]:
    """Dates in order; categories and tags that exist (a typo would silently show nothing)."""
    errors = []
    if query.start and query.end and query.end.last_day < query.start.first_day:
        errors.append(UserError(f"`to` ({query.end.iso}) is before `from` ({query.start.iso})",
                                doc.position(("to",)), "swap the two dates"))
    if timeline is None:
        return errors
    for key, wanted, known in (("category", query.category, list(timeline.categories)),
                               ("tags", query.tags, timeline.tags)):
        listed = isinstance(doc.value.get(key), list)
        for i, value in enumerate(wanted):
            if value not in known:
                what = "category" if key == "category" else "tag"
                errors.append(UserError(f"unknown {what} `{value}`", doc.position((key, i) if listed else (key,)),
                                        f"use one of: {_some(known)}"))
    return errors


def _some(names: list[str], limit: int = 10) -> str:
    return ", ".join(names[:limit]) + (f" … ({len(names)} in all)" if len(names) > limit else "")


def timeline_fence(renderer: EventRenderer | None, has_data: bool) -> FenceHandler:
    """The handler for ```` ```timeline ````; `renderer` is None when timeline.yaml has errors or is absent."""

    def handle(block: FenceBlock) -> str:
        if not has_data:
            raise UserError("there is no timeline to show", block.position,
                            f"create content/data/{TIMELINE_DATA} with `categories:` and `events:`")
        if block.args:
            return _page_part(renderer, block)
        query = parse_query(block, renderer.timeline if renderer else None)  # ValidationErrors: all reported
        return _slice(renderer, query, block) if renderer else ""

    return handle


def _page_part(renderer: EventRenderer | None, block: FenceBlock) -> str:
    """`timeline filters` and `timeline year N`, written by the page template."""
    if renderer is None:
        return ""  # timeline.yaml has errors, reported on their own
    if block.page != renderer.page:
        raise UserError(f"`timeline {block.args}` is only for the generated timeline page", block.position,
                        "write ```timeline with a YAML body (category, tags, from, to) in articles")
    if block.args == "filters":
        return filter_form(renderer.timeline)
    if block.args.split()[0] == "year":
        return _year(renderer, block)
    raise UserError(f"unknown `timeline {block.args}`", block.position,
                    "the page template can use `timeline filters` and `timeline year N`")


def _year(renderer: EventRenderer, block: FenceBlock) -> str:
    words = block.args.split()
    if len(words) != 2 or not words[1].isdigit():
        raise UserError(f"`timeline {block.args}` needs a year, e.g. `timeline year 2024`", block.position,
                        "check the timeline page template in templates/")
    year = int(words[1])
    events = renderer.timeline.by_year.get(year, [])
    return renderer.events(events, renderer.page_url, f' data-year="{year}" aria-labelledby="{year}"')


def _slice(renderer: EventRenderer, query: SliceQuery, block: FenceBlock) -> str:
    at_url = renderer.site.pages[block.page]
    events = [e for e in renderer.timeline.events if query.matches(e)]
    listing = (renderer.events(events, at_url) if events
               else '<p class="sb-timeline-slice__empty">No events match.</p>\n')
    more = relative_url(at_url, renderer.page_url)
    return (f'<div class="sb-timeline-slice">\n{listing}<p class="sb-timeline-slice__more">'
            f'<a href="{escape(more)}">The full timeline</a></p>\n</div>\n')

