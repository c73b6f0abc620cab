"""Fixtures of the service tests: a served copy of the synthetic collection, a client, the token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection


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
    app = create_app(collection_dir, ServerConfig(max_upload_bytes=2_000_000))
    with TestClient(app) as test_client:
        yield test_client
