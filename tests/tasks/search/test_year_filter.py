"""The year filter keeps works whose dates overlap the range asked for, in the Python API and over HTTP:
a work dated "1887-8" is found by 1888-1889 and left out by 1889-1890."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from artscope.server import ServerConfig, create_app
from artscope.testing import draw_artwork, synthetic_artworks


def test_a_work_dated_1887_8_is_found_by_1888_to_1889(synthetic_collection, tmp_path: Path) -> None:
    folder = tmp_path / "dated"
    folder.mkdir()
    draw_artwork(synthetic_artworks(1, seed=5)[0], size=80, seed=99).save(folder / "bridge.png")  # a new file
    (folder / "catalog.csv").write_text("id,file,title,artist,date\n"
                                        "bridge,bridge.png,The yellow bridge,Vincent,1887-8\n")
    collection = synthetic_collection
    collection.ingest([str(folder)])
    assert collection.catalog.get("bridge").year_end == 1888

    def found(years: dict) -> bool:
        hits = collection.search("yellow bridge", filters={"year": years}, limit=50).hits
        return "bridge" in {hit.artwork.id for hit in hits}

    assert found({"gte": 1888, "lte": 1889})
    assert found({"gte": 1880, "lte": 1887})
    assert not found({"gte": 1889, "lte": 1890})
    assert not found({"lte": 1886})
    path = collection.path
    collection.close()
    with TestClient(create_app(path, ServerConfig())) as client:
        body = {"text": "yellow bridge", "filters": {"year": {"gte": 1888, "lte": 1889}}, "limit": 50}
        ids = {hit["artwork"]["id"] for hit in client.post("/api/search", json=body).json()["hits"]}
        assert "bridge" in ids
        body["filters"] = {"year": {"gte": 1889, "lte": 1890}}
        ids = {hit["artwork"]["id"] for hit in client.post("/api/search", json=body).json()["hits"]}
        assert "bridge" not in ids
