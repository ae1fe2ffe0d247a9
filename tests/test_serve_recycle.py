"""The preview builds into a replaced generation's folders (files removed): the published trees,
folders included, stay those of a clean build, and a tree being read is never recycled."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.host.incremental import PreviewBuilder
from site_builder.host.runner import build_site
from site_builder.serve.generations import Generations
from tests.conftest import write_site
from tests.test_serve_equivalence import assert_same_tree, preview_config


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_builds_in_recycled_folders_equal_clean_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pages = {f"content/s{i}/p{i}.md": f"# Page {i}\n\nText [home](../index.md).\n" for i in range(4)}
    root = write_site(tmp_path / "site", {"content/index.md": "# Home\n", "templates/main.html":
                                          '{% extends "base.html" %}\n', **pages}, preview_config("R"))
    builder, generations = PreviewBuilder(root / "mkdocs.yml"), Generations()
    edits = [lambda: None,
             lambda: (root / "content/s1/p1.md").write_text("# Page 1\n\nEdited.\n"),
             lambda: (root / "content/s2/p2.md").unlink(),  # its folder must not stay behind
             lambda: (root / "content/s2/p2.md").write_text("# Back\n")]
    try:
        for step, edit in enumerate(edits):
            edit()
            current = generations.current
            folder = generations.new_folder()
            if step >= 2:
                assert any(folder.iterdir()), "the replaced tree's folders are reused"
                assert not [p for p in folder.rglob("*") if p.is_file()], "but none of its files"
            assert builder.build(folder, current.root if current else None).ok
            generations.publish(folder)
            generations.reap()
            clean = tmp_path / f"clean{step}"
            assert build_site(root / "mkdocs.yml", site_dir=clean).ok
            assert_same_tree(folder, clean, [f"step {step}"])
            assert folders(folder) == folders(clean)
    finally:
        builder.close()
        generations.close()


def test_a_tree_being_read_is_not_recycled(tmp_path: Path) -> None:
    generations = Generations()
    try:
        first = generations.new_folder()
        (first / "page").mkdir()
        (first / "page/index.html").write_text("old")
        generations.publish(first)
        with generations.reading() as reading:
            generations.publish(generations.new_folder())
            generations.reap()
            assert reading is not None and (reading.root / "page/index.html").read_text() == "old"
            spare = generations.new_folder()
            assert not any(spare.iterdir()), "a fresh folder while the old tree is read"
        recycled = generations.new_folder()  # the old tree, released by its last reader
        assert (recycled / "page").is_dir() and not (recycled / "page/index.html").exists()
    finally:
        generations.close()
