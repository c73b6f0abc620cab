"""Fixtures for the ingest tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

import artscope
from artscope.config import get_settings
from artscope.crashtest import write_sources
from artscope.ingest.sources import SourceOptions

pytest.register_assert_rewrite("same_collection")  # its checks say what differs
from same_collection import DriverEmbeds  # noqa: E402

WIKIPEDIA_EXCERPT = Path(__file__).resolve().parents[1] / "data" / "wikipedia" / \
    "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"


@pytest.fixture
def driver_embeds(monkeypatch: pytest.MonkeyPatch) -> DriverEmbeds:
    return DriverEmbeds(monkeypatch)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
        pass


@pytest.fixture
def http_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 serving a temporary folder: (folder, base URL). The fetch
    policy refuses loopback by default; this test server is allowed."""
    monkeypatch.setenv("ARTSCOPE_FETCH_ALLOW", "127.0.0.1")
    get_settings.cache_clear()
    root = tmp_path / "www"
    root.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=partial(server.serve_forever, poll_interval=0.05), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        get_settings.cache_clear()


@pytest.fixture(scope="session")
def sources(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Twelve images with their catalogue and passages (``artscope.crashtest.write_sources``)."""
    return write_sources(tmp_path_factory.mktemp("sources"), images=12)


@pytest.fixture(scope="session")
def one_process(tmp_path_factory: pytest.TempPathFactory, sources: list[str]) -> Path:
    """The collection one process builds from ``sources``: what parallel and Ray runs must equal."""
    path = tmp_path_factory.mktemp("one-process") / "collection"
    with artscope.create(path) as collection:
        collection.ingest(sources, workers=1)
    return path


@pytest.fixture(scope="session")
def one_process_nostyle(tmp_path_factory: pytest.TempPathFactory, sources: list[str]) -> Path:
    """The collection one process builds from ``sources`` with ``builtin:nostyle``: what re-embedding
    ``one_process`` with that embedder must give."""
    path = tmp_path_factory.mktemp("one-process-nostyle") / "collection"
    with artscope.create(path, embedder="builtin:nostyle") as collection:
        collection.ingest(sources, workers=1)
    return path


@pytest.fixture
def astronomer(tmp_path: Path, sample_collection_dir: Path) -> tuple[str, SourceOptions]:
    """The real enwiki excerpt, and options that take its article "Astronomer", with two of its pictures in
    a folder of Commons files: one a real image, one not an image (the other two are in no folder)."""
    folder = tmp_path / "commons" / "a" / "ab"
    folder.mkdir(parents=True)
    (folder / "JohannesVermeer-TheAstronomer(1668).jpg").write_bytes(
        (sample_collection_dir / "images" / "van-gogh-the-night-cafe.jpg").read_bytes())
    (folder / "Galileo.arp.300pix.jpg").write_bytes(b"not an image")
    titles = tmp_path / "titles.txt"
    titles.write_text("Astronomer\n", encoding="utf-8")
    return str(WIKIPEDIA_EXCERPT), SourceOptions(pages=titles, image_dir=tmp_path / "commons")
