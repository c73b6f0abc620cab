"""A catalogue file on its own (CSV or JSON), with image paths relative to it or URLs."""

from __future__ import annotations

from pathlib import Path

from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.catalogue import CatalogueSource, JsonCatalogueSource

from .layouts import write_csv, write_image, write_json


def test_csv_catalogue_with_relative_paths_and_urls(tmp_path: Path) -> None:
    write_image(tmp_path / "img" / "a.jpg")
    path = write_csv(tmp_path / "data" / "works.csv", ["Object ID", "Title", "Artist", "Year", "Image URL", "Style"], [
        ["W1", "Sunflowers", "Vincent van Gogh", "1888", "../img/a.jpg|https://example.org/a-back.jpg", "Post-Imp."],
        ["", "Untitled", "", "c. 1920", "", ""],
        ["W3", "Bad", "", "1900", "", "", "extra cell"],
    ])
    source = open_source(str(path))
    assert isinstance(source, CatalogueSource) and source.name == f"csv:{path}" and len(source) == 3
    first, second, third = list(source)
    assert (first.key, first.record.title, first.record.artists, first.record.year_start) == (
        "W1", "Sunflowers", ["Vincent van Gogh"], 1888)
    assert [v.uri for v in first.record.views] == [str(tmp_path / "data" / ".." / "img" / "a.jpg"),
                                                   "https://example.org/a-back.jpg"]
    assert first.record.extra == {"style": "Post-Imp."}
    assert (second.record.id, second.record.year_start, second.record.views) == ("works-2", 1920, [])
    assert third.error == (f"{path}: line 4: 7 cells where the header has 6 columns "
                           "(a comma or line break inside an unquoted field?)")


def test_json_and_jsonl_catalogues_with_a_mapping(tmp_path: Path) -> None:
    rows = [{"inv": "J1", "naam": "Nachtwacht", "maker": ["Rembrandt"], "images": ["/abs/n.jpg"]}]
    options = SourceOptions(mapping={"inv": "id", "naam": "title"})
    array = open_source(str(write_json(tmp_path / "c.json", rows)), options)
    assert isinstance(array, JsonCatalogueSource)
    [item] = list(array)
    assert (item.record.id, item.record.title, item.record.artists, [v.uri for v in item.record.views]) == (
        "J1", "Nachtwacht", ["Rembrandt"], ["/abs/n.jpg"])
    lines = tmp_path / "c.jsonl"
    lines.write_text('{"inv": "J2", "naam": "Het Joodse bruidje"}\n', encoding="utf-8")
    [item] = list(open_source(str(lines), options))
    assert (item.record.id, item.record.title) == ("J2", "Het Joodse bruidje")
