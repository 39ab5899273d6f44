"""Command-line interface (thin: parses options, calls the library)."""

from __future__ import annotations

# Importing a command module registers its commands on the app.
from newsdesk.cli import (  # noqa: F401
    brief,
    core,
    events,
    export,
    extract,
    follow,
    query,
    reuse,
    run,
    serve,
    timeline,
    watch,
)
from newsdesk.cli.app import app


def main() -> None:
    """Entry point of the ``newsdesk`` console script."""
    app()


__all__ = ["app", "main"]
