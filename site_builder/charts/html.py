"""The HTML of one chart: `<figure class="sb-chart">` with both static SVGs, the spec, a data table.

Every text from an author or a data file goes through `escape`; the Vega spec is JSON text in an
inert `<template>` with `<`, `>` and `&` written as `\u003c`…, so no value can open or close markup. The static SVGs come from
Vega's own SVG renderer, which escapes text; their ids are scoped per chart so two charts on a
page (or the two palettes of one chart) never share a clip-path id.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from site_builder.charts.model import ChartMeta, ChartOutput

TABLE_ROWS = 500
"""The Data disclosure lists at most this many rows; the CSV download has them all."""
_SVG_ID = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')


@dataclass(frozen=True)
class ChartLinks:
    """Relative URLs (from the page) of the chart's downloads and, when not inline, its spec."""

    csv: str | None
    svg: str
    png: str
    spec: str | None = None


def json_for_script(value: Any) -> str:
    """JSON safe as raw HTML text (and inside `<script>`): no `<`, `>` or `&` is left to open markup."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def scope_svg_ids(svg: str, prefix: str) -> str:
    return _SVG_ID.sub(lambda m: f"{m.group(1)}{prefix}-{m.group(2)}", svg)


def chart_figure(uid: str, output: ChartOutput, meta: ChartMeta, table: list[dict[str, Any]],
                 links: ChartLinks, fit: bool, caption_html: Callable[[str], str]) -> str:
    """The figure: title, static view (light + dark), description, data table, caption, source, spec."""
    title_id, desc_id = f"{uid}-title", f"{uid}-desc"
    label = escape(meta.title or "Chart")
    named_by = f' aria-labelledby="{title_id}"' if meta.title else f' aria-label="{label}"'
    parts = [
        (f'<figure class="sb-chart" id="{uid}" data-sb-chart{" data-sb-fit" if fit else ""}'
         f'{f" data-sb-spec-url={_attr(links.spec)}" if links.spec else ""}>'),
        f'<p class="sb-chart__title" id="{title_id}">{escape(meta.title)}</p>' if meta.title else "",
        (f'<div class="sb-chart__view" role="img" tabindex="0"{named_by}'
         f'{f" aria-describedby={_attr(desc_id)}" if meta.description else ""}>'),
        _static(output.svg_light, f"{uid}-l", "light"),
        _static(output.svg_dark, f"{uid}-d", "dark"),
        '<div class="sb-chart__live" aria-hidden="true"></div>',
        "</div>",
        '<div class="sb-chart__tooltip" role="status" hidden></div>',
        f'<p class="sb-chart__desc" id="{desc_id}">{escape(meta.description)}</p>' if meta.description else "",
        data_table(table, label) if table else "",
        _caption(meta, links, caption_html),
        # A <template>, not a JSON <script>: Material's instant navigation re-runs every content script.
        "" if links.spec else f'<template class="sb-chart__spec">{json_for_script(output.vega)}</template>',
        "</figure>",
    ]
    return "\n".join(p for p in parts if p)


def _attr(value: str) -> str:
    return f'"{escape(value)}"'


def _static(svg: str, prefix: str, palette: str) -> str:
    return (f'<div class="sb-chart__static sb-chart__static--{palette}" aria-hidden="true">'
            f"{scope_svg_ids(svg, prefix)}</div>")


def data_table(rows: list[dict[str, Any]], label: Markup) -> str:
    """A `<details>` "Data" disclosure with the rows as an HTML table (cells as text)."""
    columns = list(dict.fromkeys(k for row in rows[:TABLE_ROWS] for k in row))
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_cell(row.get(c)))}</td>" for c in columns) + "</tr>"
                   for row in rows[:TABLE_ROWS])
    more = (f'<p class="sb-chart__more">First {TABLE_ROWS} of {len(rows)} rows; the CSV download has all.</p>'
            if len(rows) > TABLE_ROWS else "")
    return (f'<details class="sb-chart__data"><summary>Data</summary><div class="sb-chart__table">'
            f"<table><caption>Data for {label}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>{more}</details>")


def _cell(value: Any) -> str:
    return "" if value is None else str(value)


def _caption(meta: ChartMeta, links: ChartLinks, caption_html: Callable[[str], str]) -> str:
    source = ""
    if meta.source:
        text = escape(meta.source.text)
        linked = f'<a href={_attr(meta.source.url)} rel="noopener">{text}</a>' if meta.source.url else text
        source = f'<p class="sb-chart__source">Source: {linked}</p>'
    downloads = [(links.csv, "CSV", "data"), (links.svg, "SVG", "chart"), (links.png, "PNG", "chart")]
    items = " · ".join(f"<a href={_attr(url)} download>{kind}</a>" for url, kind, _ in downloads if url)
    caption = f'<div class="sb-chart__caption">{caption_html(meta.caption)}</div>' if meta.caption else ""
    return (f'<figcaption>{caption}{source}'
            f'<p class="sb-chart__downloads">Download: {items}</p></figcaption>')
