"""Retrieval loaders on tiny fixtures written in each benchmark's published layout, plus malformed
files that must fail with an error naming the file and the field."""

from __future__ import annotations

import csv
import json
import shutil
import tempfile
from pathlib import Path

import pytest

from artscope.datasets.retrieval import (
    fashioniq_text,
    load_chatir,
    load_circo,
    load_cirr,
    load_fashioniq,
    load_fashioniq_all,
    load_flickr30k,
    load_mscoco_5k,
)
from artscope.errors import InvalidInputError, SourceFormatError


def _write_json(path: Path, data: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _write_karpathy_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["raw", "sentids", "split", "filename", "img_id"])
        writer.writeheader()
        writer.writerows(rows)


def _flickr_rows() -> list[dict]:
    return [
        {"raw": json.dumps(["A dog runs.", "A brown dog.", "Dog on grass.", "A pet.", "An animal runs."]),
         "sentids": json.dumps([0, 1, 2, 3, 4]), "split": "test", "filename": "1000092795.jpg", "img_id": "0"},
        {"raw": json.dumps(["Two men talk."]), "sentids": json.dumps([5]), "split": "train",
         "filename": "10002456.jpg", "img_id": "1"},
    ]


def test_flickr30k_reads_the_test_split(tmp_path: Path) -> None:
    _write_karpathy_csv(tmp_path / "flickr_annotations_30k.csv", _flickr_rows())
    (tmp_path / "flickr30k-images").mkdir()
    data = load_flickr30k(tmp_path)
    assert [item.image_id for item in data.items] == ["1000092795"]
    assert data.items[0].captions[1] == "A brown dog."
    assert data.items[0].image == tmp_path / "flickr30k-images" / "1000092795.jpg"


def test_mscoco_5k_csv(tmp_path: Path) -> None:
    rows = [{"raw": json.dumps(["A cat on a mat."]), "sentids": "[1]", "split": "test",
             "filename": "COCO_val2014_000000391895.jpg", "img_id": "3"}]
    _write_karpathy_csv(tmp_path / "test_5k_mscoco_2014.csv", rows)
    (tmp_path / "images_mscoco_2014_5k_test").mkdir()
    assert load_mscoco_5k(tmp_path).items[0].image_id == "COCO_val2014_000000391895"


def test_karpathy_csv_malformed(tmp_path: Path) -> None:
    rows = _flickr_rows()
    rows[0]["raw"] = "not json"
    _write_karpathy_csv(tmp_path / "flickr_annotations_30k.csv", rows)
    (tmp_path / "flickr30k-images").mkdir()
    with pytest.raises(SourceFormatError, match=r"flickr_annotations_30k\.csv.*'raw' of row 2"):
        load_flickr30k(tmp_path)
    (tmp_path / "flickr_annotations_30k.csv").write_text("filename,split\na.jpg,test\n")
    with pytest.raises(SourceFormatError, match=r"flickr_annotations_30k\.csv lacks the column\(s\) raw"):
        load_flickr30k(tmp_path)


def _cirr_fixture(root: Path, split: str) -> None:
    prefix = "dev" if split == "val" else "test1"
    members = [f"{prefix}-1-0-img0", f"{prefix}-1-1-img1", f"{prefix}-2-0-img0", f"{prefix}-2-1-img1",
               f"{prefix}-3-0-img0", f"{prefix}-3-1-img1"]
    entry = {"pairid": 12060, "reference": members[0], "caption": "show three bottles",
             "img_set": {"id": 36, "members": members, "reference_rank": 0}}
    if split == "val":
        entry |= {"target_hard": members[1], "target_soft": {members[1]: 1.0}}
        entry["img_set"]["target_rank"] = 1
    _write_json(root / "captions" / f"cap.rc2.{split}.json", [entry])
    _write_json(root / "image_splits" / f"split.rc2.{split}.json",
                {name: f"./{prefix}/{name}.png" for name in members})
    (root / "img_raw" / prefix).mkdir(parents=True)


def test_cirr_val_and_test1(tmp_path: Path) -> None:
    _cirr_fixture(tmp_path / "v", "val")
    data = load_cirr(tmp_path / "v", "val")
    query = data.queries[0]
    assert (query.query_id, query.target, len(query.subset)) == ("12060", "dev-1-1-img1", 6)
    assert data.gallery["dev-1-0-img0"] == tmp_path / "v" / "img_raw" / "dev" / "dev-1-0-img0.png"
    _cirr_fixture(tmp_path / "t", "test1")
    test_query = load_cirr(tmp_path / "t", "test1").queries[0]
    assert test_query.target is None and not test_query.targets


