"""One SVG render recoloured per palette draws exactly what a render per palette draws."""

from __future__ import annotations

import re
from typing import Any

import pytest
import vl_convert as vlc

from site_builder.charts.render import THEMES, compile_vega, palette_svgs, recolourable, themed

ROWS = [{"year": y, "region": r, "value": (y * 7 + i) % 97} for y in range(2000, 2012)
        for i, r in enumerate(["China", "US", "EU"])]
X = {"field": "year", "type": "ordinal"}
Y = {"field": "value", "type": "quantitative"}
SPECS: dict[str, dict[str, Any]] = {
    "lines with a legend and a title": {"title": "Downloads", "mark": "line",
                                        "encoding": {"x": X, "y": Y, "color": {"field": "region", "type": "nominal"}}},
    "one-colour bars": {"mark": "bar", "encoding": {"x": X, "y": Y}},
    "heatmap with a gradient legend": {"mark": "rect", "encoding": {"x": X, "y": {"field": "region", "type": "nominal"},
                                                                    "color": Y}},
    "text marks": {"mark": "text", "encoding": {"x": X, "y": {"field": "region", "type": "nominal"},
                                                "text": {"field": "value"}}},
    "facets": {"facet": {"row": {"field": "region"}}, "spec": {"mark": "area", "encoding": {"x": X, "y": Y}}},
    "pie": {"mark": "arc", "encoding": {"theta": {**Y, "aggregate": "sum"}, "color": {"field": "region"}}},
    "an author's scheme and colours": {"mark": {"type": "point", "stroke": "#212121"}, "encoding": {
        "x": X, "y": Y, "color": {"field": "region", "scale": {"scheme": "tableau10"}}}},
    "an author's colour that is a stand-in": {"mark": {"type": "bar", "color": "#0b5e00"}, "encoding": {"x": X, "y": Y}},
    "category colours blended by a continuous scale": {"mark": "point", "encoding": {
        "x": X, "y": Y, "color": {**Y, "scale": {"range": "category"}}}},
    "category colours binned by a discrete scale": {"mark": "point", "encoding": {
        "x": X, "y": Y, "color": {**Y, "scale": {"type": "quantize", "range": "category"}}}},
}

RENDERED_TWICE = {"an author's colour that is a stand-in", "category colours blended by a continuous scale"}


def direct(vega: dict[str, Any], palette: str) -> str:
    # Gradient ids count up across renders in one process; charts scope them per figure anyway.
    return re.sub(r"gradient_\d+", "gradient", vlc.vega_to_svg(themed(vega, THEMES[palette]), allowed_base_urls=[]))


@pytest.mark.parametrize("name", SPECS)
def test_recoloured_svgs_equal_a_render_per_palette(name: str) -> None:
    vega = compile_vega({"data": {"values": ROWS}, **SPECS[name]})
    light, dark = (re.sub(r"gradient_\d+", "gradient", svg) for svg in palette_svgs(vega))
    assert light == direct(vega, "light") and dark == direct(vega, "dark")
    assert light != dark
    assert recolourable(vega) == (name not in RENDERED_TWICE)  # the common charts take the one-render path
