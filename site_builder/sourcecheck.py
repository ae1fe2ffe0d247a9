"""`check --strict-sources`: every chart and timeline event must name a source.

Features hand over `(position, has_source)` items (the timeline loader and the chart build record
them); an item without a source is a warning, or an error with `--strict-sources`.
"""

from __future__ import annotations

from collections.abc import Iterable

from site_builder.errors import SourcePosition, UserError, WarningCode, make_warning

SourcedItem = tuple[SourcePosition, bool]


def missing_sources(items: Iterable[SourcedItem], what: str, strict: bool) -> tuple[list[UserError], list[UserError]]:
    """(errors, warnings) for the items without a source; errors only when `strict`."""
    problems = [make_warning(WarningCode.MISSING_SOURCE, f"{what} has no source", position,
                             f"add a `source` to this {what} (citation key or title and url)")
                for position, has_source in items if not has_source]
    return (problems, []) if strict else ([], problems)
