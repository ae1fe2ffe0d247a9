"""Event markup, shared by the timeline page and the slices in articles, and the page's filter form.

Every string from the data file is escaped here; only an event's body is markdown, rendered by the
site's engine with raw HTML off. URLs are made relative to the page that shows the event, so the
site works under any sub-path. CSS hooks: `ol.sb-timeline`, `li.sb-event`, `.sb-event__*` parts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape

from markdown_it import MarkdownIt

from site_builder.dependencies import effect
from site_builder.errors import UserError
from site_builder.markdown.engine import render_markdown
from site_builder.markdown.links import AnchorLink, LinkContext, SiteLinks, relative_url
from site_builder.timeline.model import Event, Timeline

EFFECT = "timeline"
"""The kind of effect an event body has on the build (`Site.effects`)."""
_BODY_PAGE = "<timeline body>"
"""A stand-in page at the content root: body links are relative to the content root."""


@dataclass
class EventRenderer:
    """Renders events of one timeline for any page of the site."""

    timeline: Timeline
    md: MarkdownIt
    """The engine configured with raw HTML off."""
    site: SiteLinks
    page: str
    """The timeline page's source path (content-root relative)."""
    lines: list[str]
    """timeline.yaml's lines, for positions of errors in bodies."""
    report: Callable[[UserError], None]
    _reported: set[str] = field(default_factory=set)
    _links: dict[str, SiteLinks] = field(default_factory=dict)

    @property
    def page_url(self) -> str:
        return self.site.pages[self.page]

    def body(self, event: Event, at_url: str) -> str:
        """The body's HTML with links relative to `at_url`; its problems are reported once per event."""
        if not event.body.strip():
            return ""
        first = event.body_position.line
        # Only the body's own lines: slicing to the end of the file for every event would be quadratic.
        lines = self.lines[first - 1:first + event.body.count("\n")]
        ctx = LinkContext(_BODY_PAGE, self.timeline.path, self._links_at(at_url), lines, first)
        rendered = render_markdown(self.md, event.body, ctx)
        # Through `effect`: a page showing this event and reused by the preview reports it again.
        effect(EFFECT, (event.id, rendered.errors, rendered.anchor_links), self.note)
        return rendered.html

    def note(self, found: tuple[str, list[UserError], list[AnchorLink]]) -> None:
        """An event body's problems reported and its anchor links kept, for the first page showing it."""
        event_id, errors, anchor_links = found
        if event_id in self._reported:
            return
        self._reported.add(event_id)
        for error in errors:
            self.report(error)
        self.timeline.anchor_links.extend(anchor_links)

    def _links_at(self, at_url: str) -> SiteLinks:
        """The site's links plus the stand-in body page served at `at_url`; made once per page."""
        if at_url not in self._links:
            self._links[at_url] = SiteLinks({**self.site.pages, _BODY_PAGE: at_url}, self.site.files)
        return self._links[at_url]

    def event(self, event: Event, at_url: str) -> str:
        """One `<li class="sb-event">`; on the timeline page it carries the id deep links point at."""
        on_page = at_url == self.page_url
        category = self.timeline.categories[event.category]
        permalink = "#" + event.id if on_page else relative_url(at_url, self.page_url) + "#" + event.id
        parts = [
            (f'<p class="sb-event__when"><time datetime="{event.date.iso}">{escape(event.date.display)}</time>'
            f' <span class="sb-event__category">{escape(category.label)}</span></p>'),
            f'<h3 class="sb-event__title">{escape(event.title)}</h3>',
            self._image(event, at_url),
            f'<div class="sb-event__body">{body}</div>' if (body := self.body(event, at_url)) else "",
            _tags(event.tags),
            _sources(event),
            (f'<p class="sb-event__links">{self._more(event, at_url)}<a class="sb-event__permalink" '
            f'href="{escape(permalink)}">{"Link to this event" if on_page else "See it on the timeline"}</a></p>'),
        ]
        ident = f' id="{escape(event.id)}"' if on_page else ""
        inner = "\n".join(part.strip() for part in parts if part)
        return (f'<li class="sb-event"{ident} data-event="{escape(event.id)}" '
                f'data-category="{escape(event.category)}" data-tags="{escape(json.dumps(event.tags))}" '
                f'style="--sb-category-color: {category.color}">\n{inner}\n</li>')

    def events(self, events: Iterable[Event], at_url: str, attrs: str = "") -> str:
        """An ordered list of events; `attrs` are extra attributes of the `<ol>` (already escaped)."""
        items = "\n".join(self.event(e, at_url) for e in events)
        return f'<ol class="sb-timeline"{attrs}>\n{items}\n</ol>\n'

    def _image(self, event: Event, at_url: str) -> str:
        if event.image is None:
            return ""
        src = relative_url(at_url, self.site.files[event.image.src])
        return (f'<figure class="sb-event__image"><img src="{escape(src)}" alt="{escape(event.image.alt)}" '
                f'loading="lazy"></figure>')

    def _more(self, event: Event, at_url: str) -> str:
        if event.link is None:
            return ""
        page, anchor = event.link
        href = relative_url(at_url, self.site.pages[page]) + (f"#{anchor}" if anchor else "")
        # The hidden words give the link a purpose out of context (screen-reader link lists, WCAG 2.4.4).
        return (f'<a class="sb-event__more" href="{escape(href)}">Read more'
                f'<span class="sb-visually-hidden"> about {escape(event.title)}</span></a> ')


def _tags(tags: Iterable[str]) -> str:
    items = "".join(f'<li class="sb-event__tag">{escape(tag)}</li>' for tag in tags)
    return f'<ul class="sb-event__tags" aria-label="Tags">{items}</ul>' if items else ""


def _sources(event: Event) -> str:
    links = "; ".join(f'<a href="{escape(s.url)}" rel="noopener noreferrer">{escape(s.title)}</a>'
                      for s in event.sources)
    label = "Source" if len(event.sources) == 1 else "Sources"
    return f'<p class="sb-event__sources">{label}: {links}</p>' if links else ""


def filter_form(timeline: Timeline) -> str:
    """The filter controls: hidden until the script runs, so without JavaScript all events simply show."""
    counts: dict[str, int] = {}
    for e in timeline.events:
        counts[e.category] = counts.get(e.category, 0) + 1
    categories = "\n".join(
        f'<label class="sb-filter"><input type="checkbox" name="category" value="{escape(key)}">'
        f'<span class="sb-filter__swatch" style="--sb-category-color: {cat.color}"></span>'
        f'{escape(cat.label)} <span class="sb-filter__count">({counts.get(key, 0)})</span></label>'
        for key, cat in timeline.categories.items())
    tags = "\n".join(f'<label class="sb-filter"><input type="checkbox" name="tag" value="{escape(tag)}">'
                   f'{escape(tag)}</label>' for tag in timeline.tags)
    total = len(timeline.events)
    tag_set = f'<fieldset class="sb-timeline-filters__tags"><legend>Tag</legend>\n{tags}\n</fieldset>\n' if tags else ""
    return (f'<form class="sb-timeline-filters" aria-label="Filter the timeline" hidden>\n'
            f'<fieldset class="sb-timeline-filters__categories"><legend>Category</legend>\n{categories}\n</fieldset>\n'
            f'{tag_set}'
            f'<p class="sb-timeline-filters__status"><span class="sb-timeline-count" role="status" '
            f'aria-live="polite">{total} events</span> <button type="reset" class="md-button">Show all'
            f'</button></p></form>\n')
