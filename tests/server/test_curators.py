"""Curators over real HTTP on loopback: named tokens, record edits that search sees at once, deletions,
the audit log; a job's progress followed live as server-sent events; per-client rate limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection

from .conftest import UNLIMITED, write_images
from .live import serving

TOKENS = {"alice": "alice-token-0123", "bob": "bob-token-4567"}


@pytest.fixture(scope="module")
def ingest_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("curated-root")
    for i in range(3):
        write_images(root / f"batch-{i}", 12, seed=40 + i)
    return root


@pytest.fixture(scope="module")
def service(_built_synthetic: Path, ingest_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("curated")
    token_file = folder / "tokens"
    token_file.write_text("# curators\n" + "".join(f"{name} {token}\n" for name, token in TOKENS.items()))
    path = copy_collection(_built_synthetic, folder / "collection")
    config = ServerConfig.from_settings(token_file=token_file, ingest_root=ingest_root, **UNLIMITED)
    with serving(create_app(path, config)) as url:
        yield url


def client(url: str, who: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {TOKENS[who]}"} if who else {}
    return httpx.Client(base_url=url, headers=headers, timeout=120)


def test_an_edit_is_seen_by_search_and_logged_with_its_curator(service: str) -> None:
    with client(service, "alice") as alice, client(service) as visitor:
        edited = alice.patch("/api/artworks/art-0007", json={"title": "Zanzibar harbour at dusk",
                                                             "date": "c. 1650", "extra": {"room": "12"}})
        assert edited.status_code == 200, edited.text
        record = edited.json()["record"]
        assert (record["title"], record["year_start"], record["extra"]["room"]) == \
            ("Zanzibar harbour at dusk", 1650, "12")
        hits = visitor.post("/api/search", json={"text": "zanzibar harbour", "limit": 3}).json()["hits"]
        assert hits[0]["artwork"]["id"] == "art-0007"
        dated = visitor.post("/api/search", json={"text": "painting", "limit": 50,
                                                  "filters": {"year": {"lte": 1700}}}).json()["hits"]
        assert [h["artwork"]["id"] for h in dated] == ["art-0007"]
        entry = alice.get("/api/audit", params={"target": "art-0007"}).json()[0]
        assert (entry["actor"], entry["action"]) == ("alice", "artwork.edit")
        assert entry["details"]["changes"]["title"]["to"] == "Zanzibar harbour at dusk"


def test_an_edit_the_index_cannot_hold_is_refused_and_changes_nothing(service: str) -> None:
    """JSON's 1e400 reads as infinity: the edit was stored in the catalog, then failed in the index (500)."""
    with client(service, "alice") as alice:
        before = alice.get("/api/artworks/art-0001").json()
        response = alice.patch("/api/artworks/art-0001", content='{"extra": {"room": 1e400}}',
                               headers={"Content-Type": "application/json"})
        assert response.status_code == 422 and "'room' is inf, not a finite number" in response.json()["detail"]
        assert alice.get("/api/artworks/art-0001").json() == before

