"""Build errors as the browser overlay shows them: position, message, hint and the source line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from site_builder.errors import UserError, error_source_line


def error_payload(errors: list[UserError], root: Path) -> list[dict[str, Any]]:
    """JSON-ready errors; the client puts every field in the page as text, never as HTML."""
    return [
        {
            "position": str(e.position),
            "message": e.message,
            "hint": e.hint + (f" [{e.code}]" if e.code else ""),
            "source": error_source_line(e, root),
            "column": e.position.column,
        }
        for e in errors
    ]


def internal_error_payload(exc: BaseException) -> list[dict[str, Any]]:
    """A bug in site-builder (not the author's mistake): shown too, so the preview never looks stuck."""
    return [{"position": "site-builder", "message": f"internal error: {type(exc).__name__}: {exc}",
             "hint": "the terminal shows the traceback; please report it", "source": None, "column": 1}]
