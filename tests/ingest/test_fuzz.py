"""Over a thousand malformed inputs of every kind the sources accept (catalogue rows in CSV and JSON,
passages, IIIF manifests in a collection, image files and file names), mixed with good ones: no run
is aborted, no good item is lost, and every failure is one message naming the file and the row,
item or field."""

from __future__ import annotations

import json
import random
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

import artscope

BAD_YEARS = ["12345678901234567890", "1e30", "NaN", "soon", "18th", "1888.5", "--1", "0x7d0", "∞", "1,888"]
WHERE = re.compile(r"line \d+|item \d+|member |'[^']+'|column")


def _csv(folder: Path, rng: random.Random) -> tuple[Path, dict[str, str], int]:
    good: dict[str, str] = {}
    lines, bad = ["id,title,year start,artist"], 0
    for number in range(520):
        if number % 5 == 0:
            good[f"c{number}"] = f"Good {number}, oil"
            lines.append(f'c{number},"Good {number}, oil",{1500 + number},Painter {number}')
            continue
        bad += 1
        kind = number % 4
        if kind == 0:
            lines.append(f"b{number},Bad,{rng.choice(BAD_YEARS)},x")
        elif kind == 1:
            lines.append(f"b{number},Too,many,cells,here")
        elif kind == 2:
            lines.append(f"b{number},\udcff\udce9 not utf-8,1900,x")
        else:
            lines.append(f"c{number - number % 5},A second row with a good row's id,1900,x")
    lines.insert(200, 'u1,"a quote never closed,1900,x')
    lines.insert(400, 'u2,"another one,1900,x')
    path = folder / "catalogue.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8", "surrogateescape"))
    return path, good, bad + 2


def _json(folder: Path, rng: random.Random) -> tuple[Path, dict[str, str], int]:
    good: dict[str, str] = {}
    parts, bad = [], 0
    deep = "[" * 5000 + "]" * 5000
    for number in range(360):
        if number % 6 == 0:
            good[f"j{number}"] = f"Good {number}"
            parts.append(json.dumps({"id": f"j{number}", "title": f"Good {number}", "year_start": 1600 + number,
                                     "artists": ["A", "B"], "extra field": {"nested": [1, 2]}}))
            continue
        bad += 1
        kind = number % 7
        parts.append([
            json.dumps(rng.choice(["a string", 12, None, [1, 2], True])),
            json.dumps({"id": f"x{number}", "year_start": rng.choice([1e30, -1e30, "abc", 10**25])}),
            f'{{"id": "x{number}", "title": "nan", "weight": NaN}}',
            f'{{"id": "x{number}", "title": "\\ud800 alone"}}',
            json.dumps({"id": f"x{number}", "title": "big", "count": 10**30}),
            f'{{"id": "x{number}", "title": {deep}}}',
            json.dumps({"id": f"x{number}", "title": "deep", "note": json.loads("[" * 40 + "]" * 40)}),
        ][kind])
    path = folder / "catalogue.json"
    path.write_text("[" + ",\n".join(parts) + "]", encoding="utf-8")
    return path, good, bad


def _passages(folder: Path, rng: random.Random) -> tuple[Path, dict[str, str], int]:
    good: dict[str, str] = {}
    lines, bad = [], 0
    for number in range(260):
        if number % 5 == 0 or number == 1:  # line 2 must be good: a bad first line is the file's error
            good[f"p{number}"] = f"Wall text {number}."
            lines.append(json.dumps({"id": f"p{number}", "text": f"Wall text {number}.", "artwork_id": "c0"}))
            continue
        bad += 1
        lines.append(rng.choice([
            "{not json", json.dumps({"text": "no id"}), json.dumps({"id": f"q{number}", "text": ""}),
            json.dumps({"id": f"q{number}", "text": {"a": 1}}), json.dumps({"id": "p0", "text": "a second p0"}),
            json.dumps([1, 2, 3]), "[" * 3000 + "]" * 3000, json.dumps({"id": f"q{number}"}),
        ]))
    lines.insert(0, json.dumps({"id": "first", "text": "The first line."}))
    good["first"] = "The first line."
    path = folder / "texts.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, good, bad


def _manifest(number: int, label: object, **more: object) -> dict:
    return {"@context": "http://iiif.io/api/presentation/3/context.json", "id": f"https://example.org/m/{number}",
            "type": "Manifest", "label": label, **more}


