"""Shared bits of the chart tests: a small site with charts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from site_builder.charts.model import ChartOutput
from site_builder.charts.render import compile_one
from tests.conftest import write_site

CITIES_CSV = (
    "city,pop,note\n"
    "Paris,2.1,\"<script>alert(1)</script>\"\n"
    "Lyon,0.5,\"\"\"><img src=x onerror=alert(2)>\"\n"
    "Nice,0.3,\"</script><b>x</b>\"\n"
    "Brest,-0.1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"\n"  # a formula and a negative number
)

BAR_CHART = """\
```chart
title: Population by city
description: Paris is by far the largest.
source: {text: INSEE census, url: "https://insee.fr"}
caption: Millions of people, *2020*.
data: {url: data/cities.csv}
mark: bar
encoding:
  x: {field: city, type: nominal}
  y: {field: pop, type: quantitative}
  tooltip: [{field: city}, {field: note}]
```
"""


def chart_site(root: Path, pages: dict[str, str], extra: dict[str, str] | None = None) -> Path:
    """A site with `content/data/cities.csv` (holding hostile strings), the given pages and files."""
    files = {"content/data/cities.csv": CITIES_CSV, "content/index.md": "# Home\n\nNo charts here.\n"}
    files.update({f"content/{name}": text for name, text in pages.items()})
    files.update(extra or {})
    return write_site(root, files)


def compile_or_abort(spec: dict[str, Any]) -> ChartOutput | str:
    """A compile worker that dies like vl-convert out of memory, on a spec named `abort`, and has
    a bug (raises) on a spec named `bug`."""
    if spec.get("name") == "abort":
        os.abort()
    if spec.get("name") == "bug":
        raise RuntimeError("a bug in the compile step")
    return compile_one(spec)
