"""Curators train heads and choose the page's facets through the API: a training job (progress, held-out
metrics in ``/meta``, a failure that leaves the old head in place, resume), and the facets kept in the
collection's manifest."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from artscope.manifest import Manifest

from .test_jobs import wait_for


def test_a_training_job_stores_a_head_whose_metrics_meta_shows(curated: TestClient, auth: dict[str, str]) -> None:
    assert curated.post("/api/jobs/train", json={"head": "attributes"}).status_code == 401
    started = curated.post("/api/jobs/train", json={"head": "attributes", "fields": ["artist"], "epochs": 5},
                          headers=auth)
    assert started.status_code == 202 and started.json()["kind"] == "train"
    job = wait_for(curated, started.json()["id"])
    assert job["state"] == "done", job
    assert job["counts"]["fields"] == 1 and 1 <= job["counts"]["epochs"] <= 5 and job["progress"]["percent"] == 100
    head = next(h for h in curated.get("/meta").json()["heads"] if h["kind"] == "attributes")
    assert set(head["metrics"]) == {"artist"} and 0 < head["metrics"]["artist"]["accuracy"] <= 1
    audit = curated.get(f"/api/audit?target={job['id']}", headers=auth).json()
    assert [e["action"] for e in audit] == ["job.train"] and audit[0]["details"]["fields"] == ["artist"]


def test_a_failed_training_job_says_why_and_keeps_the_old_head(curated: TestClient, auth: dict[str, str]) -> None:
    before = curated.get("/meta").json()["heads"]
    started = curated.post("/api/jobs/train", json={"head": "aesthetics", "score_field": "no_such_field"},
                          headers=auth).json()
    job = wait_for(curated, started["id"])
    assert job["state"] == "failed" and "numeric 'no_such_field' field" in job["message"]
    assert curated.get("/meta").json()["heads"] == before
    resumed = curated.post(f"/api/jobs/{job['id']}/resume", headers=auth)
    assert resumed.status_code == 202 and resumed.json()["kind"] == "train"
    assert wait_for(curated, job["id"])["state"] == "failed"


@pytest.mark.parametrize("body", [{"head": "vlm"}, {"head": "attributes", "epochs": 0},
                                  {"head": "attributes", "fields": []}, {"head": "attributes", "steps": 3}])
def test_training_requests_are_strict(curated: TestClient, auth: dict[str, str], body: dict) -> None:
    assert curated.post("/api/jobs/train", json=body, headers=auth).status_code == 422


def test_train_is_no_job_id(curated: TestClient, auth: dict[str, str]) -> None:
    assert curated.get("/api/jobs/train", headers=auth).status_code == 405
    assert curated.post("/api/jobs/train/cancel", headers=auth).status_code == 404


def test_curators_choose_the_facets_of_the_page(curated: TestClient, auth: dict[str, str],
                                               collection_dir: Path) -> None:
    assert curated.get("/meta").json()["facets"] is None
    choice = curated.get("/openapi.json").json()["components"]["schemas"]["FacetChoice"]["properties"]["facets"]
    named = next(v["items"]["enum"] for v in choice["anyOf"] if v.get("type") == "array")
    assert "artist" in named and "year" not in named  # the schema says which fields, as the route checks
    assert curated.put("/api/facets", json={"facets": ["type"]}).status_code == 401
    chosen = curated.put("/api/facets", json={"facets": ["type", "artist", "type"]}, headers=auth)
    assert chosen.status_code == 200 and chosen.json() == {"facets": ["type", "artist"]}
    assert curated.get("/meta").json()["facets"] == ["type", "artist"]
    assert Manifest.read(collection_dir).facets == ["type", "artist"]
    refused = curated.put("/api/facets", json={"facets": ["year", "artist_id"]}, headers=auth)
    assert refused.status_code == 422 and "year, artist_id cannot be a facet" in refused.json()["detail"]
    assert curated.get("/meta").json()["facets"] == ["type", "artist"]
    entry = curated.get("/api/audit?limit=1", headers=auth).json()[0]
    assert entry["action"] == "collection.facets" and entry["details"]["after"] == ["type", "artist"]
    assert curated.put("/api/facets", json={"facets": None}, headers=auth).json() == {"facets": None}
    assert curated.get("/meta").json()["facets"] is None
