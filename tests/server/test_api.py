"""The read API through an in-process client: meta, search in every mode, records, images, uploads,
limits and bad input (never a 500)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from artscope.tasks.aesthetics import DIMENSIONS
from artscope.testing import claimed_size_png

UPLOAD_LIMIT = 2_000_000
"""The ``client`` fixture's limit."""


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()




def upload(client: TestClient, data: bytes, name: str = "query.png") -> dict:
    response = client.post("/api/uploads", files={"file": (name, data, "image/png")})
    assert response.status_code == 200, response.text
    return response.json()


def test_health_and_meta(client: TestClient) -> None:
    assert client.get("/health").json()["collection"] == "collection"
    meta = client.get("/meta").json()
    assert meta["counts"]["artworks"] == 48
    assert meta["counts"]["passages"] == 8
    assert meta["embedder"]["spec"] == "builtin"
    assert {"artist", "year", "style", "genre"} <= set(meta["fields"])
    assert meta["dimensions"] == DIMENSIONS
    assert meta["writable"] is False
    assert meta["limits"]["max_upload_bytes"] == UPLOAD_LIMIT


def test_text_search_with_facets_filters_and_pages(client: TestClient) -> None:
    first = client.post("/api/search", json={"text": "landscape painted in red", "limit": 5,
                                             "facets": ["artist", "genre"]}).json()
    assert first["hits"][0]["artwork"]["artists"] == ["Ada Rossi"]
    assert sum(first["facets"]["artist"].values()) >= 5
    filtered = client.post("/api/search", json={"text": "landscape", "filters": {"artist": "Ben Blau"},
                                                "limit": 50}).json()
    assert filtered["hits"] and {h["artwork"]["artists"][0] for h in filtered["hits"]} == {"Ben Blau"}
    ranged = client.post("/api/search", json={"text": "painting", "filters": {"year": {"gte": 1880}},
                                              "limit": 50}).json()
    assert ranged["hits"] and all(h["artwork"]["year_start"] >= 1880 for h in ranged["hits"])
    page_two = client.post("/api/search", json={"text": "landscape painted in red", "limit": 5,
                                                "offset": 5}).json()
    ids = {h["artwork"]["id"] for h in first["hits"]}
    assert ids.isdisjoint(h["artwork"]["id"] for h in page_two["hits"])


def test_relevance_cutoff_says_no_good_match(client: TestClient) -> None:
    result = client.post("/api/search", json={"text": "landscape", "min_score": 0.999}).json()
    assert result["hits"] == [] and result["no_good_match"] is True


def test_results_name_no_server_paths(client: TestClient, collection_dir: Path) -> None:
    result = client.post("/api/search", json={"text": "portrait", "limit": 3})
    assert str(collection_dir.parent) not in result.text and "/tmp" not in result.text
    view = result.json()["hits"][0]["artwork"]["views"][0]
    assert view["uri"] == f"/api/images/{view['id']}?size=full"


def test_more_like_this_excludes_the_artwork(client: TestClient) -> None:
    result = client.post("/api/search", json={"artwork_id": "art-0005", "limit": 5}).json()
    assert result["hits"] and "art-0005" not in {h["artwork"]["id"] for h in result["hits"]}


def test_image_search_finds_the_same_file_first(client: TestClient, synthetic_folder: Path) -> None:
    data = (synthetic_folder / "images" / "art-0003.png").read_bytes()
    info = upload(client, data)
    assert info["in_collection"] == "art-0003" and (info["width"], info["height"]) == (96, 96)
    assert upload(client, data)["id"] == info["id"]  # same file, same id
    hits = client.post("/api/search", json={"image_id": info["id"], "limit": 3}).json()["hits"]
    assert (hits[0]["artwork"]["id"], hits[0]["match"]) == ("art-0003", "exact")
    composed = client.post("/api/search", json={"image_id": info["id"], "text": "as a portrait", "limit": 5})
    assert composed.status_code == 200 and composed.json()["hits"]


def test_passage_search(client: TestClient) -> None:
    result = client.post("/api/search/passages", json={"text": "workshop palette stripes", "limit": 3}).json()
    assert result["hits"] and "workshop" in result["hits"][0]["passage"]["text"]
    tied = client.post("/api/search/passages", json={"artwork_id": "art-0000"}).json()
    assert [h["passage"]["id"] for h in tied["hits"]] == ["art-0000-p1"]


