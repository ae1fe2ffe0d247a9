"""Pure chart rendering: a Vega-Lite spec (data inlined) → Vega spec + light/dark SVG + PNG.

vl-convert compiles Vega-Lite to Vega once and renders it to SVG once; the palettes are Vega
configs laid *under* the spec's own config (an author's `config` wins), both here for the static
SVGs and in the browser, where `sb-charts.js` passes the same config to `vega.parse` when the
reader toggles the palette.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib.metadata import version
from typing import Any

import vl_convert as vlc

from site_builder.charts.model import ChartOutput
from site_builder.xmltext import xml_safe

COLUMN_WIDTH = 640
"""Pixel width of a chart that follows the column, for the static SVG (the browser re-measures)."""
COLUMN_HEIGHT = 360
"""Total pixel height of such a chart at `COLUMN_WIDTH`; it keeps these proportions when resized."""
FONT = "-apple-system, BlinkMacSystemFont, Helvetica, Arial, sans-serif"
_MULTI_VIEW = ("hconcat", "vconcat", "concat", "facet", "repeat")


MARK_COLOR = "#5b8def"
"""One-colour marks: Vega-Lite bakes this into the spec, so it is chosen to read on both palettes
(≥ 3:1 against white and against Material's slate background)."""


def _palette(text: str, muted: str, grid: str, category: list[str]) -> dict[str, Any]:
    guide = {"labelColor": muted, "titleColor": text, "labelFont": FONT, "titleFont": FONT}
    return {
        "background": "transparent",
        "range": {"category": category},
        "font": FONT,
        "axis": {**guide, "domainColor": muted, "tickColor": muted, "gridColor": grid},
        "legend": guide,
        "title": {"color": text, "subtitleColor": muted, "font": FONT},
        "style": {"guide-label": {"fill": muted}, "guide-title": {"fill": text}, "cell": {"stroke": grid}},
        "text": {"fill": text},
    }


_SCHEMES: dict[str, tuple[str, str, str, list[str]]] = {
    # Material's `default` and `slate` schemes: text at .87/.54 opacity and its hairline grey.
    # Category colours: Tableau 10 on light; lighter tints of it on dark, for contrast on slate.
    "light": ("#212121", "#5f6368", "#e0e0e0",
              ["#4c78a8", "#f58518", "#e45756", "#72b7b2", "#54a24b",
               "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac"]),
    "dark": ("#e2e4f3", "#aeb2c8", "#4a4e62",
             ["#7aa6dc", "#ffa94d", "#ff8a80", "#8fd5d0", "#7fcf74",
              "#f4d96b", "#d09fc4", "#ffc2c8", "#c9a58c", "#d6cfcb"]),
}
THEMES: dict[str, dict[str, Any]] = {name: _palette(*scheme) for name, scheme in _SCHEMES.items()}

# The palettes differ only in colours, and Vega writes a configured colour into the SVG as given, so
# one render with unlikely stand-in colours, recoloured per palette, equals one render per palette
# (a third of a chart's build time saved). Other specs (see `recolourable`) are rendered twice.
_STAND_INS = [f"#0b5e{n:02x}" for n in range(3 + len(_SCHEMES["light"][3]))]
_STAND_IN_THEME = _palette(_STAND_INS[0], _STAND_INS[1], _STAND_INS[2], _STAND_INS[3:])
_RECOLOUR = {name: dict(zip(_STAND_INS, [*scheme[:3], *scheme[3]], strict=True)) for name, scheme in _SCHEMES.items()}
_STAND_IN = re.compile("|".join(_STAND_INS))
_DISCRETE = {"ordinal", "band", "point", "quantize", "quantile", "threshold", "bin-ordinal"}


def follows_column(spec: dict[str, Any]) -> bool:
    """A single view without a set width takes the column's width (and is resized in the browser)."""
    encoding = spec.get("encoding") or {}
    return ("width" not in spec and not any(k in spec for k in _MULTI_VIEW)
            and not any(k in encoding for k in ("row", "column", "facet")))


def prepare(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec as compiled: one that follows the column is sized as a whole box (`fit`), so the
    browser can scale it to the column at the static SVG's proportions — no layout shift."""
    config = spec.get("config") or {}
    spec = {**spec, "config": {**config, "mark": {"color": MARK_COLOR, **(config.get("mark") or {})}}}
    if not follows_column(spec):
        return spec
    size = {"width": COLUMN_WIDTH, "height": spec.get("height", COLUMN_HEIGHT)}
    return {"autosize": {"type": "fit", "contains": "padding"}, **spec, **size}


def themed(vega: dict[str, Any], theme: dict[str, Any]) -> dict[str, Any]:
    """The Vega spec with a palette under its own config (mirrors `vega.parse(spec, config)`)."""
    return {**vega, "config": merge(theme, vega.get("config") or {})}


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep merge: `over` wins, dicts merge key by key."""
    out = dict(base)
    for key, value in over.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def compile_vega(spec: dict[str, Any]) -> dict[str, Any]:
    """Vega-Lite → Vega; the white background vl-convert adds is dropped so the palette shows."""
    vega: dict[str, Any] = vlc.vegalite_to_vega(prepare(spec))
    if "background" not in spec and "background" not in (spec.get("config") or {}):
        vega.pop("background", None)
    return vega


MAX_PIXELS = 4_000_000
"""Largest chart drawn (e.g. 2,000 × 2,000): its PNG at twice the size takes 64 MB."""


def render_chart(spec: dict[str, Any]) -> ChartOutput:
    """Compile and render a self-contained Vega-Lite spec (data inline) for both palettes."""
    vega = compile_vega(xml_safe(spec))  # a control character in the data would abort vl-convert
    # No base URL is allowed: a build never fetches from the network (data is inlined by then).
    svg_light, svg_dark = palette_svgs(vega)
    width, height = svg_size(svg_light)
    if width * height > MAX_PIXELS:  # vl-convert aborts the process when the PNG's memory is refused
        raise ValueError(f"the chart is {width:,.0f} × {height:,.0f} pixels, over the {MAX_PIXELS:,} pixel limit: "
                         "give it a smaller width, height or step")
    png = vlc.svg_to_png(svg_light, scale=2)  # from the SVG: half the cost of rendering again
    return ChartOutput(vega=vega, svg_light=svg_light, svg_dark=svg_dark, png=bytes(png), width=width, height=height)


def palette_svgs(vega: dict[str, Any]) -> tuple[str, str]:
    """The light and the dark static SVG of a compiled chart."""
    # No base URL is allowed: a build never fetches from the network (data is inlined by then).
    if not recolourable(vega):
        return (vlc.vega_to_svg(themed(vega, THEMES["light"]), allowed_base_urls=[]),
                vlc.vega_to_svg(themed(vega, THEMES["dark"]), allowed_base_urls=[]))
    svg = vlc.vega_to_svg(themed(vega, _STAND_IN_THEME), allowed_base_urls=[])
    return recolour(svg, _RECOLOUR["light"]), recolour(svg, _RECOLOUR["dark"])


def recolourable(vega: dict[str, Any]) -> bool:
    """Whether a stand-in render can be recoloured: no stand-in in the spec itself, and category
    colours only ever picked, not blended (a continuous scale over them interpolates new colours)."""
    return (not _STAND_IN.search(json.dumps(vega))
            and all(scale.get("type", "linear") in _DISCRETE for scale in _category_scales(vega)))


def _category_scales(group: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The scales (of the spec and its nested groups) that take the palette's category colours."""
    yield from (scale for scale in group.get("scales", []) if scale.get("range") == "category")
    for mark in group.get("marks", []):
        yield from _category_scales(mark)


def recolour(svg: str, colours: dict[str, str]) -> str:
    return _STAND_IN.sub(lambda found: colours[found.group(0)], svg)


def compile_one(spec: dict[str, Any]) -> ChartOutput | str:
    """Worker entry point: an output, or vl-convert's message for the author."""
    try:
        return render_chart(spec)
    except ValueError as exc:  # vl-convert reports compile/render failures as ValueError
        lines = [line.strip() for line in str(exc).splitlines() if not line.strip().startswith("at ")]
        return " ".join(line for line in lines if line)[:300] or type(exc).__name__  # without the JS stack


def svg_size(svg: str) -> tuple[float, float]:
    found = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    return (float(found.group(1)), float(found.group(2))) if found else (float(COLUMN_WIDTH), 300.0)


def library_versions() -> str:
    """Part of every cache key: a new vl-convert (Vega, Vega-Lite) must recompile every chart."""
    return f"vl-convert {version('vl-convert-python')} vega {vlc.get_vega_version()}"
