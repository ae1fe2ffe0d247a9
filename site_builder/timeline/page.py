"""The markdown of the generated timeline page: the author's intro, then the package's (or their) template.

The template writes markdown (year headings, a `chart` fence, `timeline` fences); the page then goes
through the normal pipeline, so the intro can use data, links and everything else a page can.
"""

from __future__ import annotations

import json
import traceback
from collections import Counter
from pathlib import Path
from typing import Any

import jinja2

from site_builder.errors import SourcePosition, UserError, display_path
from site_builder.sandbox import PageEnvironment
from site_builder.timeline.model import Timeline

PAGE = "timeline.md"
"""The generated page's path in the content folder; an existing file there becomes its intro."""
TEMPLATE = "timeline.md.html"
_PACKAGE_TEMPLATES = Path(__file__).parent / "templates"


def chart_spec(timeline: Timeline) -> dict[str, Any]:
    """A Vega-Lite stacked bar chart of events per year, coloured by category, with inline data."""
    counts = Counter((e.date.year, e.category) for e in timeline.events)
    values = [{"year": str(year), "category": timeline.categories[key].label, "events": n}
              for (year, key), n in sorted(counts.items())]
    return {
        "title": "Events per year",
        "description": "Number of timeline events per year, by category",
        # Counted from the events below, each of which cites its own sources.
        "source": {"text": "the events on this page and their sources"},
        "width": "container",
        "data": {"values": values},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": "Year", "axis": {"labelAngle": 0}},
            "y": {"field": "events", "type": "quantitative", "title": "Events", "stack": True},
            "color": {"field": "category", "type": "nominal", "title": "Category",
                      "scale": {"domain": [c.label for c in timeline.categories.values()],
                                "range": [c.color for c in timeline.categories.values()]}},
        },
    }


def page_markdown(timeline: Timeline, intro: str | None, templates_dir: Path | None, root: Path) -> str:
    """The page's full markdown; `templates_dir` is the project's override folder, if any."""
    context = {
        "has_intro": intro is not None,
        "title": "Timeline",
        "total": len(timeline.events),
        "years": timeline.years,
        "chart": json.dumps(chart_spec(timeline), ensure_ascii=False),
    }
    generated = _render_template(context, templates_dir, root)
    return f"{intro.rstrip()}\n\n{generated}" if intro is not None else generated


def _render_template(context: dict[str, Any], templates_dir: Path | None, root: Path) -> str:
    folders = [d for d in (templates_dir, _PACKAGE_TEMPLATES) if d is not None]
    env = PageEnvironment(loader=jinja2.FileSystemLoader(folders), undefined=jinja2.StrictUndefined,
                          keep_trailing_newline=True, autoescape=False)
    try:
        return env.render(env.get_template(TEMPLATE), context)
    except jinja2.TemplateSyntaxError as exc:
        raise UserError(f"template syntax error: {exc.message}", _where(exc.filename, exc.lineno or 1, root),
                        "fix the Jinja syntax on this line") from None
    except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError, LookupError, AttributeError,
            RecursionError) as exc:
        filename, line = _failing_frame(exc)
        raise UserError(f"template error: {exc}", _where(filename, line, root),
                        "the template gets has_intro, title, total, years and chart") from None


def _failing_frame(exc: BaseException) -> tuple[str | None, int]:
    """The template file and line an error was raised at (Jinja puts template lines in tracebacks)."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(TEMPLATE)]
    return (frames[-1].filename, frames[-1].lineno or 1) if frames else (getattr(exc, "filename", None), 1)


def _where(filename: str | None, line: int, root: Path) -> SourcePosition:
    path = Path(filename) if filename else _PACKAGE_TEMPLATES / TEMPLATE
    return SourcePosition(display_path(path, root), line)
