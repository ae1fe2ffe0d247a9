"""Social cards: a 1200×630 PNG per page with its title, rendered by vl-convert.

Material's social plugin needs Cairo and Pillow (native libraries); vl-convert is already our chart
renderer, ships its own fonts and needs nothing native, so a card is a Vega-Lite spec of text marks.
Text goes into the spec as literal mark values, never as expressions, so any title is just text.
A card takes ~25 ms to draw, so cards are kept in a cache folder keyed by their spec: a rebuild
(and every live-preview rebuild) only draws the cards whose title changed. The cache is the
user's (`~/.cache/site-builder`), not the project's, so building never adds files to a repository.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import vl_convert

from site_builder.xmltext import xml_text

WIDTH, HEIGHT = 1200, 630
TITLE_LINE_CHARS = 30
"""Characters per line that fit the card at the title's font size (measured with vl-convert's sans)."""
TITLE_MAX_LINES = 4


@dataclass(frozen=True)
class CardStyle:
    background: str = "#3f51b5"
    """Material's default `indigo` primary, matching the scaffolded palette."""
    text: str = "#ffffff"
    muted: str = "#e8eaf6"


def title_lines(title: str) -> list[str]:
    """The title wrapped to the card; an overlong title ends with an ellipsis."""
    lines = textwrap.wrap(" ".join(title.split()), TITLE_LINE_CHARS, break_long_words=True) or [""]
    if len(lines) > TITLE_MAX_LINES:
        lines = lines[:TITLE_MAX_LINES]
        lines[-1] = lines[-1][: TITLE_LINE_CHARS - 1].rstrip() + "…"
    return lines


def _text(text: str | list[str], y: int, size: int, color: str, **extra: Any) -> dict[str, Any]:
    return {"mark": {"type": "text", "text": text, "x": 80, "y": y, "fontSize": size, "color": color,
                     "align": "left", "font": "sans-serif", **extra}}


def card_spec(title: str, site_name: str, style: CardStyle = CardStyle()) -> dict[str, Any]:
    """The Vega-Lite spec of one card: the title in large type, the site's name at the foot."""
    title, site_name = xml_text(title), xml_text(site_name)
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH, "height": HEIGHT, "padding": 0, "autosize": {"type": "none"},
        "background": style.background,
        "config": {"view": {"stroke": None}},
        "data": {"values": [{}]},
        "layer": [
            _text(title_lines(title), 90, 64, style.text, baseline="top", fontWeight="bold", lineHeight=78),
            _text(site_name, HEIGHT - 70, 30, style.muted, baseline="bottom"),
        ],
    }


def user_cache_dir() -> Path:
    """Where cards are cached: `$XDG_CACHE_HOME/site-builder/social-cards` (default `~/.cache/…`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "site-builder" / "social-cards"


def _cached_card(spec: dict[str, Any], cache_dir: Path) -> Path:
    key = hashlib.sha256(json.dumps([spec, getattr(vl_convert, "__version__", "")], sort_keys=True).encode()).hexdigest()
    return cache_dir / f"{key}.png"


def write_card(title: str, site_name: str, cache_dir: Path | None, dest: Path) -> None:
    """Put the card at `dest`: a hard link to the cached card when there is one (a rebuild of a
    large site then writes no image data), else the drawn bytes."""
    if cache_dir is not None:
        cached = _cached_card(card_spec(title, site_name), cache_dir)
        if cached.is_file():
            try:
                dest.unlink(missing_ok=True)
                os.link(cached, dest)
                return
            except OSError:
                pass  # another filesystem: copy the bytes instead
    dest.write_bytes(render_card(title, site_name, cache_dir))


def render_card(title: str, site_name: str, cache_dir: Path | None = None) -> bytes:
    """The card as PNG bytes, from `cache_dir` when the same card was drawn before."""
    spec = card_spec(title, site_name)
    if cache_dir is None:
        return bytes(vl_convert.vegalite_to_png(spec, scale=1))
    cached = _cached_card(spec, cache_dir)
    if cached.is_file():
        return cached.read_bytes()
    png = bytes(vl_convert.vegalite_to_png(spec, scale=1))
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a concurrent build never reads half a card.
        fd, partial = tempfile.mkstemp(dir=cache_dir, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(png)
        os.replace(partial, cached)
    except OSError:
        pass  # a read-only or full cache only costs speed
    return png
