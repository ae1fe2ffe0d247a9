"""Charts: Vega-Lite/Altair specs in `chart` fences, validated, pre-rendered to SVG, hydrated by Vega.

Pipeline: `load` (fence or chart file → spec with data inlined) → `validate` (schema + fields)
→ `render` (pure: spec → compiled Vega + light/dark SVG + PNG, via vl-convert) with `cache` and a
process pool in `build` → `html` (the `<figure class="sb-chart">`). `build.ChartBuild` is the
per-build state the host plugin drives; `render.render_chart` is the pure public entry point.
"""

from site_builder.charts.render import render_chart

__all__ = ["render_chart"]
