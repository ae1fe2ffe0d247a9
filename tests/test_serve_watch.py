"""The source watcher: one rebuild per burst, editors' temp and swap files ignored, renames seen,
and a polling fallback that says so."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from watchdog.observers import Observer

from site_builder.serve import watch
from site_builder.serve.watch import SourceWatcher, ignored


class Calls:
    def __init__(self) -> None:
        self.batches: list[set[str]] = []
        self.event = threading.Event()

    def __call__(self, paths: set[str]) -> None:
        self.batches.append(paths)
        self.event.set()

    def wait(self, timeout: float = 5) -> set[str]:
        assert self.event.wait(timeout), "no rebuild was triggered"
        time.sleep(0.3)  # a second batch, if any, would have arrived by now
        return set().union(*self.batches)


@pytest.fixture
def watched(tmp_path: Path, request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, Calls, list[str]]]:
    if getattr(request, "param", "") == "poll":
        monkeypatch.setenv("SITE_BUILDER_POLL", "1")
    content = tmp_path / "content"
    content.mkdir()
    (content / "page.md").write_text("# Page\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n")
    calls, said = Calls(), []
    watcher = SourceWatcher([content], [tmp_path / "mkdocs.yml"], calls, report=said.append)
    watcher.start()
    yield tmp_path, calls, said
    watcher.stop()


def test_a_burst_of_writes_is_one_rebuild(watched: tuple[Path, Calls, list[str]]) -> None:
    root, calls, said = watched
    for n in range(20):
        (root / "content/page.md").write_text(f"# Page {n}\n")
    assert calls.wait() == {str(root / "content/page.md")}
    assert len(calls.batches) == 1
    assert said == [], "native events work here: no fallback message"


def test_an_atomic_save_counts_and_its_temp_file_does_not(watched: tuple[Path, Calls, list[str]]) -> None:
    root, calls, _ = watched
    temp = root / "content/.page.md.swp"
    temp.write_text("# Saved\n")
    os.replace(temp, root / "content/page.md")
    assert calls.wait() == {str(root / "content/page.md")}


def test_swap_files_alone_trigger_nothing(watched: tuple[Path, Calls, list[str]]) -> None:
    root, calls, _ = watched
    for name in [".page.md.swp", "page.md~", ".#page.md", "4913", "page.md___jb_tmp___"]:
        (root / "content" / name).write_text("x")
    (root / "other.txt").write_text("not a source")
    assert not calls.event.wait(0.5)


def test_new_deleted_and_renamed_files_count(watched: tuple[Path, Calls, list[str]]) -> None:
    root, calls, _ = watched
    (root / "content/new.md").write_text("# New\n")
    (root / "content/page.md").rename(root / "content/moved.md")
    paths = calls.wait()
    assert {str(root / "content" / n) for n in ["new.md", "page.md", "moved.md"]} <= paths


def test_mkdocs_yml_counts(watched: tuple[Path, Calls, list[str]]) -> None:
    root, calls, _ = watched
    (root / "mkdocs.yml").write_text("site_name: y\n")
    assert calls.wait() == {str(root / "mkdocs.yml")}


@pytest.mark.parametrize("watched", ["poll"], indirect=True)
def test_polling_fallback_says_so_and_still_sees_edits(watched: tuple[Path, Calls, list[str]]) -> None:
    root, calls, said = watched
    assert any("polling" in line for line in said)
    (root / "content/page.md").write_text("# Polled\n")
    assert calls.wait() == {str(root / "content/page.md")}


def test_no_native_events_falls_back_to_polling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoInotify(Observer):  # type: ignore[misc, valid-type]
        def start(self) -> None:
            raise OSError(28, "inotify watch limit reached")

    monkeypatch.setattr(watch, "Observer", NoInotify)
    (tmp_path / "page.md").write_text("# Page\n")
    calls, said = Calls(), []
    watcher = SourceWatcher([tmp_path], [], calls, report=said.append)
    watcher.start()
    try:
        assert watcher.polling
        assert "inotify watch limit reached" in said[0] and "polling" in said[0]
        (tmp_path / "page.md").write_text("# Edited\n")
        assert calls.wait() == {str(tmp_path / "page.md")}
    finally:
        watcher.stop()


def test_ignored_names() -> None:
    assert ignored("/x/.page.md.swp") and ignored("/x/page.md~") and ignored("/x/.#page.md")
    assert not ignored("/x/page.md") and not ignored("/x/data/shares.csv")


def test_a_finished_save_rebuilds_without_waiting_for_the_long_quiet_time(tmp_path: Path) -> None:
    """Closing a written file ends a save: the rebuild starts after `settle`, not `debounce`."""
    (tmp_path / "page.md").write_text("# Page\n")
    calls = Calls()
    watcher = SourceWatcher([tmp_path], [], calls, debounce=3.0, settle=0.01, report=lambda _: None)
    watcher.start()
    try:
        started = time.monotonic()
        (tmp_path / "page.md").write_text("# Saved\n")
        assert calls.event.wait(2.0), "a closed file did not end the burst"
        assert time.monotonic() - started < 2.0
        calls.event.clear()
        watcher.notice([str(tmp_path / "page.md")], complete=False)  # a write still in progress
        assert not calls.event.wait(0.5), "an unfinished write waits longer"
        assert calls.event.wait(4.0), "(at most `_MAX_WAIT` after the burst began)"
    finally:
        watcher.stop()
