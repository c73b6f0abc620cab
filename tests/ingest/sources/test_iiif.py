"""IIIF manifests and collections, read from files their publishers wrote (tests/data/iiif: the IIIF
Cookbook recipes and the manifesto fixtures from Wellcome, the World Digital Library, Yale, the NGA)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from artscope.errors import SourceFormatError
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.iiif import MAX_DEPTH, IiifSource, collection_members, load_document, manifest_artwork_id
from artscope.ingest.sources.iiif_values import html_to_text, language_values, sanitise_html

COOKBOOK = "https://iiif.io/api/cookbook/recipe"
REFERENCE = "https://iiif.io/api/image/3.0/example/reference"


def one(path: Path):
    source = open_source(str(path))
    assert isinstance(source, IiifSource)
    [item] = list(source)
    return item


def test_cookbook_rights_required_statement_and_html_values(data_dir: Path) -> None:
    item = one(data_dir / "iiif/cookbook/0007-string-formats/manifest.json")
    assert item.key == f"{COOKBOOK}/0007-string-formats/manifest.json"
    assert item.record.model_dump(exclude={"views"}) == {
        "id": "iiif-io-api-cookbook-recipe-0007-string-formats",
        "title": "Picture of Göttingen taken during the 2019 IIIF Conference", "artists": ["Glen Robson"],
        "date": None, "year_start": None, "year_end": None, "type": None, "medium": None, "dimensions": None,
        "place": None, "institution": None, "description": "Picture taken by the IIIF Technical Coordinator",
        "subjects": [], "license": "http://creativecommons.org/licenses/by-sa/3.0/",
        "credit": "Glen Robson, IIIF Technical Coordinator. CC BY-SA 3.0",
        "extra": {"iiif_manifest": f"{COOKBOOK}/0007-string-formats/manifest.json"}}
    assert [v.uri for v in item.record.views] == [
        f"{REFERENCE}/918ecd18c2592080851777620de9bcb5-gottingen/full/!1024,1024/0/default.jpg"]


def test_cookbook_metadata_pairs_become_fields(data_dir: Path) -> None:
    record = one(data_dir / "iiif/cookbook/0029-metadata-anywhere/manifest.json").record
    assert (record.artists, record.date, record.year_start, record.year_end) == (
        ["Glindoni, Henry Gillard, 1852-1913"], "1800-1899", 1800, 1899)
    assert record.extra["physical_description"] == "1 painting : oil on canvas ; canvas 152 x 244.4 cm"
    assert record.extra["reference"] == "Wellcome Library no. 47369i"
    assert [v.label for v in record.views] == ["Painting under natural light", "X-ray view of painting"]


def test_cookbook_book_choice_and_missing_image_canvases(data_dir: Path) -> None:
    book = one(data_dir / "iiif/cookbook/0009-book-1/manifest.json").record
    assert [v.label for v in book.views] == ["Blank page", "Frontispiece", "Title page", "Blank page", "Bookplate"]
    choice = one(data_dir / "iiif/cookbook/0033-choice/manifest.json").record
    assert [v.uri for v in choice.views] == [  # the first version of a Choice (natural light, not X-ray)
        f"{REFERENCE}/421e65be2ce95439b3ad6ef1f2ab87a9-dee-natural/full/!1024,1024/0/default.jpg"]
    missing = one(data_dir / "iiif/cookbook/0283-missing-image/manifest.json").record
    assert "f. 1v — MISSING" not in [v.label for v in missing.views] and len(missing.views) == 3


def test_the_v2_and_v3_publications_of_one_manifest_give_one_record(data_dir: Path) -> None:
    folder = data_dir / "iiif/cookbook/0057-publishing-v2-and-v3"
    v2, v3 = one(folder / "manifest-v2.json"), one(folder / "manifest-v3.json")
    assert load_document(str(folder / "manifest-v2.json")).version == 2
    assert v2.key == v3.key and v2.record.model_dump(exclude={"views"}) == v3.record.model_dump(exclude={"views"})
    assert [v.uri for v in v2.record.views] == [v.uri for v in v3.record.views] == [
        "https://iiif.io/api/presentation/2.1/example/fixtures/resources/page1-full.png"]


@pytest.mark.parametrize(("name", "spelling", "views"), [
    ("auth-clinical", "dcTypes:Image", 1),  # Wellcome Library
    ("wunder", "dcTypes:Image", 36),  # Wellcome Library
    ("storyofwellcome", "dcTypes:Image", 1),
    ("members-ranges", "dcterms:Image", 2),  # Princeton
    ("illustrationsofchina", "dcterms:Image", 76),  # World Digital Library: context and type written last
    ("nga-highlights", "dctypes:Image", 26),  # https context
    ("scroll", "dctypes:Image", 1),  # Yale, with the Shared Canvas context of IIIF 2.0
])
def test_the_image_type_as_publishers_spell_it(data_dir: Path, name: str, spelling: str, views: int) -> None:
    path = data_dir / "iiif/manifesto" / f"{name}.json"
    assert re.search(rf'"@type":\s*"{spelling}"', path.read_text(encoding="utf-8"))
    item = one(path)
    assert len(item.record.views) == views and not item.warnings


def test_the_shared_canvas_context_is_iiif_2(data_dir: Path, tmp_path: Path) -> None:
    path = data_dir / "iiif/manifesto/scroll.json"
    assert json.loads(path.read_text())["@context"] == "http://www.shared-canvas.org/ns/context.json"
    # without the sc: prefix of its type, only the context tells that the canvases are in "sequences"
    bare = _copy(path, tmp_path / "scroll.json", **{"@type": "Manifest"})
    assert load_document(str(bare)).version == 2 and len(one(bare).record.views) == 1


def test_a_manifest_without_images_is_kept_with_a_warning(data_dir: Path) -> None:
    item = one(data_dir / "iiif/cookbook/0002-mvm-audio/manifest.json")
    assert item.record.title == "Simplest Audio Example 1" and item.record.views == []
    [warning] = item.warnings
    assert "none of its 1 canvases paints an image" in warning and "(they paint: Sound)" in warning


def test_collections_listing_members(data_dir: Path) -> None:
    pres3 = load_document(str(data_dir / "iiif/manifesto/pres3-collection.json"))  # 3.0 draft: "members"
    assert (pres3.version, pres3.kind) == (3, "Collection")
    assert [m["id"] for m in collection_members(pres3)] == [
        "http://tomcrane.github.io/scratch/manifests/3/av-basic.json",
        "http://tomcrane.github.io/scratch/manifests/3/pdf.json", "http://tomcrane.github.io/scratch/manifests/3/3d.json"]
    wellcome = load_document(str(data_dir / "iiif/manifesto/members.json"))  # 2.1 "members"
    assert len(collection_members(wellcome)) == 4
    cookbook = load_document(str(data_dir / "iiif/cookbook/0032-collection/collection.json"))
    assert [m["id"] for m in collection_members(cookbook)] == [
        f"{COOKBOOK}/0032-collection/manifest-01.json", f"{COOKBOOK}/0032-collection/manifest-02.json"]


def test_a_manifest_that_is_not_utf8_is_refused_naming_the_byte(data_dir: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"potterselectric\.json is not UTF-8 text \(byte 0x92"):
        open_source(str(data_dir / "iiif/manifesto/potterselectric.json"))


def _copy(path: Path, target: Path, **changes: object) -> Path:
    data = json.loads(path.read_text(encoding="utf-8")) | changes
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def test_a_local_collection_of_real_manifests_with_a_missing_member(data_dir: Path, tmp_path: Path) -> None:
    folder = data_dir / "iiif/cookbook/0032-collection"
    for name in ("manifest-01.json", "manifest-02.json"):
        _copy(folder / name, tmp_path / name)
    collection = _copy(folder / "collection.json", tmp_path / "collection.json", items=[
        {"id": "manifest-01.json", "type": "Manifest"}, {"id": "manifest-02.json", "type": "Manifest"},
        {"id": "manifest-01.json", "type": "Manifest"}, {"id": "gone.json", "type": "Manifest"}])
    source = open_source(str(collection))
    assert len(source) == 4
    items = list(source)
    assert [i.record.title for i in items if i.record] == ["The Gulf Stream", "Northeaster"]  # read once each
    [error] = [i.error for i in items if i.error]
    assert error.startswith(f"{collection}: member gone.json: Cannot read the IIIF document")


def test_nested_collections_stop_at_loops_and_at_the_depth_limit(data_dir: Path, tmp_path: Path) -> None:
    manifest = data_dir / "iiif/cookbook/0032-collection/manifest-01.json"
    collection = data_dir / "iiif/cookbook/0032-collection/collection.json"
    _copy(manifest, tmp_path / "m.json")
    _copy(collection, tmp_path / "top.json", items=[{"id": "sub.json", "type": "Collection"},
                                                    {"id": "top.json", "type": "Collection"}])
    _copy(collection, tmp_path / "sub.json", items=[{"id": "m.json", "type": "Manifest"},
                                                    {"id": "top.json", "type": "Collection"}])
    items = list(open_source(str(tmp_path / "top.json")))
    assert [i.key for i in items] == [f"{COOKBOOK}/0032-collection/manifest-01.json"]
    for level in range(MAX_DEPTH + 1):  # a chain deeper than the limit
        _copy(collection, tmp_path / f"c{level}.json", id=f"c{level}",
              items=[{"id": f"c{level + 1}.json", "type": "Collection"}])
    items = list(open_source(str(tmp_path / "c0.json")))
    assert len(items) == 1 and items[0].error.endswith(f"nested deeper than {MAX_DEPTH} levels are not followed")


def test_manifests_embedded_in_a_v2_collection(data_dir: Path, tmp_path: Path) -> None:
    embedded = json.loads((data_dir / "iiif/manifesto/tankeryshouse.json").read_text())
    del embedded["@context"]
    collection = {"@context": "http://iiif.io/api/presentation/2/context.json", "@id": "https://e.org/c",
                  "@type": "sc:Collection", "label": "All", "manifests": [embedded]}
    (tmp_path / "c.json").write_text(json.dumps(collection))
    [item] = list(open_source(str(tmp_path / "c.json")))
    assert item.record.title == "[Tankerey's house, Llangollen]" and len(item.record.views) == 1


def test_not_iiif_documents_raise_naming_the_field(tmp_path: Path) -> None:
    (tmp_path / "canvas.json").write_text(json.dumps(
        {"@context": "http://iiif.io/api/presentation/3/context.json", "type": "Canvas"}))
    with pytest.raises(SourceFormatError, match="'type' is 'Canvas' \\(expected Manifest or Collection\\)"):
        open_source(str(tmp_path / "canvas.json"))
    broken = tmp_path / "broken.json"
    broken.write_text('{"@context": "http://iiif.io/api/presentation/3/context.json", "type": "Manifest"')
    with pytest.raises(SourceFormatError, match=r"broken\.json is not JSON \(line 1"):
        open_source(str(broken))
    (tmp_path / "x.json").write_text(json.dumps({"id": "x"}))
    with pytest.raises(SourceFormatError, match="'@context' names no presentation API"):
        open_source(str(tmp_path / "x.json"), SourceOptions(), kind="iiif")


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
