"""Shared fixtures: paths to the bundled example corpus and a fresh in-memory store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


@pytest.fixture
def store() -> Iterator[Store]:
    s = Store(":memory:")
    yield s
    s.close()


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(scope="session")
def ray_local() -> Iterator[str]:
    """One local 2-CPU Ray on 127.0.0.1 for the whole session (starting one takes ~4 s);
    yields its address. Skipped with the reason when Ray is not installed."""
    import os

    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # before Ray is imported: loopback
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    pytest.importorskip(
        "ray", reason="ray is not installed: `pip install -e '.[dev,ray]'` (make setup does) "
                      "to run the Ray runner tests")
    import ray

    from newsdesk.pipeline import start_ray

    start_ray(num_cpus=2)
    address = str(ray.get_runtime_context().gcs_address)
    assert address.startswith("127.0.0.1:"), f"Ray must bind loopback only, got {address}"
    yield address
    ray.shutdown()
