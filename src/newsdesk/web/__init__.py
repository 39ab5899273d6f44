"""``newsdesk serve``: a local web app and JSON API over the archive (read-only)."""

from __future__ import annotations

from newsdesk.web.app import create_app

__all__ = ["create_app"]
