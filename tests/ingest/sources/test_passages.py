"""Passages JSON Lines: one passage a line, a bad line is that line's error."""

from __future__ import annotations

import json
from pathlib import Path

from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.passages import PassagesSource


def test_passages_with_one_bad_line_and_one_incomplete(tmp_path: Path) -> None:
    path = tmp_path / "texts.jsonl"
    lines = [
        json.dumps({"id": "p1", "artwork_id": "van-gogh-the-night-cafe", "text": "A café at night.",
                    "source": "Wall text", "title": "The Night Café"}),
        "",
        '{"id": "p2", "text": "unterminated',
        json.dumps({"id": 3, "artwork_id": 42, "text": "Numbers as ids."}),
        json.dumps({"id": "p4", "title": "No text"}),
        json.dumps({"id": "p5", "text": "Free-standing paragraph.", "lang": "en"}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    source = open_source(str(path))
    assert isinstance(source, PassagesSource) and len(source) == 5
    items = list(source)
    assert [i.key for i in items] == ["passage:p1", "texts.jsonl: line 3", "passage:3", "texts.jsonl: line 5",
                                      "passage:p5"]
    first = items[0].passages[0]
    assert first.model_dump(exclude_defaults=True) == {
        "id": "p1", "text": "A café at night.", "artwork_id": "van-gogh-the-night-cafe", "source": "Wall text",
        "title": "The Night Café"}
    assert items[1].error.startswith(f"{path}: line 3: not valid JSON")
    assert (items[2].passages[0].id, items[2].passages[0].artwork_id) == ("3", "42")
    assert items[3].error == f"{path}: line 5: 'text' is missing or empty"
    assert items[4].passages[0].artwork_id is None


def test_images_a_line_names_are_fetched_from_their_address_never_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "texts.jsonl"
    images = [{"file": "Example.jpg", "caption": "An example", "url": "https://upload.wikimedia.org/x/Example.jpg",
               "read_from": "/etc/shadow"}, {"file": "Local.jpg", "url": "/srv/images/Local.jpg"}]
    path.write_text(json.dumps({"id": "w1", "text": "A paragraph with pictures.", "images": images}) + "\n")
    passage = next(iter(PassagesSource(str(path), SourceOptions()))).passages[0]
    assert [(i.caption, i.read_from) for i in passage.images] == [
        ("An example", "https://upload.wikimedia.org/x/Example.jpg"), (None, None)]
