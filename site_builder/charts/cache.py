"""On-disk cache of compiled charts, keyed by a content hash of everything that shapes the output.

`.site-builder-cache/charts/` in the project root (gitignored): one JSON file (Vega spec, SVGs,
size) and one PNG per key. Writes go through a temporary file and a rename, so two builds at
once or a killed build never leave a torn entry.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from site_builder.charts.model import ChartOutput
from site_builder.charts.render import THEMES, library_versions

FORMAT = "5"
"""Bump when the cached shape or the rendering code changes meaningfully."""


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


class ChartCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.hits = 0
        self.misses = 0

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}.json").is_file()

    def get(self, key: str) -> ChartOutput | None:
        if (self.folder, key) in _MEMORY:  # keys are content hashes: the file holds the same output
            self.hits += 1
            return _MEMORY[self.folder, key]
        try:
            entry = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            output = ChartOutput(vega=entry["vega"], svg_light=entry["svg_light"], svg_dark=entry["svg_dark"],
                                 png=base64.b64decode(entry["png"]), width=entry["width"], height=entry["height"])
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
