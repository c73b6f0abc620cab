"""IIIF out, checked with the official rules: every manifest and collection against the IIIF
Presentation 3 JSON schema of IIIF's presentation-validator, and the Image API service by IIIF's own
image validator (``iiif-validator``) on its own test image, served by the service on loopback."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from jsonschema import Draft7Validator
from PIL import Image

import artscope
from artscope.media.images import content_hash
from artscope.server import ServerConfig, create_app
from artscope.server.iiif import image_api
from artscope.server.iiif.presentation import rights_uri
from artscope.server.routes import iiif as iiif_routes
from artscope.testing import copy_collection

from .live import serving

DATA = Path(__file__).resolve().parents[1] / "data"
SCHEMA = json.loads((DATA / "iiif-presentation-validator" / "iiif_3_0.json").read_text())
TEST_IMAGE = DATA / "iiif-image-validator" / "67352ccc-d1b0-11e1-89ae-279075081939.png"
LEVEL3_CLAIMED = ("rot_full_non90", "rot_region_non90", "rot_mirror", "rot_mirror_180", "size_up")
"""Level-3 features the service offers too (the validator's WebP test is Python 2 code; WebP is checked
below)."""


@pytest.fixture(scope="module")
def served(_built_synthetic: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The synthetic collection plus IIIF's validator test image (1000 x 1000), served on loopback."""
    root = tmp_path_factory.mktemp("iiif")
    path = copy_collection(_built_synthetic, root / "collection")
    folder = root / "validator"
    folder.mkdir()
    shutil.copy(TEST_IMAGE, folder / TEST_IMAGE.name)
    (folder / "catalog.csv").write_text(
        "id,file,title,artist,date,license,credit\n"
        f"iiif-test,{TEST_IMAGE.name},The IIIF test image,IIIF,2012,CC0-1.0,IIIF image-validator (Apache-2.0)\n")
    with artscope.open(path) as collection:
        collection.ingest([str(folder)])
    with serving(create_app(path, ServerConfig())) as url:
        yield url, path


@pytest.fixture(scope="module")
def http(served: tuple[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[0], timeout=60) as client:
        yield client


def schema_errors(document: dict) -> list[str]:
    """What the presentation validator's schema (Draft 7, as the validator runs it) finds wrong."""
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in Draft7Validator(SCHEMA).iter_errors(document)]


def test_the_schema_check_tells_valid_from_broken_documents() -> None:
    folder = DATA / "iiif-presentation-validator"
    assert schema_errors(json.loads((folder / "full_example.json").read_text())) == []
    for broken in ("broken_simple_image.json", "non_cc_license.json"):
        assert schema_errors(json.loads((folder / broken).read_text())), broken


def test_every_manifest_is_valid_and_carries_the_record(http: httpx.Client) -> None:
    collection = http.get("/iiif/collection")
    assert collection.status_code == 200 and collection.headers["access-control-allow-origin"] == "*"
    assert collection.headers["content-type"].startswith("application/ld+json")
    document = collection.json()
    assert schema_errors(document) == []
    assert document["type"] == "Collection" and len(document["items"]) == 49
    for reference in document["items"]:
        url = reference["id"]
        manifest = http.get(url).json()
        assert schema_errors(manifest) == [], url
        assert manifest["id"] == url  # published where its id says (the validator checks it too)
        assert manifest["label"] == reference["label"]
    manifest = http.get("/iiif/artworks/art-0001/manifest").json()
    assert manifest["label"] == {"none": ["Landscape in blue no. 0001"]}
    assert manifest["summary"]["none"][0].startswith("A landscape painted in blue")
    fields = {pair["label"]["en"][0]: pair["value"]["none"] for pair in manifest["metadata"]}
    assert fields["Artist"] == ["Ben Blau"] and fields["Style"] and fields["Genre"]
    canvas = manifest["items"][0]
    body = canvas["items"][0]["items"][0]["body"]
    assert (canvas["width"], canvas["height"]) == (body["width"], body["height"]) == (96, 96)
    assert body["service"][0]["type"] == "ImageService3"
    assert http.get(canvas["thumbnail"][0]["id"]).headers["content-type"] == "image/jpeg"
    record = http.get(manifest["seeAlso"][0]["id"]).json()
    assert record["record"]["id"] == "art-0001"
    assert manifest["service"][0]["type"] == "SearchService2"


