"""A Wikipedia dump ingested through the API (a real enwiki excerpt, tests/data/wikipedia, CC BY-SA):
the dump's options reach the source, paths stay inside the ingest root, passages come back with
their page, section and images."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from artscope.config import get_settings
from artscope.server import ServerConfig, create_app

from .test_jobs import wait_for

EXCERPT = (Path(__file__).resolve().parents[1] / "data" / "wikipedia"
           / "enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2")


@pytest.fixture(scope="module")
def served(collection_dir: Path, tmp_path_factory: pytest.TempPathFactory, token: str,
           sample_collection_dir: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    root = tmp_path_factory.mktemp("wiki-root")
    shutil.copy(EXCERPT, root / "enwiki-excerpt.xml.bz2")
    (root / "commons").mkdir()
    shutil.copy(sample_collection_dir / "images" / "van-gogh-the-night-cafe.jpg",
                root / "commons" / "JohannesVermeer-TheAstronomer(1668).jpg")
    app = create_app(collection_dir, ServerConfig(token=token, ingest_root=root))
    with pytest.MonkeyPatch.context() as patch, TestClient(app) as client:
        patch.setenv("ARTSCOPE_FETCH_PUBLIC", "false")  # nothing is fetched from outside
        get_settings.cache_clear()
        yield client, {"Authorization": f"Bearer {token}"}
    get_settings.cache_clear()


def test_a_dump_by_category_with_a_folder_of_images(served: tuple[TestClient, dict[str, str]],
                                                    sample_collection_dir: Path) -> None:
    client, auth = served
    body = {"sources": ["enwiki-excerpt.xml.bz2"], "category": "Astronomers", "depth": 0, "images": "commons"}
    started = client.post("/api/jobs", json=body, headers=auth)
    assert started.status_code == 202, started.text
    job = wait_for(client, started.json()["id"])
    assert job["state"] == "done" and (job["counts"]["passages"], job["counts"]["failed"]) == (7, 0), job
    with (sample_collection_dir / "images" / "van-gogh-the-night-cafe.jpg").open("rb") as image:
        image_id = client.post("/api/uploads", files={"file": ("q.jpg", image, "image/jpeg")}).json()["id"]
    hits = client.post("/api/search/passages", json={"image_id": image_id, "limit": 3}).json()["hits"]
    top = hits[0]["passage"]
    assert (top["id"], top["source"], top["url"]) == ("enwiki:580:0", "Wikipedia: Astronomer",
                                                      "https://en.wikipedia.org/wiki/Astronomer")
    assert top["images"] == [{"file": "JohannesVermeer-TheAstronomer(1668).jpg",
                              "caption": "The Astronomer by Johannes Vermeer",
                              "url": "https://upload.wikimedia.org/wikipedia/commons/3/32/"
                                     "JohannesVermeer-TheAstronomer(1668).jpg"}]


@pytest.mark.parametrize("field", ["pages", "images"])
def test_the_dump_options_name_paths_inside_the_root(served: tuple[TestClient, dict[str, str]], field: str) -> None:
    client, auth = served
    body = {"sources": ["enwiki-excerpt.xml.bz2"], field: "/etc"}
    assert client.post("/api/jobs", json=body, headers=auth).status_code == 403
