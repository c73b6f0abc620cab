"""IIIF documents fetched from a real HTTP server on 127.0.0.1, with the download limit. The files are
the publishers' own (tests/data/iiif), served as their server would serve them: their address
(https://iiif.io/api/cookbook/...) replaced by the test server's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from artscope.config import get_settings
from artscope.errors import InvalidInputError
from artscope.ingest.sources import open_source
from artscope.ingest.sources.iiif import IiifSource

LIMIT = 20_000
PUBLISHED = "https://iiif.io/api/cookbook/recipe"


@pytest.fixture
def small_download_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("ARTSCOPE_MAX_DOWNLOAD_BYTES", str(LIMIT))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def serve(source: Path, target: Path, base: str) -> Path:
    """Put a publisher's file on the test server, with the publisher's address changed to the server's."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(source.read_text(encoding="utf-8").replace(PUBLISHED, f"{base}/recipe"), encoding="utf-8")
    return target


def test_manifest_by_url(http_root: tuple[Path, str], data_dir: Path, small_download_limit: None) -> None:
    root, base = http_root
    serve(data_dir / "iiif/cookbook/0029-metadata-anywhere/manifest.json",
          root / "recipe/0029-metadata-anywhere/manifest.json", base)
    source = open_source(f"{base}/recipe/0029-metadata-anywhere/manifest.json")
    assert isinstance(source, IiifSource) and source.name == f"iiif:{base}/recipe/0029-metadata-anywhere/manifest.json"
    [item] = list(source)
    assert item.record.title == "John Dee performing an experiment before Queen Elizabeth I."
    assert item.record.artists == ["Glindoni, Henry Gillard, 1852-1913"] and len(item.record.views) == 2


def test_a_manifest_over_the_size_limit_is_refused(http_root: tuple[Path, str], data_dir: Path,
                                                   small_download_limit: None) -> None:
    root, base = http_root
    big = serve(data_dir / "iiif/manifesto/wunder.json", root / "wunder.json", base)
    assert big.stat().st_size > LIMIT
    with pytest.raises(InvalidInputError, match=f"wunder.json is larger than the {LIMIT:,}-byte download limit"):
        open_source(f"{base}/wunder.json")


def test_collection_by_url_follows_its_members_and_records_failures(
        http_root: tuple[Path, str], data_dir: Path, small_download_limit: None) -> None:
    root, base = http_root
    folder = data_dir / "iiif/cookbook/0032-collection"
    for name in ("collection.json", "manifest-01.json", "manifest-02.json"):
        serve(folder / name, root / "recipe/0032-collection" / name, base)
    items = list(open_source(f"{base}/recipe/0032-collection/collection.json"))
    assert [i.record.title for i in items] == ["The Gulf Stream", "Northeaster"]
    # a member too large, one missing, and a local path that a collection from the web may not open
    serve(data_dir / "iiif/manifesto/wunder.json", root / "big.json", base)
    text = (root / "recipe/0032-collection/collection.json").read_text()
    local = root / "recipe/0032-collection/manifest-02.json"
    text = (text.replace(f"{base}/recipe/0032-collection/manifest-01.json", f"{base}/big.json")
            .replace(f"{base}/recipe/0032-collection/manifest-02.json", "missing.json")
            .replace('"items": [', f'"items": [{{"id": "{local}", "type": "Manifest"}}, '))
    (root / "recipe/0032-collection/collection.json").write_text(text)
    items = list(open_source(f"{base}/recipe/0032-collection/collection.json"))
    errors = [i.error for i in items]
    assert len(errors) == 3 and all(errors)
    assert f"{base}{local}" in errors[0]  # the path resolves to a URL of the same server, never a file
    assert "larger than the 20,000-byte download limit" in errors[1]
    assert "404" in errors[2]
