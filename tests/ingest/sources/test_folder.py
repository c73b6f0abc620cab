"""The folder source: images, sidecar catalogues joined by file name or id, passages.jsonl."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from artscope.errors import InvalidInputError
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.base import SourceItem
from artscope.ingest.sources.folder import FolderSource, scan_images

from .layouts import write_csv, write_image, write_json


def records(items: list[SourceItem]) -> dict[str, SourceItem]:
    return {item.record.id: item for item in items if item.record}


def test_the_sample_collection_gives_70_artworks_and_52_passages(sample_collection_dir: Path) -> None:
    # the bundled copy of /work/shared/sample-collection (the same files)
    sample = sample_collection_dir
    source = open_source(str(sample))
    items = list(source)
    assert isinstance(source, FolderSource) and source.name == f"folder:{sample}"
    assert len(source) == len(items) == 122
    by_id = records(items)
    passages = [p for item in items for p in item.passages]
    assert len(by_id) == 70 and len(passages) == 52
    assert not [item.error for item in items if item.error]
    with (sample / "catalog.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert set(by_id) == {row["id"] for row in rows}
    assert {p.artwork_id for p in passages} <= set(by_id)
    for row in rows:  # every image joined, every field carried
        record = by_id[row["id"]].record
        assert by_id[row["id"]].key == row["id"]  # a row with its own id is keyed by it
        assert [v.uri for v in record.views] == [str(sample / row["file"])]
        assert record.title == row["title"] and record.place == (row["place"] or None)
        assert record.extra["caption"] == row["caption"]
    night_cafe = by_id["van-gogh-the-night-cafe"].record
    assert (night_cafe.artists, night_cafe.date, night_cafe.year_start, night_cafe.type) == (
        ["Vincent van Gogh"], "1888", 1888, "painting")
    assert night_cafe.license == "public-domain" and night_cafe.credit.startswith("Painting by Vincent van Gogh")
    ajanta = by_id["ajanta-caves"].record
    assert (ajanta.date, ajanta.year_start, ajanta.year_end) == ("2nd century BCE - 480 CE", -200, 480)
    described = {p.artwork_id for p in passages}
    for artwork_id in described:  # joined per artwork, the passages are the description
        texts = [p.text for p in passages if p.artwork_id == artwork_id]
        assert " ".join(texts) == by_id[artwork_id].record.description


def _dc_folder(root: Path) -> Path:
    write_image(root / "a.jpg")
    write_image(root / "sub" / "b.png")
    write_image(root / "c.jpg")
    write_image(root / ".hidden" / "x.jpg")
    write_image(root / "._a.jpg")
    (root / "notes.txt").write_text("not an image")
    header = ["dcterms:identifier", "file", "dcterms:title", "dcterms:creator", "dcterms:created",
              "dcterms:type", "dcterms:medium", "dcterms:extent", "dcterms:spatial", "dcterms:description",
              "dcterms:subject", "dcterms:rights", "dcterms:publisher", "dcterms:contributor"]
    write_csv(root / "metadata.csv", header, [
        ["2019.4.1", "a.jpg", "Harbour at Dawn", "Ann Smith|Bo Lee", "ca. 1880-1885", "painting",
         "oil on canvas", "50 × 60 cm", "Bergen", "Boats, mist;\nand gulls.", "harbours | boats",
         "CC0-1.0", "Example Museum", "J. Doe"],
        ["c", "", "Study in Grey", "", "1850s", "", "", "", "", "", "", "", "", ""],
        ["2019.4.9", "missing.jpg", "Lost Sketch", "", "n.d.", "", "", "", "", "", "", "", "", ""],
        ["2019.4.10", "", "Bad Year", "", "", "", "", "", "", "", "", "", "", ""],
    ])
    return root


def test_dublin_core_sidecar_joined_by_file_and_by_id(tmp_path: Path) -> None:
    root = _dc_folder(tmp_path / "col")
    assert scan_images(root) == ["a.jpg", "c.jpg", "sub/b.png"]
    source = open_source(str(root))
    items = list(source)
    assert [i.key for i in items] == ["2019.4.1", "c", "2019.4.9", "2019.4.10", "sub/b.png"]
    assert len(source) == 5
    by_id = records(items)
    harbour = by_id["2019.4.1"].record
    assert harbour.model_dump(exclude={"views"}) == {
        "id": "2019.4.1", "title": "Harbour at Dawn", "artists": ["Ann Smith", "Bo Lee"],
        "date": "ca. 1880-1885", "year_start": 1880, "year_end": 1885, "type": "painting",
        "medium": "oil on canvas", "dimensions": "50 × 60 cm", "place": "Bergen",
        "institution": "Example Museum", "description": "Boats, mist;\nand gulls.",
        "subjects": ["harbours", "boats"], "license": "CC0-1.0", "credit": None,
        "extra": {"contributor": "J. Doe"}}
    assert [v.uri for v in harbour.views] == [str((root / "a.jpg").absolute())]
    grey = by_id["c"].record  # no file: the id names the image
    assert ([v.uri for v in grey.views], grey.year_start, grey.year_end) == (
        [str((root / "c.jpg").absolute())], 1850, 1859)
    assert by_id["2019.4.9"].record.views == [] and by_id["2019.4.9"].record.year_start is None
    orphan = by_id["sub-b"]  # an image without a row
    assert (orphan.key, orphan.record.title, [v.uri for v in orphan.record.views]) == (
        "sub/b.png", "b", [str((root / "sub" / "b.png").absolute())])


def test_json_sidecar_with_lists_numbers_urls_and_a_bad_item(tmp_path: Path) -> None:
    root = tmp_path / "col"
    write_image(root / "img" / "0001.jpg")
    write_image(root / "img" / "0002.jpg")
    write_json(root / "catalog.json", [
        {"image": "img/0001.jpg", "title": "First", "artists": ["A. One", "B. Two"], "year": 1888,
         "tags": "x|y", "style": "Baroque", "dimensions": {"h": 10, "w": 20}},
        {"image": "0002.jpg|https://example.org/iiif/2/back/full/!1024,1024/0/default.jpg", "title": "Second",
         "begin year": "16th"},
        {"image": ["https://example.org/only-remote.jpg"], "title": "Remote"},
        ["not", "an", "object"],
    ])
    items = list(open_source(str(root)))
    first, second, remote, bad, orphan = items
    assert first.record.id == "img-0001" and first.key == "img/0001.jpg"
    assert (first.record.artists, first.record.date, first.record.year_start) == (["A. One", "B. Two"], "1888", 1888)
    assert first.record.subjects == ["x", "y"]
    assert first.record.extra == {"style": "Baroque"}
    assert first.record.dimensions == '{"h": 10, "w": 20}'
    assert second.error == f"{root / 'catalog.json'}: item 2: 'begin year' is '16th', not a whole year"
    assert second.key == "catalog.json: item 2"
    assert remote.record.id == "catalog-3" and [v.uri for v in remote.record.views] == [
        "https://example.org/only-remote.jpg"]
    assert bad.error == f"{root / 'catalog.json'}: item 4: a JSON list, not an object"
    # the image of the failed row is not lost: it comes as an image without a row
    assert (orphan.key, orphan.record.id, orphan.record.title) == ("img/0002.jpg", "img-0002", "0002")


def test_sidecar_option_mapping_and_join_column(tmp_path: Path) -> None:
    root = tmp_path / "photos"
    write_image(root / "DSC_0001.JPG")
    write_image(root / "DSC_0002.JPG")
    sidecar = write_csv(tmp_path / "elsewhere" / "list.csv", ["Photo", "Werk", "Maker Name", "Stijl"], [
        ["DSC_0001.JPG", "Zonnebloemen", "Vincent van Gogh", "Post-impressionisme"],
        ["DSC_0002", "Nachtwacht", "Rembrandt", "Barok"],
    ])
    options = SourceOptions(sidecar=sidecar, join_on="Photo",
                            mapping={"Werk": "title", "Maker Name": "artists", "Stijl": "style"})
    first, second = list(open_source(str(root), options))
    assert (first.record.id, first.record.title, first.record.artists, first.record.extra) == (
        "dsc-0001", "Zonnebloemen", ["Vincent van Gogh"], {"style": "Post-impressionisme", "photo": "DSC_0001.JPG"})
    assert second.key == "DSC_0002.JPG" and second.record.title == "Nachtwacht"  # joined by stem
    with pytest.raises(InvalidInputError, match=r"--join-on names column 'File'.*Photo, Werk"):
        open_source(str(root), SourceOptions(sidecar=sidecar, join_on="File"))
    with pytest.raises(InvalidInputError, match="Sidecar catalogue not found"):
        open_source(str(root), SourceOptions(sidecar=tmp_path / "nope.csv"))


def test_an_ambiguous_file_name_is_that_rows_error(tmp_path: Path) -> None:
    root = tmp_path / "col"
    write_image(root / "a" / "001.jpg")
    write_image(root / "b" / "001.jpg")
    write_csv(root / "catalog.csv", ["file", "title"], [["001.jpg", "Which?"], ["b/001.jpg", "This one"]])
    items = list(open_source(str(root)))
    assert items[0].error == (f"{root / 'catalog.csv'}: line 2: '001.jpg' matches several images "
                              "(a/001.jpg, b/001.jpg); give its path relative to the folder")
    assert items[1].record.id == "b-001" and items[1].record.title == "This one"
    assert [i.key for i in items[2:]] == ["a/001.jpg"]


def test_limit_and_a_folder_of_images_only(tmp_path: Path) -> None:
    for name in ("z.jpg", "a.webp", "m/k.tiff", "g.gif", "b.bmp", "p.PNG"):
        write_image(tmp_path / name)
    source = open_source(str(tmp_path))
    assert [i.key for i in source] == ["a.webp", "b.bmp", "g.gif", "m/k.tiff", "p.PNG", "z.jpg"]
    limited = open_source(str(tmp_path), SourceOptions(limit=2))
    assert len(limited) == 2 and [i.record.id for i in limited] == ["a", "b"]


def test_passages_in_the_folder_are_items_after_the_records(tmp_path: Path) -> None:
    write_image(tmp_path / "a.jpg")
    lines = [{"id": "p1", "artwork_id": "a", "text": "About A."}, {"id": "p2", "text": ""}]
    (tmp_path / "passages.jsonl").write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    items = list(open_source(str(tmp_path)))
    assert [i.key for i in items] == ["a.jpg", "passage:p1", "passages.jsonl: line 2"]
    assert items[1].passages[0].artwork_id == "a"
    assert items[2].error == f"{tmp_path / 'passages.jsonl'}: line 2: 'text' is missing or empty"


def test_catalogue_names_of_tiff_masters_find_their_jpeg_derivatives(tmp_path: Path) -> None:
    write_image(tmp_path / "IMG_1.jpg")
    write_image(tmp_path / "1993.jpg")
    write_csv(tmp_path / "catalog.csv", ["id", "master file", "title"], [
        ["a", "masters/IMG_1.tif", "Found by stem"],
        ["1993.132", "", "An accession number is not a file name"]])
    first, second, orphan = list(open_source(str(tmp_path), SourceOptions(join_on="master file")))
    assert (first.key, first.record.id) == ("a", "a")
    assert (second.key, second.record.views) == ("1993.132", [])
    assert orphan.key == "1993.jpg"
