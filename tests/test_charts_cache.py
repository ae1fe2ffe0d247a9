"""Chart cache pruning: entries no build used for a month go after a full build; nothing in use does."""

from __future__ import annotations

import os
import time
from pathlib import Path

from site_builder.charts.cache import MAX_AGE_DAYS, ChartCache
from site_builder.charts.model import ChartOutput
from tests.charts_helpers import BAR_CHART, chart_site

OLD = time.time() - (MAX_AGE_DAYS + 1) * 86400
OUTPUT = ChartOutput(vega={}, svg_light="<svg/>", svg_dark="<svg/>", png=b"png", width=1, height=1)


def age(path: Path, when: float = OLD) -> None:
    os.utime(path, (when, when))


def test_prune_removes_only_old_unused_entries_and_leftovers(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    for key in ("used", "stale", "recent"):
        cache.put(key, OUTPUT)
    (tmp_path / ".killed.123.tmp").write_text("{")
    (tmp_path / ".writing.456.tmp").write_text("{")
    (tmp_path / "README").write_text("not ours")
    for name in ("used.json", "stale.json", ".killed.123.tmp", "README"):
        age(tmp_path / name)
    assert cache.prune({"used"}) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == [".writing.456.tmp", "README", "recent.json", "used.json"]


def test_using_an_entry_keeps_it_young(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    cache.put("k", OUTPUT)
    age(tmp_path / "k.json")
    assert cache.get("k") == OUTPUT
    assert cache.prune(set()) == 0 and (tmp_path / "k.json").exists()


def test_prune_of_a_missing_folder_removes_nothing(tmp_path: Path) -> None:
    assert ChartCache(tmp_path / "none").prune(set()) == 0


def test_full_build_prunes_but_keeps_what_it_used(tmp_path: Path, run_cli) -> None:  # type: ignore[no-untyped-def]
    root = chart_site(tmp_path, {"page.md": "# Charts\n\n" + BAR_CHART})
    folder = root / ".site-builder-cache/charts"
    assert run_cli(root, "build").code == 0
    [used] = folder.glob("*.json")
    ChartCache(folder).put("0" * 32, OUTPUT)  # a chart since deleted from the page
    for entry in folder.glob("*.json"):
        age(entry)
    (root / "content/broken.md").write_text("# Broken\n\n```chart\nmark: nope\n```\n")
    assert run_cli(root, "build").code != 0  # a failed build prunes nothing
    assert len(list(folder.glob("*.json"))) == 2
    (root / "content/broken.md").unlink()
    assert run_cli(root, "build").code == 0
    assert list(folder.glob("*.json")) == [used] and used.stat().st_mtime > OLD + 86400
