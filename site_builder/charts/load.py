"""Loading a chart: the fence body or a chart file becomes a Vega-Lite spec with its data inlined.

A `chart` fence holds a spec in YAML (JSON is YAML too) or names a file after the info string,
relative to the content root: `charts/NAME.yaml|json`, or `charts/NAME.py` whose `chart(data)`
returns an Altair chart. `data: {url: data/x.csv}` is read here (same parser as the Jinja step's
data) and inlined, so validation, compilation and the page all see one self-contained spec. Every
file and data value read is recorded as an input of the page's render (`site_builder.dependencies`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from pydantic import ValidationError

from site_builder.charts.model import EXTRA_KEYS, ChartMeta
from site_builder.charts.modules import ModuleRunner
from site_builder.content.data import UnreadableData, parse_data_file
from site_builder.content.yaml_source import ValidationErrors, parse_yaml, validation_errors
from site_builder.dependencies import read_tracked, uses_data, uses_path
from site_builder.errors import SourcePosition, UserError, display_path

MAX_DATA_BYTES = 10_000_000
"""A chart's data file or chart file may be at most this big; a browser cannot draw more points usefully
(a 4 MB chart file made a 70 MB page)."""
CHART_SUFFIXES = (".yaml", ".yml", ".json", ".py")
MODULE_SECONDS = 60.0
"""A chart module that runs longer (importing it and calling `chart(data)`) is stopped: it loops.
Read at each module, so tests may lower it."""


class Locator(Protocol):
    def position(self, loc: Sequence[str | int] = ()) -> SourcePosition: ...


@dataclass(frozen=True)
class FixedLocator:
    """Positions for a spec that has no source text (an Altair chart built in Python)."""

    at: SourcePosition

    def position(self, loc: Sequence[str | int] = ()) -> SourcePosition:
        return self.at


@dataclass(frozen=True)
class ChartContext:
    """What loading needs from the site: where files are and the data the Jinja step sees."""

    root: Path
    """The project root (folder of mkdocs.yml); error paths are relative to it."""
    content_dir: Path
    data: dict[str, Any]
    """The site's loaded data (`data.<stem>`), so a chart's data file is parsed once."""
    data_dir: str = "data"
    """The data folder relative to the content root; its files are looked up in `data`."""
    modules: ModuleRunner = field(default_factory=ModuleRunner, compare=False)
    """Runs this build's chart modules in a worker process."""

    def rel(self, path: Path) -> str:
        return display_path(path, self.root)


@dataclass(frozen=True)
class LoadedChart:
    spec: dict[str, Any]
    """Vega-Lite, without our extra keys, data still as written."""
    meta: ChartMeta
    locator: Locator


def load_chart(body: str, args: str, at: SourcePosition, ctx: ChartContext) -> LoadedChart:
    """The chart a fence describes; `args` is the info string after `chart` (a chart file or empty)."""
    doc = parse_yaml(body, at.path, at.line, words_as_text=True) if body.strip() else None
    written = doc.value if doc is not None else {}
    if not isinstance(written, dict):
        raise UserError("a chart must be a mapping of Vega-Lite keys", at,
                        "write `mark:`, `encoding:` and `data:` lines, or name a chart file after `chart`")
    extras = {k: v for k, v in written.items() if k in EXTRA_KEYS}
    if args:
        if extra := next((k for k in written if k not in EXTRA_KEYS), None):
            raise UserError(f"`{extra}` is not allowed beside a chart file", doc.position([extra]) if doc else at,
                            f"only {', '.join(EXTRA_KEYS)} may be set here; edit the chart file instead")
        spec, locator = load_chart_file(args, at, ctx)
        in_file = _meta({k: spec.pop(k) for k in EXTRA_KEYS if k in spec}, locator)
        in_fence = _meta(extras, doc) if doc is not None else ChartMeta()
        meta = ChartMeta(**{**in_file.model_dump(exclude_unset=True), **in_fence.model_dump(exclude_unset=True)})
        return LoadedChart(spec, meta, locator)
    if doc is None:
        raise UserError("empty chart", at, "write a Vega-Lite spec in the fence or name a chart file after `chart`")
    spec = {k: v for k, v in written.items() if k not in EXTRA_KEYS}
    return LoadedChart(spec, _meta(extras, doc), doc)


def _meta(extras: dict[str, Any], locator: Locator) -> ChartMeta:
    if isinstance(extras.get("title"), dict):
        raise UserError("`title` must be text", locator.position(["title"]),
                        "site-builder shows the title above the chart; style it with CSS (`.sb-chart__title`)")
    try:
        return ChartMeta.model_validate(extras)
    except ValidationError as exc:
        raise ValidationErrors(validation_errors(exc, locator)) from None  # type: ignore[arg-type]


