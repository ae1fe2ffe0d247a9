"""Complete output trees, one per build, and the pointer to the one being served.

A build writes into a new folder; only a complete, successful build is published, by swapping one
pointer. A request takes the current tree for its whole lifetime, so it gets the old files or the
new ones, never a half-written mix. A replaced tree is removed once no request reads it — except
one, whose files are removed but whose folders are kept as the next build's folder: on some disks
making a folder costs a third of a millisecond, and a 200-page site has 230 of them (the builder
removes the folders a generation does not use). All trees live in one temporary folder that
`close` removes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Generation:
    """One complete output tree and its number (1, 2, …)."""

    root: Path
    number: int
    mount: str = "/"
    """The URL path the site is served under (the path of its `site_url`)."""
    readers: int = 0
    retired: bool = False


class Generations:
    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="site-builder-serve-"))
        self._lock = threading.Lock()
        self._current: Generation | None = None
        self._retired: list[Generation] = []
        self._count = 0
        self._spare: Path | None = None
        """A replaced tree emptied of its files, to build the next generation in."""

    def new_folder(self) -> Path:
        """A folder without files for the next build (it may hold empty folders)."""
        with self._lock:
            self._count += 1
            path = self.folder / f"gen-{self._count}"
            spare, self._spare = self._spare, None
        if spare is not None:
            spare.rename(path)
        else:
            path.mkdir()
        return path

    @property
    def current(self) -> Generation | None:
        return self._current

    @property
    def mount(self) -> str:
        current = self._current
        return current.mount if current else "/"

    def publish(self, root: Path, mount: str = "/") -> Generation:
        """Serve `root` under `mount` from now on; the tree it replaces is removed by `reap` or by its
        last reader."""
        with self._lock:
            old, self._current = self._current, Generation(root, int(root.name.rsplit("-", 1)[1]), mount)
            if old is not None:
                old.retired = True
                self._retired.append(old)
            return self._current

    def reap(self) -> None:
        """Remove replaced trees nobody reads any more (called after browsers were told, not before)."""
        with self._lock:
            idle = [g for g in self._retired if g.readers == 0]
            self._retired = [g for g in self._retired if g.readers > 0]
        for generation in idle:
            self._remove(generation.root)

    def discard(self, root: Path) -> None:
        """Remove a folder that was never published (a failed build)."""
        self._remove(root)

    def _remove(self, root: Path) -> None:
        """Remove a tree nobody reads, or keep its folders as the spare."""
        with self._lock:
            wanted = self._spare is None
        if wanted and _remove_files(root):
            with self._lock:
                if self._spare is None:
                    self._spare = root.rename(self.folder / f"spare-{root.name}")
                    return
        shutil.rmtree(root, ignore_errors=True)

    @contextmanager
    def reading(self) -> Iterator[Generation | None]:
        """The current tree, kept on disk until the block ends."""
        with self._lock:
            generation = self._current
            if generation is not None:
                generation.readers += 1
        try:
            yield generation
        finally:
            if generation is not None:
                with self._lock:
                    generation.readers -= 1
                    last = generation.retired and generation.readers == 0 and generation in self._retired
                    if last:
                        self._retired.remove(generation)
                if last:
                    self._remove(generation.root)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _remove_files(root: Path) -> bool:
    """Remove every file under `root`, keeping the folders; False if that failed."""
    try:
        for dirpath, _dirs, names in os.walk(root):
            for name in names:
                os.unlink(os.path.join(dirpath, name))
    except OSError:
        return False
    return True