def test_rights_and_the_required_statement_come_from_the_record(http: httpx.Client) -> None:
    manifest = http.get("/iiif/artworks/iiif-test/manifest").json()
    assert schema_errors(manifest) == []
    assert manifest["rights"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert manifest["requiredStatement"]["value"] == {"none": ["IIIF image-validator (Apache-2.0)"]}
    assert rights_uri("CC-BY-SA-4.0") == "http://creativecommons.org/licenses/by-sa/4.0/"
    assert rights_uri("https://creativecommons.org/licenses/by/4.0") == "http://creativecommons.org/licenses/by/4.0/"
    assert rights_uri("public-domain") == "http://creativecommons.org/publicdomain/mark/1.0/"
    assert rights_uri("All rights reserved") is None


def test_a_large_collection_is_served_in_valid_parts(http: httpx.Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(iiif_routes, "COLLECTION_PAGE", 20)
    top = http.get("/iiif/collection").json()
    assert schema_errors(top) == []
    assert [item["type"] for item in top["items"]] == ["Collection"] * 3
    parts = [http.get(item["id"]).json() for item in top["items"]]
    for part in parts:
        assert schema_errors(part) == []
    assert [len(part["items"]) for part in parts] == [20, 20, 9]
    assert http.get("/iiif/collection/4").status_code == 404


def test_search_within_an_artwork(http: httpx.Client) -> None:
    found = http.get("/iiif/artworks/art-0000/search", params={"q": "Workshop"}).json()
    assert found["type"] == "AnnotationPage" and len(found["items"]) == 1
    assert "workshop" in found["items"][0]["body"]["value"]
    assert found["items"][0]["target"].endswith("/iiif/artworks/art-0000/canvas/1")
    assert http.get("/iiif/artworks/art-0000/search", params={"q": "workshop zeppelin"}).json()["items"] == []
    assert http.get("/iiif/artworks/no-such-work/manifest").status_code == 404


def test_the_image_service_passes_iiifs_image_validator(served: tuple[str, Path]) -> None:
    from iiif_validator.validator import ImageAPI, TestSuite, ValidationInfo

    identifier = content_hash(TEST_IMAGE.read_bytes())
    netloc = urlsplit(served[0]).netloc
    tests = TestSuite(ValidationInfo()).list_tests("3.0")
    chosen = [name for name, test in tests.items() if test["level"] <= 2 or name in LEVEL3_CLAIMED]
    assert len(chosen) >= 35
    failures = []
    for name in sorted(chosen):
        result = ImageAPI(identifier, netloc, "iiif/3", version="3.0", debug=False)
        try:
            TestSuite(ValidationInfo()).run_test(name, result)
        except Exception as exc:  # the validator raises for some failures instead of recording them
            failures.append(f"{name}: {exc!r} {result.urls}")
            continue
        if result.exception is not None:
            failures.append(f"{name}: {result.exception.message} (got {result.exception.got!r}, "
                            f"expected {result.exception.expected!r}) {result.urls}")
    assert not failures, "\n".join(failures)


def test_tiles_are_rendered_once_and_requests_stay_bounded(http: httpx.Client, served: tuple[str, Path],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from artscope.server.iiif import images

    calls = []
    real = images.render
    monkeypatch.setattr(images, "render", lambda *args: calls.append(args[-1]) or real(*args))
    service = f"/iiif/3/{content_hash(TEST_IMAGE.read_bytes())}"
    info = http.get(f"{service}/info.json").json()
    assert info["tiles"] == [{"width": 512, "height": 512, "scaleFactors": [1, 2]}]
    assert info["sizes"] == [{"width": 500, "height": 500}, {"width": 1000, "height": 1000}]
    tile = f"{service}/512,512,488,488/488,488/0/default.jpg"
    first, second = http.get(tile), http.get(tile)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert len(calls) == 1  # the second came from the disk cache
    assert any((served[1] / "tiles").glob("*/*.bin"))
    assert Image.open(io.BytesIO(first.content)).size == (488, 488)
    webp = http.get(f"{service}/full/100,/0/gray.webp")
    assert webp.headers["content-type"] == "image/webp" and Image.open(io.BytesIO(webp.content)).size == (100, 100)
    too_big = http.get(f"{service}/full/^5000,5000/0/default.jpg")
    assert too_big.status_code == 400 and "16,777,216 pixels" in too_big.json()["detail"]
    assert http.get(f"{'/iiif/3/' + '0' * 64}/info.json").status_code == 404


def test_parsing_follows_the_specification() -> None:
    limits = image_api.Limits(max_width=3000, max_height=3000, max_area=4_000_000)
    full = (4000, 3000)
    assert image_api.parse_region("square", full) == (500, 0, 3000, 3000)
    assert image_api.parse_region("pct:50,50,100,100", full) == (2000, 1500, 2000, 1500)
    assert image_api.parse_size("max", 4000, 3000, limits) == (2309, 1732)  # within maxArea
    assert image_api.parse_size("!300,300", 4000, 3000, limits) == (300, 225)
    assert image_api.parse_size("^!300,300", 100, 50, limits) == (300, 150)
    assert image_api.parse_size(",150", 400, 300, limits) == (200, 150)
    for bad in ("0,", "pct:0", "^3001,", "!5000,5000"):
        with pytest.raises(image_api.ImageRequestError):
            image_api.parse_size(bad, 4000, 3000, limits)
    with pytest.raises(image_api.ImageRequestError):
        image_api.parse_region("4000,0,10,10", full)
    assert image_api.parse_rotation("!90") == (True, 90.0)
