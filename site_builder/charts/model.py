"""What authors write around a chart (title, description, source, caption) and what a chart becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

from site_builder.errors import SourcePosition

EXTRA_KEYS = ("title", "description", "source", "caption")
"""Keys site-builder takes out of a spec before Vega-Lite sees it."""


class ChartSource(BaseModel):
    """`source: {text: ..., url: ...}` — the line under the chart saying where the data is from."""

    model_config = ConfigDict(extra="forbid")
    text: str
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _web_url(cls, value: str | None) -> str | None:
        # A source link is shown to readers: only web links, never `javascript:` and friends.
        if value is not None and not value.lower().startswith(("https://", "http://")):
            raise ValueError("must be an http:// or https:// URL")
        return value


class ChartMeta(BaseModel):
    """The extra keys on any chart: accessible name and description, source line, caption."""

    model_config = ConfigDict(extra="forbid")
    title: str | None = None
    description: str | None = None
    source: ChartSource | None = None
    caption: str | None = None
    """Markdown, rendered with raw HTML off."""


@dataclass(frozen=True)
class ChartJob:
    """One validated chart waiting to be compiled: the spec has its data inlined."""

    key: str
    """Content hash of spec, theme and library versions: the cache key and the file stem."""
    spec: dict[str, Any]
    meta: ChartMeta
    position: SourcePosition
    page: str
    table: list[dict[str, Any]] = field(default_factory=list)
    """The rows of the chart's main data, for the Data table and the CSV download."""


@dataclass(frozen=True)
class ChartOutput:
    """A compiled chart: the Vega spec for the browser and static renderings per palette."""

    vega: dict[str, Any]
    svg_light: str
    svg_dark: str
    png: bytes
    width: float
    height: float