def test_curator_writes_need_a_token(service: str) -> None:
    with client(service) as visitor:
        assert visitor.patch("/api/artworks/art-0001", json={"title": "x"}).status_code == 401
        assert visitor.delete("/api/artworks/art-0001").status_code == 401
        assert visitor.delete("/api/passages/art-0001-p1").status_code == 401
        assert visitor.get("/api/audit").status_code == 401
        wrong = visitor.delete("/api/artworks/art-0001", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        assert visitor.get("/api/artworks/art-0001").status_code == 200
    with client(service, "bob") as bob:
        assert bob.patch("/api/artworks/art-0001", json={"views": []}).status_code == 422
        assert bob.patch("/api/artworks/art-0001", json={"title": "t" * 2001}).status_code == 422
        assert bob.patch("/api/artworks/nope", json={"title": "x"}).status_code == 404


def test_a_read_only_service_refuses_curator_writes(_built_synthetic: Path, tmp_path: Path) -> None:
    path = copy_collection(_built_synthetic, tmp_path / "collection")
    with serving(create_app(path, ServerConfig(**UNLIMITED))) as url:
        response = httpx.delete(f"{url}/api/artworks/art-0001", headers={"Authorization": "Bearer x"})
        assert response.status_code == 403 and response.json()["error"] == "NotWritableError"


def test_a_deleted_artwork_is_gone_everywhere(service: str) -> None:
    with client(service, "bob") as bob, client(service) as visitor:
        record = visitor.get("/api/artworks/art-0003").json()["record"]
        view_id = record["views"][0]["id"]
        assert visitor.get(f"/api/images/{view_id}").status_code == 200
        before = visitor.get("/meta").json()["counts"]
        deleted = bob.delete("/api/artworks/art-0003")
        assert deleted.status_code == 200, deleted.text
        assert (deleted.json()["actor"], deleted.json()["details"]["images"]) == ("bob", 1)
        assert visitor.get("/api/artworks/art-0003").status_code == 404
        assert visitor.get(f"/api/images/{view_id}").status_code == 404
        assert visitor.post("/api/search/passages", json={"artwork_id": "art-0003"}).status_code == 404
        hits = visitor.post("/api/search", json={"text": record["title"], "limit": 50}).json()["hits"]
        assert "art-0003" not in {h["artwork"]["id"] for h in hits}
        after = visitor.get("/meta").json()["counts"]
        assert (before["artworks"] - after["artworks"], before["images"] - after["images"]) == (1, 1)
        assert bob.delete("/api/artworks/art-0003").status_code == 404


def test_a_passage_is_deleted(service: str) -> None:
    with client(service, "alice") as alice:
        assert alice.delete("/api/passages/art-0006-p1").json()["action"] == "passage.delete"
        assert alice.get("/api/artworks/art-0006").json()["passages"] == []
        assert alice.delete("/api/passages/art-0006-p1").status_code == 404
        actions = [(e["actor"], e["action"], e["target"]) for e in alice.get("/api/audit").json()]
        assert ("alice", "passage.delete", "art-0006-p1") in actions


def read_events(response: httpx.Response) -> Iterator[tuple[str, dict]]:
    event = None
    for line in response.iter_lines():
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event:
            yield event, json.loads(line.removeprefix("data: "))


def test_a_job_is_followed_live_with_percent_and_time_left(service: str) -> None:
    with client(service, "alice") as alice:
        started = alice.post("/api/jobs", json={"sources": ["batch-0", "batch-1", "batch-2"], "optimize": False})
        assert started.status_code == 202
        job_id = started.json()["id"]
        with alice.stream("GET", f"/api/jobs/{job_id}/events") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            events = list(read_events(response))
    kinds = [kind for kind, _ in events]
    assert kinds[-1] == "end" and set(kinds[:-1]) <= {"progress"}
    final = events[-1][1]
    assert final["state"] == "done" and final["progress"]["percent"] == 100.0 and final["counts"]["added"] == 36
    running = [data["progress"] for kind, data in events if data["state"] == "running" and
               data["progress"]["percent"] is not None]
    assert running, kinds
    percents = [p["percent"] for p in running]
    assert percents == sorted(percents) and 0 < percents[-1] < 100
    assert any(p["eta_s"] is not None and p["eta_s"] > 0 for p in running)
    assert final["sources"] == ["batch-0", "batch-1", "batch-2"]  # the token holder's full view
    with client(service) as visitor:
        with visitor.stream("GET", f"/api/jobs/{job_id}/events") as response:
            [(kind, summary)] = list(read_events(response))
        assert kind == "end" and "sources" not in summary
        assert visitor.get("/api/jobs/no-such-job/events").status_code == 404


def test_rate_limits_answer_429_with_retry_after_per_client(_built_synthetic: Path, tmp_path: Path,
                                                           synthetic_folder: Path) -> None:
    path = copy_collection(_built_synthetic, tmp_path / "collection")
    config = ServerConfig(rate_limit="8/minute", heavy_rate_limit="2/minute")
    image = (synthetic_folder / "images" / "art-0001.png").read_bytes()
    with serving(create_app(path, config)) as url:
        with httpx.Client(base_url=url, timeout=120) as first:
            uploads = [first.post("/api/uploads", files={"file": ("a.png", image, "image/png")}) for _ in range(3)]
            assert [r.status_code for r in uploads] == [200, 200, 429]
            refused = uploads[2]
            assert 1 <= int(refused.headers["retry-after"]) <= 60 and refused.json()["error"] == "RateLimitedError"
            assert "heavy" in refused.json()["detail"]
            light = [first.post("/api/search", json={"text": "red"}).status_code for _ in range(6)]
            assert light == [200] * 5 + [429]  # 3 uploads counted against the general limit too
            assert all(first.get("/health").status_code == 200 for _ in range(10))  # never limited
        # another client address is counted on its own
        with httpx.Client(base_url=url, timeout=120, transport=httpx.HTTPTransport(local_address="127.0.0.2")) \
                as second:
            assert second.post("/api/search", json={"text": "red"}).status_code == 200


def test_rate_limit_settings_are_checked_at_start() -> None:
    with pytest.raises(ValueError, match="not a rate limit"):
        ServerConfig(rate_limit="lots")
    assert ServerConfig(rate_limit="", heavy_rate_limit=" ").rate_limit is None
