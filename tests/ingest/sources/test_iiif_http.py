"""IIIF documents fetched from a real HTTP server on 127.0.0.1, with the download limit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from artscope.config import get_settings
from artscope.errors import InvalidInputError
from artscope.ingest.sources import open_source
from artscope.ingest.sources.iiif import IiifSource

from .iiif_documents import collection_v3, manifest_v3
from .layouts import write_json

LIMIT = 20_000


@pytest.fixture
def small_download_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ARTSCOPE_MAX_DOWNLOAD_BYTES", str(LIMIT))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _big_manifest() -> dict:
    padding = [{"label": {"en": [f"Note {i}"]}, "value": {"en": ["x" * 200]}} for i in range(150)]
    return manifest_v3("https://iiif.example.org/iiif/object/big", "Big", padding)


def test_manifest_by_url(http_root: tuple[Path, str], small_download_limit: None) -> None:
    root, base = http_root
    write_json(root / "iiif" / "1234.json", manifest_v3())
    source = open_source(f"{base}/iiif/1234.json")
    assert isinstance(source, IiifSource) and source.name == f"iiif:{base}/iiif/1234.json"
    [item] = list(source)
    assert item.record.title == "The Night Café" and item.record.artists == ["Vincent van Gogh"]
    assert len(item.record.views) == 4


def test_a_manifest_over_the_size_limit_is_refused(http_root: tuple[Path, str], small_download_limit: None) -> None:
    root, base = http_root
    write_json(root / "big.json", _big_manifest())
    assert (root / "big.json").stat().st_size > LIMIT
    with pytest.raises(InvalidInputError, match=f"big.json is larger than the {LIMIT:,}-byte download limit"):
        open_source(f"{base}/big.json")


def test_collection_by_url_follows_relative_members_and_records_failures(
        http_root: tuple[Path, str], small_download_limit: None) -> None:
    root, base = http_root
    write_json(root / "m" / "a.json", manifest_v3("https://example.org/iiif/a", "Painting A"))
    write_json(root / "m" / "big.json", _big_manifest())
    (root / "m" / "local.json").write_text(json.dumps(manifest_v3()))
    write_json(root / "collection.json", collection_v3(
        [("m/a.json", "Manifest"), (f"{base}/m/big.json", "Manifest"), ("m/missing.json", "Manifest"),
         (str(root / "m" / "local.json"), "Manifest")], collection_id=f"{base}/collection.json"))
    items = list(open_source(f"{base}/collection.json"))
    assert [i.record.title for i in items if i.record] == ["Painting A"]
    errors = [i.error for i in items if i.error]
    assert len(errors) == 3
    assert "larger than the 20,000-byte download limit" in errors[0]
    assert "404" in errors[1]
    # a collection from the web is never allowed to read a local file: the path resolves to a URL
    assert f"{base}{root / 'm' / 'local.json'}" in errors[2]
