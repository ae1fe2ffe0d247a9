"""Charts: Vega-Lite/Altair specs in `chart` fences, validated, pre-rendered to SVG, hydrated by Vega.

Pipeline: `load` (fence or chart file → spec with data inlined) → `validate` (schema + fields)
→ `render` (pure: spec → compiled Vega + light/dark SVG + PNG, via vl-convert) with `cache` and a
process pool in `build` → `html` (the `<figure class="sb-chart">`). `build.ChartBuild` is the
per-build state the host plugin drives; `render.render_chart` is the pure public entry point.

Other features draw a chart by writing a `chart` fence (JSON body, inline `data.values`) into
markdown they generate, or from their own fence handler with
`site.fences["chart"](chart_block(spec, block.position, block.page))`, embedding the HTML returned.
"""

from __future__ import annotations

import json
from typing import Any

from site_builder.charts.render import render_chart
from site_builder.errors import SourcePosition
from site_builder.markdown.fences import FenceBlock

__all__ = ["chart_block", "render_chart"]


def chart_block(spec: dict[str, Any], position: SourcePosition, page: str) -> FenceBlock:
    """A `chart` fence holding `spec` (Vega-Lite plus title/description/source/caption) as JSON."""
    return FenceBlock("chart", "", json.dumps(spec), position, page)
