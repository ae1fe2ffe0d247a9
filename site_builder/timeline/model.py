"""What authors write in `content/data/timeline.yaml`, as pydantic models, and the resolved timeline.

A date keeps the precision it was written with (`2024`, `2024-05`, `2024-05-12`) and is displayed
with it. Sources are a model of their own so citation keys can join them later.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator

from site_builder.content.sources import KEY_PATTERN
from site_builder.errors import SourcePosition
from site_builder.markdown.links import AnchorLink

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
TIMELINE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
"""A category key or an event id: also a CSS class part and an HTML id."""
# Unknown keys are typos; a number where text is expected (`tags: [2024]`, `label: 5G`) is fine as text.
_STRICT_FIELDS = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
DATE_HINT = "write YYYY, YYYY-MM or YYYY-MM-DD with a real month and day, e.g. 2024-05-12"


@dataclass(frozen=True, order=True)
class EventDate:
    """A date with the precision it was written with; orders by its first day."""

    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def parse(cls, value: Any) -> EventDate:
        """From YAML: an int year, a `datetime.date`, or text `YYYY`, `YYYY-MM`, `YYYY-MM-DD`."""
        if isinstance(value, EventDate):
            return value
        # ValueError, not TypeError: pydantic reports only ValueError as the author's mistake.
        if isinstance(value, dt.datetime):
            raise ValueError(f"a date without a time is expected; {DATE_HINT}")  # noqa: TRY004
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise ValueError(f"not a date; {DATE_HINT}")  # noqa: TRY004
        match = _DATE.match(str(value).strip())
        if not match:
            raise ValueError(f"`{value}` is not a date; {DATE_HINT}")
        year, month, day = (int(g) if g else None for g in match.groups())
        assert year is not None
        if year == 0:  # Python's dates start at year 1
            raise ValueError(f"`{value}` has no year 0; {DATE_HINT}")
        if month is not None and not 1 <= month <= 12:
            raise ValueError(f"`{value}` has no month {month}; {DATE_HINT}")
        if day is not None and month is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise ValueError(f"`{value}` is not a day of {calendar.month_name[month]} {year}; {DATE_HINT}")
        return cls(year, month, day)

    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    @property
    def last_day(self) -> dt.date:
        month = self.month or 12
        return dt.date(self.year, month, self.day or calendar.monthrange(self.year, month)[1])

    @property
    def iso(self) -> str:
        """`2024`, `2024-05` or `2024-05-12`: valid in `<time datetime>` and in ids."""
        parts = [f"{self.year:04d}"] + [f"{p:02d}" for p in (self.month, self.day) if p is not None]
        return "-".join(parts)

    @property
    def display(self) -> str:
        """`2024`, `May 2024` or `12 May 2024`."""
        if self.month is None:
            return str(self.year)
        month = calendar.month_name[self.month]
        return f"{self.day} {month} {self.year}" if self.day is not None else f"{month} {self.year}"


DateValue = Annotated[EventDate, BeforeValidator(EventDate.parse)]


def _one_or_many(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


class Category(BaseModel):
    """`categories: {key: {label, color}}`; the colour is a hex colour, used for the dot and the chart."""

    model_config = _STRICT_FIELDS

    label: str
    color: str

    @field_validator("color")
    @classmethod
    def _hex_color(cls, value: str) -> str:
        if not _COLOR.match(value):
            raise ValueError(f"`{value}` is not a colour; write a hex colour such as #1f77b4 or #c33")
        return value.lower()


def check_web_url(value: str) -> str:
    """An absolute http(s) URL; anything else (javascript:, data:, relative paths) is refused."""
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"`{value}` is not a web address; write a full URL starting with https://")
    return value.strip()


class Source(BaseModel):
    """A source of an event: written out as `{title, url}`, or the key of an entry in sources.yaml."""

    model_config = _STRICT_FIELDS

    key: str | None = None
    title: str = ""
    url: str = ""

    @model_validator(mode="before")
    @classmethod
    def _key_or_mapping(cls, value: Any) -> Any:
        return {"key": value} if isinstance(value, str) else value

    @field_validator("key")
    @classmethod
    def _valid_key(cls, value: str | None) -> str | None:
        if value is not None and not re.match(f"^{KEY_PATTERN}$", value):
            raise ValueError(f"`{value}` is not a source key; write a key of sources.yaml or `{{title, url}}`")
        return value

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str) -> str:
        return check_web_url(value) if value else value

    @model_validator(mode="after")
    def _complete(self) -> Source:
        if self.key is None and not (self.title and self.url):
            raise ValueError("needs a `title` and a `url`, or a key of sources.yaml; add the missing one")
        return self


class Image(BaseModel):
    """An image file in the content folder (relative to the content root) and its alt text."""

    model_config = _STRICT_FIELDS

    src: str
    alt: str = ""


def _image(value: Any) -> Any:
    return {"src": value} if isinstance(value, str) else value


class TimelineEvent(BaseModel):
    """One entry of `events:` as written."""

    model_config = _STRICT_FIELDS

    date: DateValue
    title: str
    body: str = ""
    category: str
    tags: Annotated[list[str], BeforeValidator(_one_or_many)] = []
    sources: list[Source] = []
    link: str | None = None
    id: str | None = None
    image: Annotated[Image | None, BeforeValidator(_image)] = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("is empty; write the event's title")
        return value.strip()

    @field_validator("tags")
    @classmethod
    def _clean_tags(cls, value: list[str]) -> list[str]:
        tags = [tag.strip() for tag in value]
        if any(not tag for tag in tags):
            raise ValueError("a tag is empty; remove it")
        return list(dict.fromkeys(tags))

    @field_validator("id")
    @classmethod
    def _id(cls, value: str | None) -> str | None:
        if value is not None and (not TIMELINE_KEY.match(value) or value.isdigit()):
            raise ValueError(f"`{value}` cannot be an id; use letters, digits, - and _ (not only digits)")
        return value


class TimelineFile(BaseModel):
    """The file's top level; each category and event is validated on its own so all errors show."""

    model_config = _STRICT_FIELDS

    categories: dict[str, Any]
    events: list[Any] = []


@dataclass(frozen=True)
class Event:
    """A validated event, resolved against the site: its id, link target and image file are known."""

    id: str
    date: EventDate
    title: str
    body: str
    category: str
    tags: tuple[str, ...]
    sources: tuple[Source, ...]
    link: tuple[str, str] | None
    """(page path relative to the content root, anchor or '')."""
    image: Image | None
    body_position: SourcePosition
    order: int
    """Position in the file, so same-date events keep file order."""


@dataclass
class Timeline:
    """The site's timeline: categories in file order and events in chronological order."""

    path: str
    categories: dict[str, Category]
    events: list[Event] = field(default_factory=list)
    anchor_links: list[AnchorLink] = field(default_factory=list)
    """Links to `page#anchor` from events, checked once every page is rendered."""
    sourced: list[tuple[SourcePosition, bool]] = field(default_factory=list)
    """Each valid event's position and whether it lists a source, for `check`'s missing-source report."""

    @property
    def tags(self) -> list[str]:
        """Every tag, sorted case-insensitively."""
        return sorted({t for e in self.events for t in e.tags}, key=lambda t: (t.casefold(), t))

    @property
    def years(self) -> list[int]:
        return list(self.by_year)

    @cached_property
    def by_year(self) -> dict[int, list[Event]]:
        """Events grouped by year, in order (the page renders one list per year)."""
        groups: dict[int, list[Event]] = {}
        for event in self.events:
            groups.setdefault(event.date.year, []).append(event)
        return groups