def test_dialogue_session_narrows_with_each_answer(client: TestClient) -> None:
    turn = client.post("/api/dialogue", json={"text": "painting", "limit": 48}).json()
    question = turn["question"]
    assert turn["round"] == 1 and question["options"]
    field, choice = question["field"], question["options"][0]
    answered = client.post(f"/api/dialogue/{turn['session_id']}", json={"answer": choice, "limit": 48}).json()
    assert answered["round"] == 2 and answered["filters"][field] == choice
    assert answered["question"] is None or answered["question"]["field"] != field
    current = client.get(f"/api/dialogue/{turn['session_id']}").json()
    assert current["round"] == 2
    assert client.post("/api/dialogue/nope", json={"answer": "x"}).status_code == 404
    assert client.post("/api/dialogue", json={}).status_code == 422


def test_artwork_record_and_list(client: TestClient) -> None:
    detail = client.get("/api/artworks/art-0000").json()
    assert detail["record"]["title"] == "Landscape in red no. 0000"
    assert [p["id"] for p in detail["passages"]] == ["art-0000-p1"]
    page = client.get("/api/artworks", params={"offset": 2, "limit": 3}).json()
    assert page["total"] == 48 and [r["id"] for r in page["items"]] == ["art-0002", "art-0003", "art-0004"]


def test_images_come_from_the_collection_only(client: TestClient, collection_dir: Path) -> None:
    view_id = client.get("/api/artworks/art-0001").json()["record"]["views"][0]["id"]
    thumb = client.get(f"/api/images/{view_id}")
    assert thumb.headers["content-type"] == "image/jpeg" and thumb.content[:2] == b"\xff\xd8"
    full = client.get(f"/api/images/{view_id}", params={"size": "full"})
    assert full.headers["content-type"] == "image/png"
    assert client.get("/api/images/999999").status_code == 404
    assert client.get(f"/api/images/{view_id}", params={"size": "../../catalog.sqlite"}).status_code == 422
    for attempt in ("/api/images/..%2F..%2Fcatalog.sqlite", "/api/images/1%2F..%2F..%2Fartscope.json",
                    "/static/../catalog.sqlite", "/static/..%2F..%2F..%2Fcatalog.sqlite",
                    "/api/artworks/..%2F..%2F..%2F..%2Fetc%2Fpasswd"):
        response = client.get(attempt)
        assert response.status_code in (400, 404, 422), attempt
        assert b"SQLite" not in response.content and b"root:" not in response.content


@pytest.mark.parametrize(("body", "needle"), [
    ({"text": ""}, "Give at least one of text, image_id, artwork_id"),
    ({"text": "x", "filters": {"no_such_field": "a"}}, "Unknown filter field"),
    ({"text": "x", "limit": 0}, "limit"),
    ({"text": "x", "query": "typo"}, "query"),
    ({"image": "/etc/passwd"}, "image"),
    ({"image_id": "never-uploaded"}, "Upload it again"),
])
def test_bad_search_requests_are_refused_with_a_reason(client: TestClient, body: dict, needle: str) -> None:
    response = client.post("/api/search", json=body)
    assert response.status_code in (404, 422)
    assert needle in str(response.json()["detail"])


def test_a_filter_with_a_whole_number_json_cannot_keep_is_refused_by_search_and_dialogue(client: TestClient) -> None:
    """Found by the schemathesis campaign (seed 21): ``POST /api/dialogue`` with such a filter answered 500.
    The schema allows the whole numbers every JSON reader keeps exactly, ±(2**53 - 1)."""
    for route in ("/api/search", "/api/dialogue"):
        for value in (10**22, -(2**63) - 1, 2**53):
            response = client.post(route, json={"text": "painting", "filters": {"year": value}})
            assert response.status_code == 422, (route, value, response.text)
            assert "year" in str(response.json()["detail"])
        assert client.post(route, json={"text": "painting", "filters": {"year": 2**53 - 1}}).status_code == 200


def test_identifying_a_photo_too_small_to_verify_is_a_422_with_the_reason(client: TestClient) -> None:
    """A 4000 x 1 upload in identify mode answered 500 (OpenCV's image pyramid)."""
    uploaded = client.post("/api/uploads", files={"file": ("thin.png", png_bytes(Image.new("RGB", (4000, 1))),
                                                           "image/png")})
    response = client.post("/api/search", json={"image_id": uploaded.json()["id"], "verify": True})
    assert response.status_code == 422 and "needs its shorter side to be at least 64 px" in response.json()["detail"]


def test_unknown_artwork_is_404(client: TestClient) -> None:
    response = client.get("/api/artworks/no-such-work")
    assert response.status_code == 404
    assert response.json() == {"detail": "No artwork with id 'no-such-work' in this collection.",
                               "error": "NotFoundError"}


def test_uploads_refuse_what_is_not_a_safe_image(client: TestClient) -> None:
    for data, needle in ((b"", "empty"), (b"%PDF-1.4 not an image", "not an image"),
                         (claimed_size_png(9_000, 8_000), "over the limit")):
        response = client.post("/api/uploads", files={"file": ("x.png", data, "image/png")})
        assert response.status_code == 422, data[:8]
        assert needle in response.json()["detail"]
    assert client.post("/api/uploads").status_code == 422  # no file at all