def test_cirr_malformed(tmp_path: Path) -> None:
    _cirr_fixture(tmp_path, "val")
    path = tmp_path / "captions" / "cap.rc2.val.json"
    entry = json.loads(path.read_text())[0]
    del entry["target_hard"]
    path.write_text(json.dumps([entry]))
    with pytest.raises(SourceFormatError, match=r"cap\.rc2\.val\.json: entry 0 has no field 'target_hard'"):
        load_cirr(tmp_path, "val")
    entry["target_hard"] = "x"
    entry["pairid"] = "12060"
    path.write_text(json.dumps([entry]))
    with pytest.raises(SourceFormatError, match=r"field 'pairid' of entry 0 is a str, expected int"):
        load_cirr(tmp_path, "val")
    with pytest.raises(InvalidInputError, match="test1"):
        load_cirr(tmp_path, "train")


def _circo_fixture(root: Path, split: str) -> None:
    entry = {"reference_img_id": 85932, "relative_caption": "is held by a little girl on a chair",
             "shared_concept": "a teddy bear", "id": 0}
    if split == "val":
        entry |= {"target_img_id": 9761, "gt_img_ids": [9761, 489535, 57541], "semantic_aspects": ["addition"]}
    _write_json(root / "annotations" / f"{split}.json", [entry])
    images = [{"file_name": f"{i:012d}.jpg", "id": i, "coco_url": "", "height": 10, "width": 10}
              for i in (85932, 9761, 489535, 57541, 111)]
    _write_json(root / "COCO2017_unlabeled" / "annotations" / "image_info_unlabeled2017.json",
                {"info": {}, "images": images})


def test_circo(tmp_path: Path) -> None:
    _circo_fixture(tmp_path, "val")
    data = load_circo(tmp_path, "val")
    query = data.queries[0]
    assert query.target == "9761" and query.targets == {"9761", "489535", "57541"}
    assert data.gallery["111"].name == "000000000111.jpg"
    _circo_fixture(tmp_path / "t", "test")
    assert load_circo(tmp_path / "t", "test").queries[0].targets == frozenset()


def test_circo_malformed(tmp_path: Path) -> None:
    _circo_fixture(tmp_path, "val")
    _write_json(tmp_path / "annotations" / "val.json", [{"id": 0, "reference_img_id": 1, "relative_caption": "x",
                                                         "target_img_id": 2}])
    with pytest.raises(SourceFormatError, match=r"val\.json: entry 0 has no field 'gt_img_ids'"):
        load_circo(tmp_path, "val")
    (tmp_path / "COCO2017_unlabeled" / "annotations" / "image_info_unlabeled2017.json").write_text("{broken")
    with pytest.raises(SourceFormatError, match=r"image_info_unlabeled2017\.json is not valid JSON"):
        load_circo(tmp_path, "val")


def test_fashioniq(tmp_path: Path) -> None:
    _write_json(tmp_path / "captions" / "cap.dress.val.json",
                [{"target": "B008BHCT58", "candidate": "B003FGW7MK",
                  "captions": ["is solid black with no sleeves", "is black with straps."]}])
    _write_json(tmp_path / "image_splits" / "split.dress.val.json", ["B008BHCT58", "B003FGW7MK"])
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "B008BHCT58.jpg").write_bytes(b"")
    data = load_fashioniq(tmp_path, "dress")
    query = data.queries[0]
    assert query.text == "Is solid black with no sleeves and is black with straps"
    assert query.target == "B008BHCT58" and data.gallery["B008BHCT58"].suffix == ".jpg"
    assert data.gallery["B003FGW7MK"].suffix == ".png"
    with pytest.raises(InvalidInputError, match="dress, shirt, toptee"):
        load_fashioniq(tmp_path, "shoes")


def test_fashioniq_malformed(tmp_path: Path) -> None:
    _write_json(tmp_path / "captions" / "cap.shirt.val.json", [{"target": "A", "candidate": "B", "captions": "x"}])
    _write_json(tmp_path / "image_splits" / "split.shirt.val.json", ["A", "B"])
    (tmp_path / "images").mkdir()
    with pytest.raises(SourceFormatError, match=r"cap\.shirt\.val\.json: field 'captions' of entry 0 is a str"):
        load_fashioniq(tmp_path, "shirt")
    assert fashioniq_text(["is red.", "has sleeves?"]) == "Is red and has sleeves"


