"""`check --strict-sources`: every chart and timeline event must name a source.

Features hand over `(position, has_source)` items; an item without a source is a warning, or an
error with `--strict-sources`. Timeline events are read here from `timeline.yaml` (their
`sources:` list); citation keys among them count as citations of sources.yaml.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from site_builder.content.data import read_text
from site_builder.content.sources import SourceRegistry
from site_builder.content.yaml_source import parse_yaml
from site_builder.errors import SourcePosition, UserError, WarningCode, make_warning

SourcedItem = tuple[SourcePosition, bool]


def missing_sources(items: Iterable[SourcedItem], what: str, strict: bool) -> tuple[list[UserError], list[UserError]]:
    """(errors, warnings) for the items without a source; errors only when `strict`."""
    problems = [make_warning(WarningCode.MISSING_SOURCE, f"{what} has no source", position,
                             f"add a `source` to this {what} (citation key or title and url)")
                for position, has_source in items if not has_source]
    return (problems, []) if strict else ([], problems)


def timeline_items(file: Path, rel: str, registry: SourceRegistry) -> tuple[list[SourcedItem], list[UserError]]:
    """Each event of timeline.yaml with whether it lists a source; string sources are cited as keys."""
    if not file.is_file():
        return [], []
    try:
        doc = parse_yaml(read_text(file, rel), rel)
    except UserError:
        return [], []  # the data loader reports the file's syntax errors
    events = doc.value.get("events") if isinstance(doc.value, dict) else None
    if not isinstance(events, list):
        return [], []
    items, errors = [], []
    for index, event in enumerate(events):
        sources = event.get("sources") if isinstance(event, dict) else None
        items.append((doc.position(["events", index]), bool(sources)))
        for number, entry in enumerate(sources if isinstance(sources, list) else []):
            if isinstance(entry, str):
                error = registry.cite(entry, doc.position(["events", index, "sources", number]))
                errors.extend([error] if error else [])
    return items, errors
