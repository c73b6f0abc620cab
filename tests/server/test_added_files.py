"""Curators add files sent with the request (``POST /api/jobs/files``): checked before anything is
written, kept under the collection's ``uploads/`` folder, ingested as a folder with their catalogue, and
resumable though the service has no ingest root."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import write_images
from .test_jobs import wait_for

CATALOGUE = b"id,file,title,artist,date\nsent-0,sent-0.png,A sent harbour,Ida Post,1911\n"


@pytest.fixture(scope="module")
def pictures(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("to-send") / "sent"
    write_images(folder, 2, seed=21)
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def send(client: TestClient, files: list[tuple[str, bytes]], headers: dict[str, str] | None = None):
    return client.post("/api/jobs/files", files=[("files", (name, data)) for name, data in files],
                       headers=headers or {})


def test_uploaded_files_are_kept_and_ingested_with_their_catalogue(curated: TestClient, auth: dict[str, str],
                                                                   pictures: dict[str, bytes],
                                                                   collection_dir: Path) -> None:
    files = [*pictures.items(), ("catalog.csv", CATALOGUE)]
    assert send(curated, files).status_code == 401
    started = send(curated, files, auth)
    assert started.status_code == 202, started.text
    job = wait_for(curated, started.json()["id"])
    assert job["state"] == "done" and job["counts"]["added"] == 2, job
    assert curated.get("/api/artworks/sent-0").json()["record"]["title"] == "A sent harbour"
    (batch,) = (collection_dir / "uploads").iterdir()
    assert sorted(p.name for p in batch.iterdir()) == ["catalog.csv", "sent-0.png", "sent-1.png"]
    assert (batch / "sent-1.png").read_bytes() == pictures["sent-1.png"]
    view = curated.get("/api/artworks/sent-1").json()["record"]["views"][0]["id"]
    assert curated.get(f"/api/images/{view}?size=full").content == pictures["sent-1.png"]
    # the service has no ingest root, yet the job may read its uploaded files again
    resumed = curated.post(f"/api/jobs/{job['id']}/resume", headers=auth)
    assert resumed.status_code == 202, resumed.text
    assert wait_for(curated, job["id"])["state"] == "done"
    assert curated.post("/api/jobs", json={"sources": [str(batch)]}, headers=auth).status_code == 403


@pytest.mark.parametrize(("files", "message"), [
    ([("notes.txt", b"hello")], "notes.txt: artscope adds images"),
    ([("broken.png", b"not a png")], "broken.png:"),
    ([(".hidden.png", b"x")], "'.hidden.png' cannot be kept"),
    ([("catalog.csv", CATALOGUE)], "No image among the files"),
    ([("a.csv", CATALOGUE), ("b.json", b"[]")], "Two catalogues"),
    ([("SENT-0.PNG", b"")], "Two files are named 'SENT-0.PNG'"),
])
def test_files_that_cannot_be_added_are_refused_before_any_is_written(
        curated: TestClient, auth: dict[str, str], pictures: dict[str, bytes], collection_dir: Path,
        files: list[tuple[str, bytes]], message: str) -> None:
    uploads = collection_dir / "uploads"
    before = sorted(uploads.glob("*")) if uploads.exists() else []
    with_a_picture = [("sent-0.png", pictures["sent-0.png"]), *files]  # one good file, then the bad one
    response = send(curated, files if message.startswith("No image") else with_a_picture, auth)
    assert response.status_code == 422 and message in response.json()["detail"], response.text
    assert (sorted(uploads.glob("*")) if uploads.exists() else []) == before


def test_files_is_no_job_id(curated: TestClient, auth: dict[str, str]) -> None:
    assert curated.get("/api/jobs/files", headers=auth).status_code == 405
