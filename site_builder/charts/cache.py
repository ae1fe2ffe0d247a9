"""On-disk cache of compiled charts, keyed by a content hash of everything that shapes the output.

`.site-builder-cache/charts/` in the project root (gitignored): one JSON file (Vega spec, SVGs,
PNG, size) per key. Writes go through a temporary file and a rename, so two builds at once or a
killed build never leave a torn entry. A build that uses an entry touches it, and after a full
build `prune` removes what no build has used for `MAX_AGE_DAYS`, so the folder does not grow
forever while an author edits charts (every edit is a new key).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import time
from collections import OrderedDict
from collections.abc import Collection
from pathlib import Path
from typing import Any

from site_builder.charts.model import ChartOutput
from site_builder.charts.render import THEMES, library_versions
from site_builder.memory import forgettable

FORMAT = "5"
"""Bump when the cached shape or the rendering code changes meaningfully."""
MAX_AGE_DAYS = 30
"""An entry no build has used for this long is removed after a full build."""


def chart_key(spec: dict[str, Any]) -> str:
    """sha256 of the spec (data inlined), the palettes, the library versions and the cache format."""
    material = json.dumps([FORMAT, library_versions(), THEMES, spec], sort_keys=True, default=str)
    return hashlib.sha256(material.encode()).hexdigest()[:32]


_MEMORY: OrderedDict[tuple[Path, str], ChartOutput] = OrderedDict()
"""The latest charts read or written, by cache folder and key, in memory too: every build of the
live preview fills every chart."""
_MEMORY_SIZE = 64


def _remember(key: tuple[Path, str], output: ChartOutput) -> None:
    _MEMORY[key] = output
    _MEMORY.move_to_end(key)
    while len(_MEMORY) > _MEMORY_SIZE:
        _MEMORY.popitem(last=False)


forgettable(_MEMORY.clear)


class ChartCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}.json").is_file()

    def get(self, key: str) -> ChartOutput | None:
        """The cached output (its entry on disk marked as used now), or None on a miss or a broken entry."""
        path = self.folder / f"{key}.json"
        if (self.folder, key) in _MEMORY:  # keys are content hashes: the file holds the same output
            self.hits += 1
            with contextlib.suppress(OSError):  # pruned meanwhile by another build: memory still has it
                os.utime(path)
            return _MEMORY[self.folder, key]
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            output = ChartOutput(vega=entry["vega"], svg_light=entry["svg_light"], svg_dark=entry["svg_dark"],
                                 png=base64.b64decode(entry["png"]), width=entry["width"], height=entry["height"])
            os.utime(path)
        except (OSError, ValueError, KeyError):
            self.misses += 1
            return None
        self.hits += 1
        _remember((self.folder, key), output)
        return output

    def put(self, key: str, output: ChartOutput) -> None:
        _remember((self.folder, key), output)
        entry = {"vega": output.vega, "svg_light": output.svg_light, "svg_dark": output.svg_dark,
                 "png": base64.b64encode(output.png).decode(), "width": output.width, "height": output.height}
        self.folder.mkdir(parents=True, exist_ok=True)
        temporary = self.folder / f".{key}.{os.getpid()}.tmp"
        temporary.write_text(json.dumps(entry), encoding="utf-8")
        temporary.replace(self.folder / f"{key}.json")

    def prune(self, keep: Collection[str]) -> int:
        """Remove entries (and leftover temporary files) not in `keep` and unused for `MAX_AGE_DAYS`;
        the number removed. Another build or `serve` running meanwhile loses at most an entry it
        has not used for that long: its `get` then misses and it compiles the chart again."""
        cutoff = time.time() - MAX_AGE_DAYS * 86400
        removed = 0
        for path in self.folder.glob("*.json") if self.folder.is_dir() else ():
            removed += _remove_if_older(path, cutoff) if path.stem not in keep else 0
        for path in self.folder.glob(".*.tmp") if self.folder.is_dir() else ():
            removed += _remove_if_older(path, cutoff)
        return removed


def _remove_if_older(path: Path, cutoff: float) -> int:
    try:
        if path.stat().st_mtime >= cutoff:
            return 0
        path.unlink()
    except FileNotFoundError:  # another build pruned it first
        return 0
    return 1
