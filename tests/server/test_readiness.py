"""The service warms up when it starts (models loaded, index touched) and ``/health`` says when it is ready."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

from artscope.embedders.builtin import style, text
from artscope.server import ServerConfig, create_app

from .conftest import UNLIMITED


def wait_ready(client: TestClient, timeout_s: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        response = client.get("/health", params={"ready": True})
        if response.status_code == 200:
            return response.json()
        time.sleep(0.05)
    raise AssertionError("the service never became ready")


def test_health_says_ready_once_the_models_are_loaded(collection_dir: Path) -> None:
    app = create_app(collection_dir, ServerConfig(**UNLIMITED))
    text._models_lock.acquire()  # the warm-up's text model load waits here
    held = True
    try:
        text._models.clear()  # nothing loaded yet, as in a fresh process
        with style._sessions_lock:
            style._sessions.clear()
        with TestClient(app) as client:
            starting = client.get("/health")
            assert starting.status_code == 200  # alive
            assert starting.json() == {"status": "ok", "collection": "collection", "ready": False}
            probe = client.get("/health", params={"ready": True})
            assert probe.status_code == 503 and probe.headers["retry-after"] == "1"
            text._models_lock.release()
            held = False
            assert wait_ready(client) == {"status": "ok", "collection": "collection", "ready": True}
            # what the first visitor would have waited for is already loaded
            assert text._models and style._sessions
            assert client.post("/api/search", json={"text": "red landscape"}).status_code == 200
    finally:
        if held:
            text._models_lock.release()
