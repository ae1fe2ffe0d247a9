"""Symbolic links in the content folder, checked before anything reads or copies through them.

A link out of the project would publish files from elsewhere on the machine (a link to /etc copies
it into the site); a broken link or one that loops back to its own folder would crash the copy.
Links that stay inside the project are fine. A named pipe, socket or device file is refused too:
reading one waits for a writer that never comes, so the build would hang.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from site_builder.errors import SourcePosition, UserError, display_path


def symlink_error(link: Path, root: Path) -> UserError | None:
    """Why `link` (a symbolic link) cannot be used, or None when it points to a file or folder in
    the project. The position names the link itself, not where it points."""
    where = SourcePosition(f"{display_path(link.parent, root)}/{link.name}")
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # missing target, or a chain of links that loops
        return UserError(f"broken symbolic link (it points to {os.readlink(link)})", where,
                         "fix the link or delete it")
    if not target.is_relative_to(root.resolve()):
        return UserError(f"symbolic link points outside the project, to {target}", where,
                         "copy the file into the project instead; a link out of it would publish files "
                         "from elsewhere on this machine")
    if target.is_dir() and link.parent.resolve().is_relative_to(target):
        return UserError("symbolic link points to a folder that contains it, so it loops", where,
                         "delete the link")
    return None


def special_file_error(path: Path, root: Path) -> UserError | None:
    """Why `path` (not a link) cannot be read, or None for a regular file or a folder."""
    mode = os.lstat(path).st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return UserError("not a regular file (a named pipe, socket or device): reading it would wait forever",
                     SourcePosition(f"{display_path(path.parent, root)}/{path.name}"),
                     "delete it or move it out of the content folder")


def bad_symlinks(folder: Path, root: Path) -> dict[Path, UserError]:
    """Every unusable link under `folder`, found without following any link, and every special file."""
    bad = {}
    for parent, dirs, names in os.walk(folder):
        for name in [*dirs, *names]:
            path = Path(parent, name)
            error = symlink_error(path, root) if path.is_symlink() else special_file_error(path, root)
            if error is not None:
                bad[path] = error
    return bad


def is_under(path: Path, links: dict[Path, UserError]) -> bool:
    """Whether `path` is one of `links` or inside one of them (a linked folder)."""
    return any(path == link or path.is_relative_to(link) for link in links)
