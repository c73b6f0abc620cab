"""Comments for visitors: every sentence has a plain version without numbers or jargon, the measured
sentence stays in the result with what it cites, and the theme dimension is always commented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image

from artscope.tasks.aesthetics import DIMENSION_KEYS, score_image
from artscope.tasks.aesthetics.comments import colour_name
from artscope.tasks.aesthetics.synthetic import disc_image, horizon_image, split_image, texture_image

SAMPLE = Path(__file__).resolve().parents[3] / "src" / "artscope" / "demo" / "sample-collection" / "images"
JARGON = re.compile(r"\d|Laplacian|Valdez|Mehrabian|ΔE|L\*|σ|\bM =|\bpx\b|\bMP\b|index|deviation|salien")


@pytest.mark.parametrize("image", [
    disc_image(centre=(1 / 3, 0.5)), horizon_image(), split_image(), texture_image(seed=3),
    Image.new("RGB", (200, 150), (128, 128, 128)),
    SAMPLE / "van-gogh-cafe-terrace-at-night.jpg", SAMPLE / "taj-mahal.jpg",
], ids=["disc", "horizon", "split", "texture", "grey", "cafe-terrace", "taj-mahal"])
def test_every_sentence_has_a_plain_version(image) -> None:
    result = score_image(image)
    sentences = [s for items in result.comments.values() for s in items] + result.description.sentences()
    for sentence in sentences:
        assert sentence.plain and not JARGON.search(sentence.plain), sentence
        assert sentence.plain[0].isupper() and sentence.plain.endswith("."), sentence.plain
        assert not re.search(r"\ba [aeio]", sentence.text + " " + sentence.plain), sentence
    for key in DIMENSION_KEYS:  # a scored dimension is commented (originality needs a collection)
        if result.dimensions[key] is not None and key != "originality":
            assert result.comments[key], key


def test_colours_get_plain_names() -> None:
    assert [colour_name(c) for c in ("#2a4f9c", "#eeeeea", "#111111", "#c0392b", "#6b4a1f", "#f5d0dc")] == [
        "blue", "white", "black", "red", "brown", "pale pink"]
