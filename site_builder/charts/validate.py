"""Validation of a Vega-Lite spec: Altair's schema check, then every encoded field against its data.

Both return positioned `UserError`s (all of them, not just the first) using the spec's locator,
so a misspelled mark or field is reported at its line in the page or chart file.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
from altair.utils.schemapi import validate_jsonschema
from altair.vegalite.v6.schema import core

from site_builder.charts.load import Locator
from site_builder.errors import UserError

DOCS = "https://vega.github.io/vega-lite/docs/"
_QUOTED = re.compile(r"'([^']+)'")
_PRIORITY = {"enum": 0, "additionalProperties": 1, "type": 2}
_VIEW_KEYS = ("layer", "concat", "hconcat", "vconcat")
_DEFAULT_AS = {"fold": ["key", "value"], "density": ["value", "density"], "quantile": ["prob", "value"]}
_UNKNOWN_FIELDS = ("pivot", "lookup", "flatten")
"""Transforms whose output fields depend on data we do not inspect: skip field checks after them."""


@functools.cache
def _schema() -> dict[str, Any]:
    return dict(core.load_schema())


@functools.cache
def _validator() -> Any:
    """A compiled validator: 20x faster than Altair's checker, which we keep for its messages."""
    schema = _schema()
    return jsonschema.validators.validator_for(schema)(schema)


def schema_errors(spec: dict[str, Any], locator: Locator) -> list[UserError]:
    """One error per offending place in the spec, worded from the most specific schema failure."""
    if _validator().is_valid(spec):
        return []
    main = validate_jsonschema(spec, _schema(), raise_error=False)
    if main is None:
        return []
    errors = []
    for group in getattr(main, "_all_errors", {main.json_path: [main]}).values():
        best = min(group, key=lambda e: (_PRIORITY.get(e.validator, 9), len(e.message)))
        loc = list(best.absolute_path)
        where = ".".join(map(str, loc)) or "the chart"
        if best.validator == "additionalProperties" and (names := _QUOTED.findall(best.message)):
            loc.append(names[0])
            message = f"unknown Vega-Lite property `{names[0]}` in {where}"
        else:
            message = f"invalid Vega-Lite at `{where}`: {best.message}"
        hint = "check the spelling" if best.validator in ("enum", "additionalProperties") else "see what it takes"
        errors.append(UserError(message, locator.position(loc), f"{hint} at {DOCS}"))
    return errors


_UNSUPPORTED = {
    "url": "image marks load pictures from other sites, which the built site must not do",
    "href": "links on marks cannot be rendered to the static SVG",
}


def channel_errors(spec: Any, locator: Locator, loc: tuple[str | int, ...] = ()) -> list[UserError]:
    """Encoding channels site-builder refuses (`url`, `href`), in every view of the spec."""
    if isinstance(spec, list):
        return [e for i, child in enumerate(spec) for e in channel_errors(child, locator, (*loc, i))]
    if not isinstance(spec, dict):
        return []
    errors = [UserError(f"the `{channel}` channel is not supported", locator.position((*loc, "encoding", channel)),
                        f"remove it: {why}")
              for channel, why in _UNSUPPORTED.items() if channel in (spec.get("encoding") or {})]
    for key in ("mark", "config", "background", "view"):
        errors += _property_errors(spec.get(key), locator, (*loc, key))
    errors += _sequence_errors(spec.get("data"), locator, (*loc, "data", "sequence"))
    errors += _row_explosion_errors(spec, locator, loc)
    for key in (*_VIEW_KEYS, "spec"):
        if key in spec:
            errors += channel_errors(spec[key], locator, (*loc, key))
    return errors


def _property_errors(value: Any, locator: Locator, loc: tuple[str | int, ...]) -> list[UserError]:
    """The same refusal for a mark's or the config's own `url`/`href` (`mark: {type: image, url: …}`),
    and for `url(…)` paints: the static SVG is inline in the page, so the browser would fetch them."""
    if isinstance(value, list):
        return [e for i, child in enumerate(value) for e in _property_errors(child, locator, (*loc, i))]
    if isinstance(value, dict):
        errors = []
        for key, child in value.items():
            if key in _UNSUPPORTED:
                errors.append(UserError(f"the `{key}` property is not supported", locator.position((*loc, key)),
                                        f"remove it: {_UNSUPPORTED[key]}"))
            else:
                errors += _property_errors(child, locator, (*loc, key))
        return errors
    if isinstance(value, str) and "url(" in value.replace(" ", "").lower():
        return [UserError("a `url(…)` value is not supported", locator.position(loc),
                          "use a colour: `url(…)` would load a file from another site")]
    return []


MAX_SEQUENCE = 1_000_000


def _sequence_errors(data: Any, locator: Locator, loc: tuple[str | int, ...]) -> list[UserError]:
    """A `sequence` generator of millions of rows exhausts the renderer's memory and kills the build."""
    sequence = data.get("sequence") if isinstance(data, dict) else None
    if not isinstance(sequence, dict):
        return []
    start, stop, step = sequence.get("start", 0), sequence.get("stop", 0), sequence.get("step", 1)
    if not all(isinstance(n, (int, float)) for n in (start, stop, step)) or step == 0:
        return []  # the schema check reports a wrong type; Vega-Lite refuses a zero step
    if (stop - start) / step > MAX_SEQUENCE:
        return [UserError(f"this sequence makes {(stop - start) / step:,.0f} rows, over {MAX_SEQUENCE:,}",
                          locator.position(loc), "use a bigger `step` or a shorter range")]
    return []


