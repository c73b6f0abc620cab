"""Ingest jobs through the API: the token, restricted sources, progress with per-item errors, cancel
and resume."""

from __future__ import annotations

import itertools
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from artscope import faults
from artscope.catalog import Catalog
from artscope.server import ServerConfig, create_app
from artscope.server.job_views import TrainRequest
from artscope.tasks.attributes import train

from .conftest import UNLIMITED, write_images

FINISHED = {"done", "failed", "cancelled"}


@pytest.fixture(scope="module")
def ingest_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ingest-root")
    write_images(root / "new", 3, seed=5)
    (root / "new" / "broken.png").write_bytes(b"this is not a png")
    write_images(root / "later", 2, seed=6)
    write_images(root / "queued", 2, seed=7)
    write_images(root / "ahead", 2, seed=8)
    write_images(root / "resumed", 2, seed=9)
    write_images(root / "ending", 1, seed=10)
    os.symlink("/etc", root / "escape")
    return root


@pytest.fixture(scope="module")
def writer(collection_dir: Path, ingest_root: Path, token: str) -> Iterator[TestClient]:
    """A service with a token and an ingest root; its client sends no token unless told to."""
    app = create_app(collection_dir, ServerConfig(token=token, ingest_root=ingest_root, **UNLIMITED))
    with TestClient(app) as client:
        yield client


@pytest.fixture(scope="module")
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def wait_for(client: TestClient, job_id: str, timeout_s: float = 180.0) -> dict:
    """The job in full (asked with the token) once it has finished."""
    deadline = time.monotonic() + timeout_s
    headers = {"Authorization": f"Bearer {client.app.state.artscope.config.token}"}
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}", headers=headers).json()
        if job["state"] in FINISHED:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {timeout_s} s")


