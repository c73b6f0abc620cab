"""Fixtures of the service tests: a served copy of the synthetic collection, a client, the token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection, draw_artwork, synthetic_artworks

UNLIMITED = {"rate_limit": None, "heavy_rate_limit": None}
"""Test services run many requests from one client: rate limits are tested on their own."""


def write_images(folder: Path, n: int, seed: int) -> None:
    """``n`` synthetic paintings named after the folder (``new-0.png``...): new ids for any collection."""
    folder.mkdir(parents=True)
    for i, art in enumerate(synthetic_artworks(n, seed=seed)):
        draw_artwork(art, size=64, seed=seed * 1000 + i).save(folder / f"{folder.name}-{i}.png")


@pytest.fixture(scope="session")
def token() -> str:
    """The write token of the services that have one."""
    return "test-token-0123456789"


@pytest.fixture(scope="module")
def collection_dir(_built_synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the built synthetic collection for this module's service."""
    path = tmp_path_factory.mktemp("served") / "collection"
    copy_collection(_built_synthetic, path)
    return path


@pytest.fixture(scope="module")
def client(collection_dir: Path) -> Iterator[TestClient]:
    """A read-only service (no token) with a 2 MB upload limit."""
    app = create_app(collection_dir, ServerConfig(max_upload_bytes=2_000_000, **UNLIMITED))
    with TestClient(app) as test_client:
        yield test_client
