"""Debian's chromium driven by Playwright, for the browser tests (one launcher for all).

Never `playwright install`: the tests use /usr/bin/chromium and skip with a message when
it (or the playwright package) is missing. No host name resolves inside the browser, so
nothing past this machine can be reached.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # belt and braces: no host name resolves, so nothing past this machine can be reached
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]


def launch_chromium() -> Iterator[Any]:
    """Yield a launched headless chromium (a fixture body), or skip with the reason."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"chromium not found at {CHROMIUM}; install Debian's chromium "
                    "(apt-get install chromium) to run the browser test")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed; install the dev extra "
                    "(.venv/bin/pip install -e '.[dev]') to run the browser test "
                    "(never `playwright install`: the test uses Debian's chromium)")
    # Playwright must never fetch a browser of its own, whatever the environment says.
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
        try:
            yield b
        finally:
            b.close()
