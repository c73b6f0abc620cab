"""open_source recognises each kind from its files, most specific first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from artscope.errors import SourceFormatError, UnknownNameError
from artscope.ingest.sources import DETECTION_ORDER, SourceOptions, open_source, sources

from .layouts import MET_HEADER, write_csv, write_image, write_json, write_nga


def test_every_kind_is_registered_in_detection_order() -> None:
    assert DETECTION_ORDER[0] == "wikipedia" and DETECTION_ORDER[-1] == "catalogue"
    assert sources.names() == ["csv", "folder", "iiif", "json", "met", "nga", "passages", "wikipedia"]


DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.mark.parametrize(("make", "kind"), [
    (lambda d: shutil.copy(DATA / "iiif/cookbook/0001-mvm-image/manifest.json", d / "m.json"), "iiif"),
    (lambda d: shutil.copy(DATA / "iiif/manifesto/illustrationsofchina.json", d / "wdl.json"), "iiif"),
    (lambda d: shutil.copy(DATA / "iiif/manifesto/pres3-collection.json", d / "c3.json"), "iiif"),
    (lambda d: write_csv(d / "MetObjects.csv", MET_HEADER, [], bom=True), "met"),
    (lambda d: write_nga(d / "nga"), "nga"),
    (lambda d: _passages(d / "p.jsonl"), "passages"),
    (lambda d: write_image(d / "f" / "a.jpg").parent, "folder"),
    (lambda d: write_csv(d / "c.csv", ["title"], [["A"]]), "csv"),
    (lambda d: write_json(d / "c.json", [{"title": "A"}]), "json"),
    (lambda d: _jsonl(d / "c.jsonl"), "json"),
])
def test_the_kind_of_each_layout_is_recognised(tmp_path: Path, make, kind: str) -> None:
    source = open_source(str(make(tmp_path)))
    assert source.name.startswith(f"{kind}:")


def test_urls_are_iiif_and_unknown_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(SourceFormatError, match="Give --kind with one of: csv, folder, iiif, json, met"):
        open_source(str(tmp_path / "notes.txt"))
    with pytest.raises(UnknownNameError, match="Did you mean 'iiif'"):
        open_source(str(tmp_path), SourceOptions(), kind="iif")
    # a file the detector would call csv, read as the kind the user names
    semicolons = write_csv(tmp_path / "x.txt", ["title"], [["A"]])
    assert [i.record.title for i in open_source(str(semicolons), kind="csv")] == ["A"]


def _passages(path: Path) -> Path:
    path.write_text(json.dumps({"id": "p", "text": "t", "artwork_id": "a"}) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path) -> Path:
    row = {"id": "a", "title": "A", "artist": "B", "text": "a catalogue with a text column"}
    path.write_text(json.dumps(row) + "\n")
    return path