def load_chart_file(written: str, at: SourcePosition, ctx: ChartContext) -> tuple[dict[str, Any], Locator]:
    """A spec from `content/charts/NAME.yaml|json` or from `chart(data)` in `content/charts/NAME.py`."""
    file = _content_file(written, at, ctx, CHART_SUFFIXES, "chart file")
    rel = ctx.rel(file)
    if file.suffix == ".py":
        # The module's text and all of the data it is handed (what it imports is not recorded).
        read_tracked(file, rel)
        uses_data(())
        # In a worker process: the module may hang, end its process or change global state.
        return ctx.modules.run(file, rel, ctx.data, MODULE_SECONDS), FixedLocator(SourcePosition(rel))
    _check_size(file, f"chart file `{written}`", at)  # its data is inlined like a data file's
    doc = parse_yaml(read_tracked(file, rel), rel, words_as_text=True)
    if not isinstance(doc.value, dict):
        raise UserError("a chart file must hold a mapping of Vega-Lite keys", SourcePosition(rel),
                        "start with `mark:`, `encoding:` and `data:`")
    return dict(doc.value), doc


def _content_file(written: str, at: SourcePosition, ctx: ChartContext, suffixes: Sequence[str], what: str) -> Path:
    """A file named relative to the content root, which must exist inside it."""
    path = PurePosixPath(written.strip())
    if "://" in written or path.is_absolute() or ".." in path.parts:
        raise UserError(f"{what} `{written}` must be a path relative to the content folder", at,
                        "write e.g. `data/cities.csv`: no URL, no leading `/`, no `..`")
    if path.suffix.lower() not in suffixes:
        raise UserError(f"{what} `{written}` has an unsupported type", at, f"use one of {', '.join(suffixes)}")
    file = ctx.content_dir / path
    if not uses_path(file):
        raise UserError(f"{what} `{written}` does not exist", at,
                        f"create {ctx.rel(file)} or fix the path (relative to the content folder)")
    return file


def _check_size(file: Path, what: str, at: SourcePosition) -> None:
    size = file.stat().st_size
    if size > MAX_DATA_BYTES:
        raise UserError(f"{what} is {size / 1e6:.1f} MB; a chart takes at most {MAX_DATA_BYTES / 1e6:.1f} MB", at,
                        "aggregate or sample the data first")


def inline_data(spec: Any, locator: Locator, ctx: ChartContext, loc: tuple[str | int, ...] = ()) -> Any:
    """A copy of the spec where every `data: {url: FILE}` holds the file's rows as `values`."""
    if isinstance(spec, list):
        return [inline_data(v, locator, ctx, (*loc, i)) for i, v in enumerate(spec)]
    if not isinstance(spec, dict):
        return spec
    out = {k: inline_data(v, locator, ctx, (*loc, k)) for k, v in spec.items() if k != "data"}
    if "data" in spec:
        out["data"] = _resolve(spec["data"], locator, ctx, (*loc, "data"))
    return out


def _resolve(data: Any, locator: Locator, ctx: ChartContext, loc: tuple[str | int, ...]) -> Any:
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return data
    at = locator.position((*loc, "url"))
    file = _content_file(data["url"], at, ctx, (".csv", ".json", ".yaml", ".yml"), "data file")
    _check_size(file, f"data file `{data['url']}`", at)
    rest = {k: v for k, v in data.items() if k not in ("url", "format")}
    values = _file_values(file, at, ctx)
    fmt = data.get("format")
    prop = fmt.get("property") if isinstance(fmt, dict) else None
    # Vega-Lite's `format.property` picks the rows out of a nested file; the inlined values must be
    # those rows, since `format` is dropped with the url.
    for part in str(prop).split(".") if prop else []:
        if not isinstance(values, dict) or part not in values:
            raise UserError(f"data file `{data['url']}` has no `{prop}`", locator.position((*loc, "format", "property")),
                            "name the key that holds the rows, e.g. `property: events`")
        values = values[part]
    return {**rest, "values": values}


def _file_values(file: Path, at: SourcePosition, ctx: ChartContext) -> Any:
    """The parsed file: from the site's data when it lives in the data folder, else read now."""
    rel = ctx.rel(file)
    try:
        key = file.relative_to(ctx.content_dir / ctx.data_dir).with_suffix("").parts
    except ValueError:
        return parse_data_file(read_tracked(file, rel), rel)
    uses_data(key)
    value: Any = ctx.data
    for part in key:
        if not isinstance(value, dict) or part not in value:
            raise UserError(f"data file {rel} could not be loaded", at, "fix the errors reported for that file")
        value = value[part]
    if isinstance(value, UnreadableData):  # the file has errors, reported at the file
        raise UserError(f"data file {rel} could not be loaded", at, "fix the errors reported for that file")
    return value
