"""Text-benchmark loaders on tiny fixtures in each published layout, plus malformed files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artscope.datasets.text import SEMART_COLUMNS, load_artpedia, load_museum_qa, load_paintingform, load_semart
from artscope.errors import SourceFormatError

ARTPEDIA = {
    "0": {"title": "Wanderer above the Sea of Fog",
          "img_url": "https://upload.wikimedia.org/wikipedia/commons/b/b9/Caspar_David_Friedrich_-_Wanderer.jpg",
          "year": 1818, "visual_sentences": ["A young man stands upon a rocky precipice.", "He grips a stick."],
          "contextual_sentences": ["It was painted in 1818."], "split": "test"},
    "1": {"title": "Other", "img_url": "https://example.org/other.jpg", "year": 1900,
          "visual_sentences": ["A field."], "contextual_sentences": [], "split": "train"},
    "2": {"title": "No visual", "img_url": "https://example.org/none.jpg", "year": 1901,
          "visual_sentences": [], "contextual_sentences": ["Context only."], "split": "test"},
}


def test_artpedia(tmp_path: Path) -> None:
    (tmp_path / "artpedia.json").write_text(json.dumps(ARTPEDIA), encoding="utf-8")
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "0.jpg").write_bytes(b"")
    data = load_artpedia(tmp_path, "test")
    assert [item.item_id for item in data.items] == ["0"]  # the painting without visual sentences is skipped
    assert data.items[0].image == tmp_path / "images" / "0.jpg"
    assert data.items[0].references[1] == "He grips a stick."
    train = load_artpedia(tmp_path, "train")
    assert train.items[0].image == "https://example.org/other.jpg"  # not downloaded: the URL is kept


def test_artpedia_malformed(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(ARTPEDIA))
    broken["0"]["visual_sentences"] = "one sentence"
    (tmp_path / "artpedia.json").write_text(json.dumps(broken), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"artpedia\.json: field 'visual_sentences' of painting '0'"):
        load_artpedia(tmp_path)
    with pytest.raises(SourceFormatError, match=r"artpedia\.json is missing"):
        load_artpedia(tmp_path / "nowhere")


def _write_semart(root: Path, split: str, rows: list[list[str]], columns: tuple[str, ...] = SEMART_COLUMNS) -> None:
    lines = ["\t".join(columns)] + ["\t".join(row) for row in rows]
    (root / f"semart_{split}.csv").write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


def test_semart(tmp_path: Path) -> None:
    (tmp_path / "Images").mkdir()
    _write_semart(tmp_path, "test", [["19873-1portra.jpg", "The portrait shows a young nobleman in a café.",
                                      "ZURBARÁN, Francisco de", "Portrait", "Oil on canvas", "1630",
                                      "portrait", "Spanish", "1601-1650"]])
    data = load_semart(tmp_path, "test")
    item = data.items[0]
    assert item.item_id == "19873-1portra" and item.image == tmp_path / "Images" / "19873-1portra.jpg"
    assert item.references == ("The portrait shows a young nobleman in a café.",)
    assert item.extra["author"] == "ZURBARÁN, Francisco de"


def test_semart_malformed(tmp_path: Path) -> None:
    (tmp_path / "Images").mkdir()
    _write_semart(tmp_path, "test", [["a.jpg", "text"]], columns=("IMAGE_FILE", "DESCRIPTION"))
    with pytest.raises(SourceFormatError, match=r"semart_test\.csv lacks the column\(s\) AUTHOR"):
        load_semart(tmp_path, "test")
    _write_semart(tmp_path, "test", [["a.jpg", "", "x", "x", "x", "x", "x", "x", "x"]])
    with pytest.raises(SourceFormatError, match=r"semart_test\.csv: row 2 has an empty IMAGE_FILE or DESCRIPTION"):
        load_semart(tmp_path, "test")


def test_paintingform(tmp_path: Path) -> None:
    samples = [
        {"id": "0", "image": "images/0.png", "conversations": [
            {"from": "human", "value": "<image>\nAnalyse the formal elements of this painting."},
            {"from": "gpt", "value": "The composition is balanced by a diagonal."}]},
        {"id": "0b", "image": "images/0.png", "conversations": [
            {"from": "human", "value": "<image>\nAnalyse the formal elements of this painting."},
            {"from": "gpt", "value": "Warm colours dominate the foreground."}]},
    ]
    (tmp_path / "train_samples_tuning.json").write_text(json.dumps(samples), encoding="utf-8")
    data = load_paintingform(tmp_path)
    assert len(data.items) == 1  # same image and prompt: one item with two references
    item = data.items[0]
    assert item.prompt == "Analyse the formal elements of this painting."
    assert len(item.references) == 2 and item.image == tmp_path / "art_images_data" / "images" / "0.png"
    samples[1]["conversations"][0] = {"from": "human"}
    (tmp_path / "train_samples_tuning.json").write_text(json.dumps(samples), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"conversations\[0\] of sample 1 has no field 'value'"):
        load_paintingform(tmp_path)


def test_museum_qa(tmp_path: Path) -> None:
    lines = [{"id": "q1", "image": "img/1.jpg", "question": "Who made this?", "answer": "Rembrandt van Rijn",
              "category": "creator"},
             {"id": "q2", "question": "What is it made of?", "answers": ["oil", "canvas"], "category": "material"}]
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    data = load_museum_qa(tmp_path)
    assert data.items[0].answers == ("Rembrandt van Rijn",) and data.items[0].image == tmp_path / "img/1.jpg"
    assert data.items[1].answers == ("oil", "canvas") and data.items[1].image is None
    (tmp_path / "qa.jsonl").write_text(json.dumps({"id": "q3", "question": "Where?"}) + "\n{broken\n")
    with pytest.raises(SourceFormatError, match=r"qa\.jsonl line 2 is not valid JSON"):
        load_museum_qa(tmp_path)
    (tmp_path / "qa.jsonl").write_text(json.dumps({"id": "q3", "question": "Where?"}) + "\n")
    with pytest.raises(SourceFormatError, match=r"qa\.jsonl: question 0 has no field 'answer'"):
        load_museum_qa(tmp_path)
