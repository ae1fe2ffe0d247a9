"""What one process remembers from build to build: results that depend only on their inputs (parsed
YAML and data files, compiled page templates, compiled charts and chart figures, URLs, head tags).

The live preview builds many times in one process and owes much of its speed to them; a
`site-builder build` is a fresh process. `forget` drops them all, so a benchmark that builds
several times in one process measures each build as a fresh process runs it."""

from __future__ import annotations

from collections.abc import Callable

_CLEARS: list[Callable[[], None]] = []


def forgettable(clear: Callable[[], None]) -> None:
    """Register how to empty one of those memories (`lru_cache`'s `cache_clear`, `dict.clear`)."""
    _CLEARS.append(clear)


def forget() -> None:
    for clear in _CLEARS:
        clear()
