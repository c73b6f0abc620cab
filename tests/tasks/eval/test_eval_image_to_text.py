"""Image → text retrieval end to end: nlphuji's Flickr30K CSV layout, a tiny random-init CLIP laid out as
the hub lays it out (tests/tiny_models.py), captions ranked in its shared space; and the builtin
embedder, which has no shared space, refused with a message that says what to do."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from artscope.errors import InvalidInputError
from artscope.metrics import recall_at_k
from artscope.tasks.eval import run_benchmark
from artscope.testing import draw_artwork, synthetic_artworks


def _flickr(root: Path, n: int = 4) -> Path:
    (root / "flickr30k-images").mkdir(parents=True)
    with (root / "flickr_annotations_30k.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["raw", "sentids", "split", "filename", "img_id"])
        for i, art in enumerate(synthetic_artworks(n)):
            draw_artwork(art, size=64, seed=i).save(root / "flickr30k-images" / f"{i}.jpg")
            captions = [f"a {art.style} painting", f"picture number {i}"]
            writer.writerow([json.dumps(captions), "[]", "test", f"{i}.jpg", i])
    return root


def test_image_to_text_with_a_cross_modal_model(tmp_path: Path, tiny_clip_dir: Path) -> None:
    result = run_benchmark("flickr30k-i2t", _flickr(tmp_path / "flickr"), model=f"hf:{tiny_clip_dir}",
                           out=tmp_path / "r.json")
    records = [json.loads(line) for line in result.predictions.read_text().splitlines()]
    assert [r["id"] for r in records] == ["0", "1", "2", "3"]
    pool = {f"{i}#{n}" for i in range(4) for n in range(2)}
    assert all(len(r["ranking"]) == 8 and set(r["ranking"]) == pool for r in records)
    for k in (1, 5, 10):
        expected = recall_at_k([r["ranking"] for r in records], [{f"{r['id']}#0", f"{r['id']}#1"} for r in records], k)
        assert result.metrics[f"recall@{k}"] == expected
    assert result.metrics["recall@10"] == 1.0  # the pool has 8 captions: all are in the top 10


def test_image_to_text_refuses_a_model_without_a_shared_space(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="no shared image-text space"):
        run_benchmark("flickr30k-i2t", _flickr(tmp_path / "flickr", n=2), out=tmp_path / "r.json")
