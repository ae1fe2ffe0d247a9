"""Atomic output: a build writes into a staging folder beside the output and swaps it in at the end.

A failed build removes its staging folder and leaves the previous output byte-for-byte as it was.
`write_or_link` writes one output file, or links the previous output's identical one (live preview).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


def write_or_link(target: Path, data: bytes, earlier: Path | None = None) -> bool:
    """Write `data` to `target`, or hard-link `earlier` (the same file in the previous output) when
    it holds exactly these bytes: the live preview does not write unchanged outputs again. True if
    it linked."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if earlier is not None and earlier.stat().st_size == len(data) and earlier.read_bytes() == data:
            os.link(earlier, target)
            return True
    except (FileNotFoundError, NotADirectoryError):
        pass
    target.write_bytes(data)
    return False


class AtomicOutput:
    """A staging folder for `target`, made on the same filesystem so the swap is two renames."""

    def __init__(self, target: Path) -> None:
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.building-", dir=self.target.parent))
        # mkdtemp makes the folder private (0700), which a web server running as another user cannot
        # read once it becomes the output; give it the mode any new folder gets (the umask's).
        probe = self.staging / "mode-probe"
        probe.mkdir()
        self.staging.chmod(probe.stat().st_mode & 0o777)
        probe.rmdir()

    def commit(self) -> Path:
        """Replace the target with the staging folder; returns the target."""
        old = None
        if self.target.exists():
            old = self.target.with_name(f".{self.target.name}.old-{self.staging.name.rsplit('-', 1)[-1]}")
            self.target.rename(old)
        self.staging.rename(self.target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return self.target

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)
