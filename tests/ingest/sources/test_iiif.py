"""IIIF manifests (3.0, 2.1) and collections from local files."""

from __future__ import annotations

from pathlib import Path

import pytest

from artscope.errors import SourceFormatError
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.iiif import MAX_DEPTH, IiifSource, manifest_artwork_id
from artscope.ingest.sources.iiif_values import html_to_text, language_values, sanitise_html

from .iiif_documents import V3_CONTEXT, collection_v3, manifest_v3, manifest_v21
from .layouts import write_json

IMAGES = "https://images.example.org/iiif"


def test_iiif3_manifest_fields_views_and_sanitised_html(tmp_path: Path) -> None:
    source = open_source(str(write_json(tmp_path / "manifest.json", manifest_v3())))
    assert isinstance(source, IiifSource) and len(source) == 1
    [item] = list(source)
    record = item.record
    assert item.key == "https://iiif.example.org/iiif/object/1234/manifest.json"
    assert record.model_dump(exclude={"views"}) == {
        "id": "iiif-example-org-iiif-object-1234", "title": "The Night Café", "artists": ["Vincent van Gogh"],
        "date": "1888", "year_start": 1888, "year_end": 1888, "type": None, "medium": "Oil on canvas",
        "dimensions": "72.4 × 92.1 cm", "place": None, "institution": "Example Gallery",
        "description": "A café interior at night.\nArles.", "subjects": ["cafés", "night"],
        "license": "http://creativecommons.org/publicdomain/zero/1.0/",
        "credit": "Yale University Art Gallery, Bequest of Stephen C. Clark",
        "extra": {"iiif_manifest": "https://iiif.example.org/iiif/object/1234/manifest.json",
                  "homepage": "https://example.org/objects/1234", "object_number": "1961.18.34",
                  "provenance": "Ivan Morozov, Moscow & others"}}
    assert [(v.uri, v.label) for v in record.views] == [
        (f"{IMAGES}/1234-front/full/!1024,1024/0/default.jpg", "Front"),
        (f"{IMAGES}/1234-back/full/!1024,1024/0/default.jpg", "Back"),  # v2 service in a v3 manifest
        ("https://example.org/images/1234-detail.jpg", "Detail"),
        ("https://example.org/images/1234-ir.jpg", "Infrared"),  # first of a Choice
    ]  # the sound canvas has no image; the file:// image is never followed


def test_iiif21_manifest(tmp_path: Path) -> None:
    [item] = list(open_source(str(write_json(tmp_path / "ms42.json", manifest_v21()))))
    record = item.record
    assert record.model_dump(exclude={"views"}) == {
        "id": "iiif-example-org-iiif-2-ms-42", "title": "Book of Hours",
        "artists": ["Master of the Llangattock Hours"], "date": "ca. 1450-1460", "year_start": 1450,
        "year_end": 1460, "type": None, "medium": None, "dimensions": None, "place": None,
        "institution": None, "description": "Illuminated manuscript on vellum.",
        "subjects": ["Prayer books", "Illumination"], "license": "https://creativecommons.org/licenses/by/4.0/",
        "credit": "Provided by Example Library",
        "extra": {"iiif_manifest": "https://iiif.example.org/iiif/2/ms-42/manifest",
                  "homepage": "https://example.org/ms42", "shelfmark": "MS 42"}}
    assert [(v.uri, v.label) for v in record.views] == [
        ("https://images.example.org/ms-42-f1r/full/!1024,1024/0/default.jpg", "f. 1r"),
        ("https://images.example.org/ms-42-f1v.jpg", "f. 1v")]


def test_iiif3_collection_of_two_manifest_files(tmp_path: Path) -> None:
    write_json(tmp_path / "manifests" / "a.json", manifest_v3("https://example.org/iiif/a", "Painting A"))
    write_json(tmp_path / "manifests" / "b.json", manifest_v21())
    collection = write_json(tmp_path / "collection.json", collection_v3(
        [("manifests/a.json", "Manifest"), ("manifests/b.json", "Manifest"), ("manifests/a.json", "Manifest"),
         ("manifests/gone.json", "Manifest")]))
    source = open_source(str(collection))
    assert len(source) == 4
    items = list(source)
    assert [i.record.title for i in items if i.record] == ["Painting A", "Book of Hours"]  # a.json read once
    [error] = [i.error for i in items if i.error]
    assert error.startswith(f"{collection}: member manifests/gone.json: Cannot read the IIIF document")


