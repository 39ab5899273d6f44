"""Command-line interface (thin: parses options, calls the library)."""

from __future__ import annotations

# Importing a command module registers its commands on the app.
from newsdesk.cli import brief, core, events, export, extract, reuse, run, serve  # noqa: F401
from newsdesk.cli.app import app


def main() -> None:
    """Entry point of the ``newsdesk`` console script."""
    app()


__all__ = ["app", "main"]