def test_oversized_uploads_are_cut_off_on_the_stream(client: TestClient) -> None:
    def chunks():  # no Content-Length: the body arrives chunked
        for _ in range(UPLOAD_LIMIT // 65536 * 4):
            yield b"--b\r\n" + b"x" * 65531

    response = client.post("/api/uploads", content=chunks(),
                           headers={"content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413 and response.json()["error"] == "UploadTooLargeError"
    big = png_bytes(Image.effect_noise((1100, 1100), 90).convert("RGB"))
    assert len(big) > UPLOAD_LIMIT
    declared = client.post("/api/uploads", files={"file": ("big.png", big, "image/png")})
    assert declared.status_code == 413


def test_score_and_infer(client: TestClient, synthetic_folder: Path) -> None:
    stored = client.post("/api/score", json={"artwork_id": "art-0002"}).json()
    assert set(stored["dimensions"]) == set(DIMENSIONS) and 0 <= stored["total"] <= 100
    data = (synthetic_folder / "images" / "art-0002.png").read_bytes()
    uploaded = client.post("/api/score", json={"image_id": upload(client, data)["id"]}).json()
    assert uploaded["total"] == pytest.approx(stored["total"], abs=1.0)
    infer = client.post("/infer", files={"file": ("a.png", data, "image/png")}).json()
    assert set(infer) == {"total_score", "aspect_scores", "aspect_comments"}
    assert set(infer["aspect_scores"]) == set(DIMENSIONS.values())
    assert infer["total_score"] == pytest.approx(uploaded["total"], abs=0.01)
    for body in ({}, {"artwork_id": "art-0002", "image_id": "x"}):
        assert client.post("/api/score", json=body).status_code == 422
    assert client.post("/api/score", json={"artwork_id": "missing"}).status_code == 404
    assert client.post("/infer", files={"file": ("a.txt", b"hello", "text/plain")}).status_code == 422


def test_describe_says_when_no_head_is_trained(client: TestClient) -> None:
    response = client.post("/api/describe", json={"artwork_id": "art-0001"})
    assert response.status_code == 409 and response.json()["error"] == "HeadNotTrainedError"
    assert "train" in response.json()["detail"]
    assert client.post("/api/describe", json={"artwork_id": "art-0001", "top_k": 0}).status_code == 422
    assert client.post("/api/describe", json={}).status_code == 422


def test_ask_answers_with_citations(client: TestClient) -> None:
    answer = client.post("/api/ask", json={"question": "Who painted this?", "artwork_id": "art-0001"}).json()
    assert answer["text"].startswith("Ben Blau")
    assert {"kind": "record-field", "artwork_id": "art-0001", "field": "artists"}.items() <= \
        answer["citations"][0].items()
    assert client.post("/api/ask", json={"question": ""}).status_code == 422
    assert client.post("/api/ask", json={"question": "Who?", "artwork_id": "nope"}).status_code == 404


def test_ask_streams_steps_then_the_answer(client: TestClient) -> None:
    body = {"question": "When was it made?", "artwork_id": "art-0001"}
    with client.stream("POST", "/api/ask/stream", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [block.split("\n", 1) for block in response.read().decode().split("\n\n") if block]
    kinds = [head.removeprefix("event: ") for head, _ in events]
    assert kinds[0] == "step" and kinds[-1] == "answer"
    final = json.loads(events[-1][1].removeprefix("data: "))["answer"]
    assert final["text"].startswith("1859") and final["citations"][0]["field"] == "date"
    refused = client.post("/api/ask/stream", json={"question": "Who?", "artwork_id": "nope"})
    assert refused.status_code == 404 and refused.json()["error"] == "NotFoundError"  # before any event


def test_page_and_assets_are_served_without_external_references(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "<title>artscope</title>" in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("app.js", "api.js", "search.js", "artwork.js", "analysis.js", "radar.js", "zoom.js",
                  "app.css"):
        response = client.get(f"/static/{asset}")
        assert response.status_code == 200, asset
        assert "http://" not in response.text.replace("http://www.w3.org/2000/svg", "")
        assert "https://" not in response.text


def test_unknown_routes_answer_json_404(client: TestClient) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json()["error"] == "NotFoundError"


def test_a_service_without_a_token_is_read_only(client: TestClient) -> None:
    for path in ("/api/jobs", "/api/jobs/describe", "/api/jobs/some-job/cancel", "/api/jobs/some-job/resume"):
        body = {"sources": ["https://example.org/manifest.json"]} if path == "/api/jobs" else {}
        response = client.post(path, json=body, headers={"Authorization": "Bearer anything"})
        assert response.status_code == 403, path
        assert "read-only" in response.json()["detail"]
