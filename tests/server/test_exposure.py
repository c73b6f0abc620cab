"""The service as a security reviewer tries it, over real HTTP on loopback: the fetch policy behind ingest
jobs, no server paths to anyone, strict job requests, capped text, a schema that tells the truth (405
with every method, HEAD, 400 for what cannot be parsed), CORS only where configured."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from artscope.catalog import Catalog
from artscope.config import get_settings
from artscope.server import ServerConfig, create_app
from artscope.testing import copy_collection
from loopback import serve

from .conftest import UNLIMITED, write_images
from .live import serving

FINISHED = {"done", "failed", "cancelled"}
IIIF = Path(__file__).resolve().parents[1] / "data" / "iiif" / "cookbook"


@pytest.fixture(scope="module")
def ingest_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exposed-root")
    write_images(root / "new", 3, seed=21)
    (root / "empty").mkdir()
    return root


@pytest.fixture(scope="module")
def service(_built_synthetic: Path, ingest_root: Path, token: str,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A writable service on loopback with an ingest root, under the default fetch policy."""
    path = copy_collection(_built_synthetic, tmp_path_factory.mktemp("exposed") / "collection")
    config = ServerConfig(token=token, ingest_root=ingest_root, **UNLIMITED)
    with serving(create_app(path, config)) as url:
        yield url