def test_nested_collections_stop_at_loops_and_at_the_depth_limit(tmp_path: Path) -> None:
    write_json(tmp_path / "m.json", manifest_v3())
    write_json(tmp_path / "top.json", collection_v3([("sub.json", "Collection"), ("top.json", "Collection")]))
    write_json(tmp_path / "sub.json", collection_v3([("m.json", "Manifest"), ("top.json", "Collection")]))
    items = list(open_source(str(tmp_path / "top.json")))
    assert [i.key for i in items] == ["https://iiif.example.org/iiif/object/1234/manifest.json"]
    for level in range(MAX_DEPTH + 1):  # a chain deeper than the limit
        write_json(tmp_path / f"c{level}.json", collection_v3([(f"c{level + 1}.json", "Collection")]))
    items = list(open_source(str(tmp_path / "c0.json")))
    assert len(items) == 1 and items[0].error.endswith(f"nested deeper than {MAX_DEPTH} levels are not followed")


def test_embedded_manifests_in_a_v2_collection(tmp_path: Path) -> None:
    embedded = manifest_v21()
    del embedded["@context"]
    collection = {"@context": "http://iiif.io/api/presentation/2/context.json", "@id": "https://e.org/c",
                  "@type": "sc:Collection", "label": "All", "manifests": [embedded]}
    [item] = list(open_source(str(write_json(tmp_path / "c.json", collection))))
    assert item.record.title == "Book of Hours" and len(item.record.views) == 2


def test_not_iiif_documents_raise_naming_the_field(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="'type' is 'Canvas' \\(expected Manifest or Collection\\)"):
        open_source(str(write_json(tmp_path / "canvas.json", {"@context": V3_CONTEXT, "type": "Canvas"})))
    broken = tmp_path / "broken.json"
    broken.write_text('{"@context": "http://iiif.io/api/presentation/3/context.json", "type": "Manifest"')
    with pytest.raises(SourceFormatError, match=r"broken\.json is not JSON"):
        open_source(str(broken))
    with pytest.raises(SourceFormatError, match="'@context' names no presentation API"):
        open_source(str(write_json(tmp_path / "x.json", {"id": "x"})), SourceOptions(), kind="iiif")


def test_language_maps_and_html() -> None:
    assert language_values({"de": ["Nachtcafé"], "en-GB": ["Night Café"]}) == ["Night Café"]
    assert language_values({"de": ["Nachtcafé"], "none": ["Café"]}) == ["Café"]
    assert language_values({"de": ["Nachtcafé"], "fr": ["Café de nuit"]}) == ["Nachtcafé"]
    assert language_values([{"@value": "Titre", "@language": "fr"}, {"@value": "Title", "@language": "en"}]) == [
        "Title"]
    assert language_values({"@value": "x"}) == ["x"] and language_values(None) == []
    dirty = ('<p onclick="x()">Hi <a href="javascript:alert(1)">there</a> <a href="https://e.org" '
             'target="_blank">link</a><img src="https://e.org/i.jpg" alt="pic" onerror="y()"><style>p{}</style>'
             '<form><input value="z"></form><![CDATA[raw]]></p>')
    clean = sanitise_html(dirty)
    assert clean.startswith('<p>Hi <a>there</a> <a href="https://e.org">link</a><img src="https://e.org/i.jpg" '
                            'alt="pic">')
    for gone in ("onclick", "javascript", "target", "onerror", "style", "form", "input", "CDATA", "raw"):
        assert gone not in clean
    assert html_to_text(dirty) == "Hi there link"
    assert html_to_text("height < 5 cm & width > 2 cm") == "height < 5 cm & width > 2 cm"


def test_manifest_ids_become_short_stable_slugs() -> None:
    assert manifest_artwork_id("https://example.org/iiif/book1/manifest.json") == "example-org-iiif-book1"
    assert manifest_artwork_id("https://example.org/iiif/book1/manifest") == "example-org-iiif-book1"
    assert manifest_artwork_id("https://iiif.harvardartmuseums.org/manifests/object/299843") == (
        "iiif-harvardartmuseums-org-manifests-object-299843")
