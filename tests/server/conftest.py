"""Fixtures of the service tests: a served copy of the synthetic collection, a client, the token; for the
browser tests, Debian's chromium driven by Playwright and the folder screenshots go to."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from artscope import faults
from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection, draw_artwork, synthetic_artworks

UNLIMITED = {"rate_limit": None, "heavy_rate_limit": None}
"""Test services run many requests from one client: rate limits are tested on their own."""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


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


@pytest.fixture(scope="module")
def curated(collection_dir: Path, token: str) -> Iterator[TestClient]:
    """A service with a token and no ingest root; its client sends no token unless told to."""
    with TestClient(create_app(collection_dir, ServerConfig(token=token, **UNLIMITED))) as client:
        yield client


@pytest.fixture(scope="module")
def auth(token: str) -> dict[str, str]:
    """The header that carries the write token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Debian's ``chromium``) driven by Playwright; the test is skipped without them."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.skip("no chromium on PATH (Debian: apt-get install chromium)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the browser tests save their screenshots: ``$ARTSCOPE_SCREENSHOTS`` (CI keeps them), or a
    temporary folder."""
    folder = Path(os.environ.get("ARTSCOPE_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def browser_tab(browser: Any, base_url: str, **options: Any) -> Iterator[Any]:
    """A tab in a context of its own (1280 × 900 unless ``options`` say otherwise) on the service; a
    script error in the page fails the test."""
    context = browser.new_context(**({"viewport": {"width": 1280, "height": 900}, "base_url": base_url} | options))
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, errors  # no script error on any page


@pytest.fixture()
def held_ingest(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Ingest jobs (threads of the service, in this process) wait after each committed batch while the
    event is clear: a job queued behind a held one is surely still queued when a test cancels it (in one
    CI run the job ahead had finished first, and the cancel reached the queued one mid-run). Set at the
    start; the test clears it to hold."""
    release = threading.Event()
    release.set()
    reached = faults.reached

    def held(name: str) -> None:
        reached(name)
        if name == "ingest.batch.committed":
            release.wait(120)

    monkeypatch.setattr(faults, "reached", held)
    yield release
    release.set()
