"""Who may do what: the token from the environment or a file, private reads, and the checks at start."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from artscope.config import Settings
from artscope.errors import CollectionError, InvalidInputError
from artscope.server import ServerConfig, create_app

from .conftest import UNLIMITED


def test_the_token_comes_from_the_environment_or_a_file(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ARTSCOPE_TOKEN", "ARTSCOPE_TOKEN_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env file either
    assert ServerConfig.from_settings(Settings(token="from-env")).token == "from-env"
    assert ServerConfig.from_settings(Settings()).writable is False
    token_file = tmp_path / "token"
    token_file.write_text("  from-file\n")
    assert ServerConfig.from_settings(Settings(token="from-env"), token_file=token_file).token == "from-file"
    assert ServerConfig.from_settings(Settings(token_file=str(token_file))).token == "from-file"
    limited = ServerConfig.from_settings(Settings(max_upload_bytes=123, request_timeout_s=4.5))
    assert (limited.max_upload_bytes, limited.request_timeout_s) == (123, 4.5)


def test_a_bad_token_file_stops_the_start(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="Cannot read the token file"):
        ServerConfig.from_settings(Settings(), token_file=tmp_path / "missing")
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(InvalidInputError, match="is empty"):
        ServerConfig.from_settings(Settings(), token_file=tmp_path / "empty")


def test_the_app_refuses_what_cannot_work(tmp_path: Path, collection_dir: Path) -> None:
    with pytest.raises(CollectionError, match="not an artscope collection"):
        create_app(tmp_path)
    with pytest.raises(InvalidInputError, match="private reads needs a token"):
        create_app(collection_dir, ServerConfig(public_reads=False))


def test_private_reads_need_the_token(collection_dir: Path, token: str) -> None:
    app = create_app(collection_dir, ServerConfig(token=token, public_reads=False, **UNLIMITED))
    with TestClient(app) as client:
        assert client.get("/health").status_code == 200  # liveness stays public
        assert client.get("/meta").status_code == 401
        assert client.post("/api/search", json={"text": "red"}).status_code == 401
        assert client.get("/api/images/1").status_code == 401
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/meta", headers=headers).json()["public_reads"] is False
        assert client.post("/api/search", json={"text": "red"}, headers=headers).status_code == 200