@pytest.fixture
def api(service: str, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service, headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        yield client


@pytest.fixture
def anonymous(service: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service, timeout=120) as client:
        yield client


def finished(api: httpx.Client, job_id: str, timeout_s: float = 180) -> dict:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        job = api.get(f"/api/jobs/{job_id}").json()
        if job["state"] in FINISHED:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish")


def ingest(api: httpx.Client, *sources: str, **fields: object) -> dict:
    started = api.post("/api/jobs", json={"sources": list(sources), **fields})
    assert started.status_code == 202, started.text
    return finished(api, started.json()["id"])


def test_jobs_cannot_scan_internal_ports(api: httpx.Client) -> None:
    with serve("127.0.0.1", body=b'{"not": "iiif"}') as internal:
        jobs = [ingest(api, f"http://127.0.0.1:{port}/manifest.json") for port in (internal["port"], 9)]
        assert internal["requests"] == 0
    messages = [job["message"].replace(str(port), "PORT") for job, port in zip(jobs, (internal["port"], 9),
                                                                                 strict=True)]
    assert all(job["state"] == "failed" for job in jobs)
    assert "refused by the fetch policy" in messages[0] and messages[0] == messages[1]


@pytest.fixture
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The deployment opens 127.0.0.1 and nothing public (no DNS query for other hosts)."""
    monkeypatch.setenv("ARTSCOPE_FETCH_ALLOW", "127.0.0.1")
    monkeypatch.setenv("ARTSCOPE_FETCH_PUBLIC", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_an_allowed_host_is_fetched_and_its_refused_images_are_reported(api: httpx.Client,
                                                                        loopback_allowed: None) -> None:
    with serve("127.0.0.1", body=(IIIF / "0001-mvm-image" / "manifest.json").read_bytes()) as museum:
        job = ingest(api, f"{museum['url']}manifest.json")
    assert museum["requests"] == 1 and job["state"] == "done" and job["errors"] == [], job
    assert "1 artworks were stored without any usable image" in job["warnings"][0]
    [warning] = job["item_warnings"]  # the manifest's image lies on a host the policy does not open
    assert "iiif.io is refused by the fetch policy" in warning["error"]


def test_a_job_that_stores_artworks_without_images_warns(api: httpx.Client, loopback_allowed: None) -> None:
    with serve("127.0.0.1", body=(IIIF / "0002-mvm-audio" / "manifest.json").read_bytes()) as museum:
        job = ingest(api, f"{museum['url']}manifest.json")
    assert (job["state"], job["counts"]["added"], job["counts"]["failed"]) == ("done", 1, 0)
    assert len(job["warnings"]) == 1 and "1 artworks were stored without any usable image" in job["warnings"][0]


def test_a_job_that_finds_nothing_warns(api: httpx.Client) -> None:
    job = ingest(api, "empty", kind="folder")
    assert job["state"] == "done" and "held nothing to add" in job["warnings"][0]
    good = ingest(api, "new")
    assert good["state"] == "done" and good["counts"]["added"] == 3 and good["warnings"] == []


def test_anonymous_readers_see_summaries_and_nobody_sees_server_paths(
        api: httpx.Client, anonymous: httpx.Client, ingest_root: Path, loopback_allowed: None) -> None:
    job = ingest(api, str(ingest_root / "new"), "https://museum.invalid/manifest.json")
    assert job["sources"] == ["new", "https://museum.invalid/manifest.json"]
    public = anonymous.get(f"/api/jobs/{job['id']}").json()
    assert set(public) == {"id", "kind", "state", "counts", "progress", "warnings", "started_at", "finished_at"}
    listed = anonymous.get("/api/jobs")
    assert listed.status_code == 200 and all("sources" not in j and "errors" not in j for j in listed.json())
    assert anonymous.get("/api/jobs", headers={"Authorization": "Bearer wrong"}).status_code == 401
    every = json.dumps(api.get("/api/jobs").json()) + json.dumps(api.get("/api/audit").json())
    assert str(ingest_root) not in every and "/tmp" not in every


def test_a_job_started_from_the_cli_shows_no_absolute_path(
        _built_synthetic: Path, token: str, tmp_path: Path) -> None:
    path = copy_collection(_built_synthetic, tmp_path / "collection")
    root = tmp_path / "root"
    write_images(root / "inside", 1, seed=3)
    Catalog(path / "catalog.sqlite").start_job("cli-job", "ingest", {
        "locations": [str(root / "inside"), "/srv/secret/scans"], "kind": None, "options": {}})
    Catalog(path / "catalog.sqlite").finish_job("cli-job", "failed", {}, message=(
        f"Cannot read /srv/secret/scans/a.tif; {root}/inside/b.png is corrupt; see file:///etc/passwd"))
    with serving(create_app(path, ServerConfig(token=token, ingest_root=root, **UNLIMITED))) as url:
        job = httpx.get(f"{url}/api/jobs/cli-job", headers={"Authorization": f"Bearer {token}"}).json()
        assert job["sources"] == ["inside", "…/scans"]
        assert job["message"] == "Cannot read …/a.tif; inside/b.png is corrupt; see …/passwd"
        hidden = httpx.get(f"{url}/api/jobs", headers={"Authorization": f"Bearer {token}"}).text
        assert "/srv" not in hidden and str(root) not in hidden and str(tmp_path) not in hidden


def test_jobs_can_be_hidden_from_anonymous_readers(_built_synthetic: Path, token: str, tmp_path: Path) -> None:
    path = copy_collection(_built_synthetic, tmp_path / "collection")
    with serving(create_app(path, ServerConfig(token=token, public_jobs="none", **UNLIMITED))) as url:
        assert httpx.get(f"{url}/api/jobs").status_code == 401
        assert httpx.get(f"{url}/api/jobs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
        assert httpx.get(f"{url}/api/artworks").status_code == 200  # other reads stay public


@pytest.mark.parametrize(("body", "needle"), [
    ({"sources": ["new\x00/../../etc"]}, "sources.0"),
    ({"sources": ["new"], "sidecar": "cat\x00.csv"}, "sidecar"),
    ({"sources": [""]}, "sources.0"),
    ({"sources": ["   "]}, "sources.0"),
    ({"sources": []}, "sources"),
    ({"sources": ["new"], "kind": "no-such-kind"}, "kind"),
    ({"sources": ["new"], "optimize": 0}, "optimize"),
    ({"sources": ["new"], "optimize": "yes"}, "optimize"),
    ({"sources": ["new"], "limit": 0}, "limit"),
    ({"sources": ["new"], "unknown": 1}, "unknown"),
])
def test_loose_job_requests_are_refused(api: httpx.Client, body: dict, needle: str) -> None:
    response = api.post("/api/jobs", json=body)
    assert response.status_code == 422, response.text
    assert needle in json.dumps([".".join(map(str, d["loc"][1:])) for d in response.json()["detail"]])


def test_every_free_text_field_is_capped(api: httpx.Client) -> None:
    huge = "painting " * 1_100_000  # 9.9 MB
    for path, body, field in (("/api/search", {"text": huge}, "text"),
                              ("/api/search/passages", {"text": "x" * 2001}, "text"),
                              ("/api/ask", {"question": "y" * 2001}, "question"),
                              ("/api/dialogue", {"text": "z" * 2001}, "text"),
                              ("/api/search", {"text": "a", "filters": {"artist": "b" * 501}}, "filters"),
                              ("/api/search", {"text": "a", "facets": ["artist"] * 21}, "facets"),
                              ("/api/jobs", {"sources": ["s" * 2001]}, "sources")):
        response = api.post(path, json=body)
        assert response.status_code == 422, (path, response.text[:200])
        detail = response.json()["detail"]
        assert detail[0]["loc"][1] == field and detail[0]["type"] in ("string_too_long", "too_long"), detail
    assert api.post("/api/search", json={"text": "x" * 2000}).status_code == 200


def test_schema_states_the_subject_rules(anonymous: httpx.Client) -> None:
    schemas = anonymous.get("/openapi.json").json()["components"]["schemas"]
    assert [b["required"] for b in schemas["SearchQuery"]["anyOf"]] == [["text"], ["image_id"], ["artwork_id"]]
    assert schemas["SearchQuery"]["then"]["required"] == ["image_id"]
    assert [b["required"] for b in schemas["ImageSubject"]["oneOf"]] == [["artwork_id"], ["image_id"]]
    assert [b["required"] for b in schemas["DialogueStart"]["anyOf"]] == [["text"], ["image_id"]]
    assert "artist" in schemas["SearchQuery"]["properties"]["filters"]["propertyNames"]["enum"]
    assert schemas["AskQuery"]["properties"]["question"]["maxLength"] == 2000
    for body, status in (({"filters": {"artist": "Ada Rossi"}}, 422), ({"text": None, "artwork_id": "art-0001"}, 200),
                         ({"text": "  "}, 422), ({"text": "red", "verify": True}, 422)):
        assert anonymous.post("/api/search", json=body).status_code == status, body
    for body in ({"artwork_id": "art-0001", "image_id": "abc"}, {}, {"artwork_id": None, "image_id": None}):
        assert anonymous.post("/api/score", json=body).status_code == 422, body


def test_methods_heads_and_unparseable_bodies(anonymous: httpx.Client) -> None:
    wrong = anonymous.put("/api/dialogue/some-session")
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD, POST"
    assert anonymous.delete("/api/search").headers["allow"] == "POST"
    assert anonymous.post("/api/artworks/art-0001").headers["allow"] == "GET, HEAD, PATCH, DELETE"
    head = anonymous.head("/")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 100
    assert anonymous.head("/health").status_code == 200
    multipart = {"content-type": "multipart/form-data; boundary=xx"}
    no_parts = anonymous.post("/api/uploads", content=b"--xx\r\nbroken", headers=multipart)
    assert no_parts.status_code == 400 and "no parts" in no_parts.json()["detail"]
    bad_header = anonymous.post("/infer", content=b"--xx\r\nnot a part", headers=multipart)
    assert bad_header.status_code == 400
    assert anonymous.post("/api/uploads", files={"other": ("a.png", b"x")}).status_code == 422  # no 'file'
    # a write without the token is a 401 whatever its body, and the schema asks for one file at least
    assert anonymous.post("/api/jobs/files", content=b"--xx--\r\n", headers=multipart).status_code == 401
    body = anonymous.get("/openapi.json").json()["paths"]["/api/jobs/files"]["post"]["requestBody"]
    reference = body["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    files = anonymous.get("/openapi.json").json()["components"]["schemas"][reference]["properties"]["files"]
    assert files["minItems"] == 1
    assert anonymous.post("/api/uploads", files={"file": ("a.png", b"")}).status_code == 422  # empty
    not_json = anonymous.post("/api/search", content=b"{text:", headers={"content-type": "application/json"})
    assert not_json.status_code == 400 and not_json.json()["error"] == "HTTPError"


def test_cors_is_off_unless_origins_are_named(_built_synthetic: Path, anonymous: httpx.Client,
                                              tmp_path: Path) -> None:
    preflight = {"Origin": "https://museum.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"}
    assert "access-control-allow-origin" not in anonymous.options("/api/search", headers=preflight).headers
    path = copy_collection(_built_synthetic, tmp_path / "collection")
    config = ServerConfig(cors_origins=["https://museum.example"], **UNLIMITED)
    with serving(create_app(path, config)) as url:
        allowed = httpx.options(f"{url}/api/search", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://museum.example"
        other = httpx.options(f"{url}/api/search", headers={**preflight, "Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        read = httpx.get(f"{url}/meta", headers={"Origin": "https://museum.example"})
        assert read.headers["access-control-allow-origin"] == "https://museum.example"
