"""``newsdesk serve``: a local web app and JSON API over the archive (read-only)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsdesk.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # FastAPI takes about a second to import: only what serves pages pays for it (the
    # CLI imports this package for its options)
    if name == "create_app":
        from newsdesk.web.app import create_app

        return create_app
    raise AttributeError(name)