def test_chatir(tmp_path: Path) -> None:
    space = ["unlabeled2017/000000000008.jpg", "unlabeled2017/000000185565.jpg"]
    _write_json(tmp_path / "ChatIR_Protocol" / "Search_Space_val_50k.json", space)
    _write_json(tmp_path / "dialogues" / "VisDial_v1.0_queries_val.json",
                [{"img": space[1], "dialog": ["a bedroom with posters", "is the photo in color? yes"]}])
    data = load_chatir(tmp_path)
    assert data.queries[0].target == space[1] and len(data.queries[0].turns) == 2
    assert data.gallery[space[0]] == tmp_path / space[0]
    _write_json(tmp_path / "dialogues" / "VisDial_v1.0_queries_val.json", [{"img": "elsewhere.jpg", "dialog": ["x"]}])
    with pytest.raises(SourceFormatError, match=r"VisDial_v1\.0_queries_val\.json: image 'elsewhere\.jpg' of entry 0"):
        load_chatir(tmp_path)
    (tmp_path / "ChatIR_Protocol" / "Search_Space_val_50k.json").unlink()
    with pytest.raises(SourceFormatError, match=r"None of ChatIR_Protocol/Search_Space_val_50k\.json, Protocol/"):
        load_chatir(tmp_path)


DATA = Path(__file__).resolve().parents[1] / "data"


def test_plugir_layout() -> None:
    data = load_chatir(DATA / "plugir")  # PlugIR: Protocol/Search_Space_val_50k.json
    assert len(data.queries) == 3 and all(len(q.turns) == 11 for q in data.queries)
    assert data.queries[0].target == "unlabeled2017/000000185565.jpg"
    assert data.queries[0].turns[1] == "is the photo in color? yes"
    assert len(data.gallery) == 12 and data.gallery[data.queries[0].target] == DATA / "plugir" / data.queries[0].target


def _fashioniq(root: Path) -> Path:
    shutil.copytree(DATA / "fashioniq", root)
    (root / "images").mkdir()
    return root


def test_fashioniq_published_captions_and_clip4cir_join(tmp_path: Path) -> None:
    data = load_fashioniq_all(_fashioniq(tmp_path / "fiq"))
    assert [q.query_id for q in data.queries[:4]] == ["dress-0", "dress-1", "dress-2", "shirt-0"]
    dress = data.queries[0]  # captions ["is shiny and silver with shorter sleeves", "fit and flare"]
    assert dress.text == "Is shiny and silver with shorter sleeves and fit and flare"
    assert (dress.reference, dress.target, dress.pool) == ("B005X4PL1G", "B0084Y8XIU", "dress")
    assert set(data.pools) == {"dress", "shirt", "toptee"} and set(data.gallery) == {
        key for keys in data.pools.values() for key in keys}
    # CLIP4Cir: f"{c1.strip('.?, ').capitalize()} and {c2.strip('.?, ')}"; capitalize() lower-cases the rest
    assert fashioniq_text(["Is RED, ", "Has a V-neck."]) == "Is red and Has a V-neck"


def test_fashioniq_inside_clip4cirs_folder(tmp_path: Path) -> None:
    _fashioniq(tmp_path / "fashionIQ_dataset")
    assert len(load_fashioniq(tmp_path, "shirt").queries) == 3


def test_circo_semantic_aspects() -> None:
    root = DATA / "circo"
    queries = json.loads((root / "annotations" / "val.json").read_text())
    ids = {queries[0]["reference_img_id"], *(g for q in queries for g in q["gt_img_ids"])}
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "circo"
        shutil.copytree(root, copy)
        _write_json(copy / "COCO2017_unlabeled" / "annotations" / "image_info_unlabeled2017.json",
                    {"images": [{"id": i, "file_name": f"{i:012d}.jpg"} for i in sorted(ids)]})
        data = load_circo(copy, "val")
    assert data.queries[0].aspects == ("cardinality", "statement_with_conjunction", "comparative_statement",
                                       "spatial_relations_background")


def test_cirr_published_files() -> None:
    val = load_cirr(DATA / "cirr", "val")
    first = val.queries[0]
    assert first.text == "show three bottles of soft drink" and len(first.subset) == 6
    assert first.target in val.gallery and first.reference in first.subset
    assert val.gallery[first.reference] == DATA / "cirr" / "dev" / f"{first.reference}.png"
    test1 = load_cirr(DATA / "cirr", "test1")
    assert len(test1.queries) == 3 and all(q.target is None for q in test1.queries)