def test_writes_need_the_right_token(writer: TestClient) -> None:
    body = {"sources": ["new"]}
    missing = writer.post("/api/jobs", json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = writer.post("/api/jobs", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "wrong" in wrong.json()["detail"]
    assert writer.post("/api/jobs/x/cancel").status_code == 401
    assert writer.get("/api/jobs").status_code == 200  # reads stay public
    assert writer.get("/meta").json()["writable"] is True


@pytest.mark.parametrize(("source", "status"), [
    ("../", 403), ("/etc/passwd", 403), ("escape/passwd", 403), ("file:///etc/passwd", 403),
    ("ftp://example.org/x.csv", 403), ("missing-folder", 404), ("new/../../", 403)])
def test_sources_outside_the_ingest_root_are_refused(writer: TestClient, source: str, status: int,
                                                     auth: dict[str, str]) -> None:
    response = writer.post("/api/jobs", json={"sources": [source]}, headers=auth)
    assert response.status_code == status, response.text
    assert "/etc" not in response.json()["detail"].replace(source, "")


def test_a_sidecar_outside_the_root_is_refused(writer: TestClient, auth: dict[str, str]) -> None:
    response = writer.post("/api/jobs", json={"sources": ["new"], "sidecar": "/etc/hosts"}, headers=auth)
    assert response.status_code == 403
    url = writer.post("/api/jobs", json={"sources": ["new"], "sidecar": "https://example.org/c.csv"}, headers=auth)
    assert url.status_code == 403 and "not a URL" in url.json()["detail"]


def test_a_job_runs_in_the_background_and_reports_item_errors(writer: TestClient,
                                                              auth: dict[str, str]) -> None:
    before = writer.get("/meta").json()["counts"]["artworks"]
    started = writer.post("/api/jobs", json={"sources": ["new"]}, headers=auth)
    assert started.status_code == 202 and started.json()["state"] in {"queued", "running", "done"}
    job = wait_for(writer, started.json()["id"])
    assert job["state"] == "done", job
    assert job["counts"]["added"] == 3 and job["counts"]["failed"] == 1
    assert [e["item_key"] for e in job["errors"]] == ["folder:new#broken.png"]  # paths shown relative
    assert job["sources"] == ["new"]
    assert writer.get("/meta").json()["counts"]["artworks"] == before + 3
    assert writer.get("/api/artworks/new-0").status_code == 200
    assert job["id"] in {j["id"] for j in writer.get("/api/jobs", headers=auth).json()}
    finished = writer.post(f"/api/jobs/{job['id']}/cancel", headers=auth)
    assert finished.status_code == 409 and "not running" in finished.json()["detail"]


def test_a_queued_job_is_cancelled_at_once_and_can_be_resumed(writer: TestClient, auth: dict[str, str],
                                                               held_ingest: threading.Event) -> None:
    held_ingest.clear()  # "later" stops after its first batch until released
    first = writer.post("/api/jobs", json={"sources": ["later"]}, headers=auth).json()
    second = writer.post("/api/jobs", json={"sources": ["queued"]}, headers=auth).json()
    cancelled = writer.post(f"/api/jobs/{second['id']}/cancel", headers=auth)
    assert cancelled.status_code == 202
    job = writer.get(f"/api/jobs/{second['id']}", headers=auth).json()
    assert (job["state"], job["message"]) == ("cancelled", "cancelled before it started")
    assert writer.get(f"/api/jobs/{first['id']}", headers=auth).json()["state"] == "running"
    resumed = writer.post(f"/api/jobs/{second['id']}/resume", headers=auth)  # before the first is done
    assert resumed.status_code == 202 and resumed.json()["id"] == second["id"]
    assert resumed.json()["state"] == "queued"
    held_ingest.set()
    assert wait_for(writer, first["id"])["state"] == "done"
    job = wait_for(writer, second["id"])
    assert (job["state"], job["counts"]["added"]) == ("done", 2)
    assert writer.get("/api/artworks/queued-1").status_code == 200


def test_a_job_resumed_before_its_cancelled_turn_came_runs_as_itself(
        writer: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The turn a cancelled queued job left in the queue comes before the turn of its resumption, and must
    leave it alone: the resumed run shows as running (not interrupted) and can still be cancelled."""
    gates = {1: threading.Event(), 3: threading.Event()}  # "ahead" commits batches 1 and 2, "resumed" 3, 4
    arrivals = itertools.count(1)
    reached = faults.reached

    def held(name: str) -> None:
        reached(name)
        if name == "ingest.batch.committed" and (gate := gates.get(next(arrivals))):
            gate.wait(120)

    monkeypatch.setattr(faults, "reached", held)
    first = writer.post("/api/jobs", json={"sources": ["ahead"]}, headers=auth).json()
    second = writer.post("/api/jobs", json={"sources": ["resumed"]}, headers=auth).json()
    assert writer.post(f"/api/jobs/{second['id']}/cancel", headers=auth).status_code == 202
    assert writer.post(f"/api/jobs/{second['id']}/resume", headers=auth).status_code == 202
    gates[1].set()
    deadline = time.monotonic() + 120
    while (state := writer.get(f"/api/jobs/{second['id']}", headers=auth).json()["state"]) == "queued":
        assert time.monotonic() < deadline, "the resumed job never started"
        time.sleep(0.05)
    assert state == "running"  # held after its first batch
    assert writer.post(f"/api/jobs/{second['id']}/cancel", headers=auth).status_code == 202
    gates[3].set()
    assert wait_for(writer, first["id"])["state"] == "done"
    job = wait_for(writer, second["id"])
    assert (job["state"], job["counts"]["added"]) == ("cancelled", 1)


def test_a_job_that_ends_while_it_is_looked_at_shows_how_it_ended(
        writer: TestClient, auth: dict[str, str], held_ingest: threading.Event,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A view reads the job's row (running), then looks at what this process runs: a job that ended in
    between is not "interrupted" (one CI run's live view ended on that, as the events stream ends there)."""
    runner = writer.app.state.artscope.jobs
    catalog = writer.app.state.artscope.collection.catalog
    held_ingest.clear()
    job_id = writer.post("/api/jobs", json={"sources": ["ending"]}, headers=auth).json()["id"]
    deadline = time.monotonic() + 120
    while writer.get(f"/api/jobs/{job_id}", headers=auth).json()["state"] != "running":  # then held
        assert time.monotonic() < deadline, "the job never started"
        time.sleep(0.05)
    read, raced = catalog.job, []

    def read_then_end(wanted: str) -> dict:
        row = read(wanted)
        if not raced:  # the row says running; the job ends before the view looks any further
            raced.append(row["state"])
            held_ingest.set()
            behind = runner.start_training(TrainRequest(head="aesthetics", score_field="no_such_field"), "test")
            while read(behind)["state"] == "running":  # one worker: the job ahead has been let go
                assert time.monotonic() < deadline, "the job behind never ran"
                time.sleep(0.05)
        return row

    monkeypatch.setattr(catalog, "job", read_then_end)
    view = runner.view(job_id)
    assert raced == ["running"]
    assert view.state == "done"
    assert view.counts["added"] == 1  # the row read again, not the one read while it ran


def test_an_interrupted_job_is_shown_and_resumed(writer: TestClient, collection_dir: Path, ingest_root: Path,
                                                 auth: dict[str, str]) -> None:
    # a job whose process died: the catalog still says "running"
    Catalog(collection_dir / "catalog.sqlite").start_job(
        "killed-job", "ingest", {"locations": [str(ingest_root / "new")], "kind": None, "options": {}})
    assert writer.get("/api/jobs/killed-job").json()["state"] == "interrupted"
    assert writer.post("/api/jobs/killed-job/resume", headers=auth).status_code == 202
    assert wait_for(writer, "killed-job")["state"] == "done"


def test_a_job_with_paths_outside_the_root_is_not_resumed(writer: TestClient, collection_dir: Path,
                                                          auth: dict[str, str]) -> None:
    Catalog(collection_dir / "catalog.sqlite").start_job(
        "cli-job", "ingest", {"locations": ["/somewhere/else"], "kind": None, "options": {}})
    response = writer.post("/api/jobs/cli-job/resume", headers=auth)
    assert response.status_code == 403 and "outside the ingest root" in response.json()["detail"]
    assert "/somewhere" not in response.text  # the path is named as the request named it, never resolved
    shown = writer.get("/api/jobs/cli-job", headers=auth).json()
    assert shown["sources"] == ["…/else"]


def test_unknown_jobs_are_404(writer: TestClient, auth: dict[str, str]) -> None:
    assert writer.get("/api/jobs/nope").status_code == 404
    assert writer.post("/api/jobs/nope/cancel", headers=auth).status_code == 404
    assert writer.post("/api/jobs/nope/resume", headers=auth).status_code == 404


def test_a_describe_all_job_stores_predictions(writer: TestClient, auth: dict[str, str]) -> None:
    untrained = writer.post("/api/jobs/describe", json={"top_k": 2}, headers=auth)
    assert untrained.status_code == 409 and untrained.json()["error"] == "HeadNotTrainedError"
    train(writer.app.state.artscope.collection)  # the service's own open collection
    described = writer.post("/api/describe", json={"artwork_id": "art-0001", "top_k": 2}).json()
    artist = next(f for f in described["fields"] if f["field"] == "artist")
    assert (artist["label"], artist["kind"], len(artist["top_k"])) == ("Ben Blau", "prediction", 2)
    untrained_field = writer.post("/api/describe", json={"artwork_id": "art-0001", "fields": ["medium"]})
    assert untrained_field.status_code == 409 and "does not predict medium" in untrained_field.json()["detail"]
    assert "attributes" in {head["kind"] for head in writer.get("/meta").json()["heads"]}
    assert writer.post("/api/jobs/describe", json={}).status_code == 401
    started = writer.post("/api/jobs/describe", json={"top_k": 2}, headers=auth)
    assert started.status_code == 202 and started.json()["kind"] == "describe"
    job = wait_for(writer, started.json()["id"])
    assert job["state"] == "done" and job["counts"]["predictions"] > 0, job
    stored = writer.get("/api/artworks/art-0001").json()["predictions"]
    artist = [p for p in stored if p["field"] == "artist"]
    assert artist[0]["value"] == "Ben Blau" and artist[0]["task"] == "attributes"
