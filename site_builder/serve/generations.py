"""Complete output trees, one per build, and the pointer to the one being served.

A build writes into a new folder; only a complete, successful build is published, by swapping one
pointer. A request takes the current tree for its whole lifetime, so it gets the old files or the
new ones, never a half-written mix. A replaced tree is removed once no request reads it. All
trees live in one temporary folder that `close` removes.
"""

from __future__ import annotations

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

    def new_folder(self) -> Path:
        """An empty folder for the next build."""
        with self._lock:
            self._count += 1
            path = self.folder / f"gen-{self._count}"
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
            shutil.rmtree(generation.root, ignore_errors=True)

    def discard(self, root: Path) -> None:
        """Remove a folder that was never published (a failed build)."""
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
                    shutil.rmtree(generation.root, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