def _iiif(folder: Path, rng: random.Random) -> tuple[Path, dict[str, str], int]:
    good: dict[str, str] = {}
    members, bad = [], 0
    (folder / "m").mkdir()
    for number in range(200):
        path = folder / "m" / f"{number}.json"
        members.append({"id": f"m/{number}.json", "type": "Manifest"})
        if number % 8 == 0:
            good[f"example-org-m-{number}"] = f"Manifest {number}"
            path.write_text(json.dumps(_manifest(number, {"en": [f"Manifest {number}"]}, metadata=[
                {"label": {"en": ["Date"]}, "value": {"none": ["ca. 1650"]}}], items=[])))
            continue
        bad += 1
        kind = number % 6
        if kind == 0:
            path.write_text("{not json")
        elif kind == 1:
            path.write_bytes(json.dumps(_manifest(number, "caf\u00e9"), ensure_ascii=False).encode("latin-1"))
        elif kind == 2:
            path.write_text(json.dumps({"@context": "http://iiif.io/api/presentation/3/context.json",
                                        "type": "Canvas"}))
        elif kind == 3:
            path.write_text(json.dumps(rng.choice([[1, 2], "text", 42])))
        elif kind == 4:
            path.write_text('{"type": "Manifest", "label": ' + "[" * 4000 + "]" * 4000 + "}")
        else:  # a label that is no text, years no date can be, canvases of garbage
            path.write_text(json.dumps(_manifest(number, {"en": ["\ud800"]}, metadata=[
                {"label": {"en": ["Year start"]}, "value": {"none": ["1"]}},
                {"label": {"en": ["Year end"]}, "value": {"none": ["99999999999"]}}], navDate=None,
                items=[{"id": "x", "type": "Canvas", "items": "garbage"}])).replace('"1"', "1e400"))
    (folder / "collection.json").write_text(json.dumps({
        "@context": "http://iiif.io/api/presentation/3/context.json", "id": "https://example.org/c",
        "type": "Collection", "label": {"en": ["Fuzz"]}, "items": members}))
    return folder / "collection.json", good, bad


def _png_header(width: int, height: int) -> bytes:
    chunk = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + chunk
            + struct.pack(">I", zlib.crc32(b"IHDR" + chunk)))


def _images(folder: Path, rng: random.Random) -> tuple[Path, dict[str, str], int]:
    good: dict[str, str] = {}
    root = folder / "images"
    root.mkdir()
    bad = 0
    for number in range(120):
        if number % 12 == 0:
            Image.new("RGB", (24, 18), (number * 2, 255 - number, 40)).save(root / f"good-{number}.png")
            good[f"good-{number}"] = f"good {number}"
            continue
        bad += 1
        name, data = f"bad-{number}.jpg", rng.randbytes(rng.randint(0, 300))
        kind = number % 5
        if kind == 1:
            name, data = f"bad-{number}.png", _png_header(100_000, 100_000)  # a decompression bomb's header
        elif kind == 2:
            buffer = root / "tmp.jpg"
            Image.new("RGB", (64, 64), (1, 2, 3)).save(buffer)
            data = buffer.read_bytes()[:200]  # truncated
            buffer.unlink()
        elif kind == 3:
            name = f"bad-{number}-line\nbreak.gif"
        elif kind == 4:
            name = f"bad-{number}-\udce9.png"  # a file name that is not UTF-8
        (root / name).write_bytes(data)
    return root, good, bad


@pytest.mark.parametrize("kind", ["csv", "json", "passages", "iiif", "images"])
def test_malformed_inputs_fail_alone_and_name_their_file(tmp_path: Path, kind: str) -> None:
    rng = random.Random(f"fuzz-{kind}")
    make = {"csv": _csv, "json": _json, "passages": _passages, "iiif": _iiif, "images": _images}[kind]
    source, good, bad = make(tmp_path, rng)
    with artscope.create(tmp_path / "c") as collection:
        summary = collection.ingest([str(source)])  # an exception here is an aborted run
        assert summary.failed == bad, [e.error for e in summary.errors][:5]
        for error in summary.errors:
            assert source.name in error.error or (kind == "iiif" and "collection.json" in error.error), error
            assert WHERE.search(error.error) or kind == "images", error.error
        if kind == "passages":
            stored = {p.id: p.text for p in collection.catalog.passages_by_rowids(
                collection.catalog.rowids_after("passages", 0, 10_000)).values()}
        else:
            stored = {r.id.split("/")[-1]: (r.title or "") for r in collection.catalog.iter_records()}
        assert {key: stored.get(key) for key in good} == good
        assert collection.catalog.pending_counts() == {"artworks": 0, "views": 0, "passages": 0}


def test_over_a_thousand_malformed_inputs_are_sent(tmp_path: Path) -> None:
    counts = {}
    for kind, make in {"csv": _csv, "json": _json, "passages": _passages, "iiif": _iiif, "images": _images}.items():
        (tmp_path / kind).mkdir()
        counts[kind] = make(tmp_path / kind, random.Random(f"fuzz-{kind}"))[2]
    assert sum(counts.values()) >= 1000 and min(counts.values()) >= 100, counts