MAX_GENERATED = 10_000
"""Most points a density, quantile or bin may make: millions exhaust the renderer's memory, which
aborts the whole build (vl-convert's V8 cannot report it as an error)."""


def _row_explosion_errors(spec: dict[str, Any], locator: Locator, loc: tuple[str | int, ...]) -> list[UserError]:
    """Transforms and bins whose parameters ask for millions of rows (`density` with `steps: 1e8`)."""
    checks: list[tuple[tuple[str | int, ...], Any]] = []
    errors = []
    for i, step in enumerate(spec.get("transform") or []):
        if isinstance(step, dict):
            at = (*loc, "transform", i)
            checks += [((*at, "steps"), step.get("steps") if "density" in step else None),
                       ((*at, "step"), 1 / step["step"] if "quantile" in step and _positive(step.get("step")) else None)]
            keyvals = step.get("keyvals") if "impute" in step else None
            errors += _sequence_errors({"sequence": keyvals}, locator, (*at, "keyvals"))
    for channel, definition in (spec.get("encoding") or {}).items():
        binning = definition.get("bin") if isinstance(definition, dict) else None
        if isinstance(binning, dict):
            checks.append(((*loc, "encoding", channel, "bin", "maxbins"), binning.get("maxbins")))
    return errors + [UserError(f"this asks for {value:,.0f} points, over {MAX_GENERATED:,}", locator.position(at),
                               "ask for fewer: the renderer would run out of memory")
                     for at, value in checks if isinstance(value, (int, float)) and value > MAX_GENERATED]


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and value > 0


def field_errors(spec: dict[str, Any], locator: Locator) -> list[UserError]:
    """An error for every encoding field that is not a column of the data it draws from."""
    errors = []
    for loc, name, columns in _encoded_fields(spec, (), None, set()):
        head = re.split(r"(?<!\\)[.\[]", name)[0].replace("\\", "")
        if head not in columns:
            known = ", ".join(f"`{c}`" for c in sorted(columns)) or "none"
            errors.append(UserError(f"field `{name}` is not in the chart's data", locator.position(loc),
                                    f"the data has: {known}"))
    return errors


def _encoded_fields(spec: Any, loc: tuple[str | int, ...], columns: set[str] | None,
                    derived: set[str | None]) -> Iterator[tuple[tuple[str | int, ...], str, set[str]]]:
    """(location, field, known columns) for each field of each view; views inherit data and transforms."""
    if not isinstance(spec, dict):
        return
    if "data" in spec:
        columns = _columns(spec["data"], spec)
    derived = derived | _derived(spec.get("transform", []))
    if columns is not None and None not in derived:
        known = columns | {d for d in derived if d is not None}
        for channel, definition in (spec.get("encoding") or {}).items():
            yield from _fields((*loc, "encoding", channel), definition, known)
    for key in _VIEW_KEYS:
        for i, child in enumerate(spec.get(key) or []):
            yield from _encoded_fields(child, (*loc, key, i), columns, derived)
    if isinstance(spec.get("spec"), dict):
        yield from _encoded_fields(spec["spec"], (*loc, "spec"), columns, derived)


def _fields(loc: tuple[str | int, ...], definition: Any,
            known: set[str]) -> Iterator[tuple[tuple[str | int, ...], str, set[str]]]:
    if isinstance(definition, list):
        for i, item in enumerate(definition):
            yield from _fields((*loc, i), item, known)
    elif isinstance(definition, dict):
        if isinstance(definition.get("field"), str):
            yield (*loc, "field"), definition["field"], known
        if "condition" in definition:
            yield from _fields((*loc, "condition"), definition["condition"], known)


def _columns(data: Any, spec: dict[str, Any]) -> set[str] | None:
    """Column names of inline rows (or of a named dataset); None when we cannot know them."""
    if isinstance(data, dict) and isinstance(data.get("name"), str):
        data = {"values": (spec.get("datasets") or {}).get(data["name"])}
    values = data.get("values") if isinstance(data, dict) else None
    if not isinstance(values, list) or not values or not all(isinstance(r, dict) for r in values[:1000]):
        return None
    return {k for row in values[:1000] for k in row}


def _derived(transforms: Any) -> set[str | None]:
    """Names transforms add (`as`); None in the set means 'unknowable', which disables the check."""
    names: set[str | None] = set()
    for t in transforms if isinstance(transforms, list) else []:
        if not isinstance(t, dict):
            continue
        if any(k in t for k in _UNKNOWN_FIELDS):
            names.add(None)
        kind = next((k for k in _DEFAULT_AS if k in t), None)
        names.update(_as_names(t) or _DEFAULT_AS.get(kind or "", []))
        if "regression" in t or "loess" in t:
            names.update(v for k in ("regression", "loess", "on") if isinstance(v := t.get(k), str))
    return names


def _as_names(value: Any) -> list[str]:
    """Every string under an `as` key, at any depth (aggregate and window nest them in lists)."""
    if isinstance(value, list):
        return [n for v in value for n in _as_names(v)]
    if not isinstance(value, dict):
        return []
    found = [n for n in ([value["as"]] if isinstance(value.get("as"), str) else value.get("as") or [])
             if isinstance(n, str)]
    return found + [n for k, v in value.items() if k != "as" for n in _as_names(v)]
