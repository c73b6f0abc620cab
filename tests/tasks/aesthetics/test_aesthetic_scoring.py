"""score_image / collection.score: the result's shape, grounded comments, originality, the head's use."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from artscope.errors import EmbedderMismatchError, InvalidInputError, NotFoundError
from artscope.tasks.aesthetics import DIMENSION_KEYS, DIMENSIONS, AestheticResult, score_image
from artscope.tasks.aesthetics.comments import Writer
from artscope.tasks.aesthetics.dimensions import total_from_distribution
from artscope.tasks.aesthetics.synthetic import disc_image, horizon_image, split_image, texture_image


def assert_grounded(result: AestheticResult) -> None:
    """Every sentence cites at least one measurement, and only measurements the result returns."""
    sentences = [s for items in result.comments.values() for s in items] + result.description.sentences()
    assert sentences
    assert all(sentence.cites for sentence in sentences)
    assert result.cited_keys() <= set(result.measurements), result.cited_keys() - set(result.measurements)


IMAGES = {
    "disc on thirds": disc_image(centre=(1 / 3, 0.5)),
    "horizon": horizon_image(),
    "complementary split": split_image(),
    "texture": texture_image(seed=3),
    "grey": Image.new("RGB", (200, 150), (128, 128, 128)),
}


@pytest.mark.parametrize("name", list(IMAGES))
def test_result_shape_and_grounding_without_a_collection(name: str) -> None:
    result = score_image(IMAGES[name])
    assert set(result.dimensions) == set(DIMENSION_KEYS)
    assert result.dimensions["originality"] is None and "originality" in result.not_measured
    assert all(0 <= v <= 100 for k, v in result.dimensions.items() if k != "originality")
    assert len(result.distribution) == 10 and sum(result.distribution) == pytest.approx(1, abs=1e-3)
    assert result.total == pytest.approx(total_from_distribution(result.distribution), abs=0.05)
    assert not result.calibrated and any("uncalibrated" in note for note in result.notes)
    assert result.comments["originality"] == []
    assert_grounded(result)


def test_comments_state_the_measured_numbers() -> None:
    result = score_image(IMAGES["disc on thirds"])
    placement = result.comments["composition"][0]
    assert placement.text.startswith("The main subject's centre sits on the left thirds line")
    x = result.measurements["composition.subject_x"].value
    assert f"{x:.2f}" in placement.text and "composition.subject_x" in placement.cites
    horizon = score_image(IMAGES["horizon"])
    sentence = next(s for s in horizon.comments["composition"] if "horizon" in s.text)
    assert "lower thirds line" in sentence.text and sentence.cites == ["composition.horizon_y"]
    complementary = score_image(IMAGES["complementary split"])
    assert any("complementary scheme" in s.text for s in complementary.comments["visual_elements"])


def test_real_photographs_are_grounded(sample_collection_dir: Path) -> None:
    for path in sorted((sample_collection_dir / "images").glob("*.jpg"))[:6]:
        result = score_image(path)
        assert_grounded(result)
        assert result.measurements["technical.width"].value > 100


def test_a_sentence_cannot_cite_an_unmeasured_key() -> None:
    writer = Writer(score_image(IMAGES["grey"]).measurements)
    with pytest.raises(KeyError, match=r"composition\.horizon_y"):
        writer.say("The horizon is low.", "composition.horizon_y", plain="The horizon is low.")


def test_artimuse_response_shape() -> None:
    shape = score_image(IMAGES["texture"]).to_artimuse()
    assert set(shape) == {"total_score", "aspect_scores", "aspect_comments"}
    assert list(shape["aspect_scores"]) == list(DIMENSIONS.values())
    assert shape["aspect_scores"]["Originality & Creativity"] is None
    assert shape["aspect_comments"]["Technical Execution"].startswith("Detail is")


def test_score_against_the_collection_measures_originality(synthetic_collection) -> None:
    result = synthetic_collection.score(artwork_id="art-0005")
    assert result.artwork_id == "art-0005" and "originality" not in result.not_measured
    percentile = result.measurements["originality.typicality_percentile"].value
    assert 0 <= percentile <= 100
    assert result.dimensions["originality"] == pytest.approx(100 - percentile, abs=0.01)
    nearest = result.measurements["originality.nearest"].value
    assert nearest and "art-0005" not in nearest
    assert all(re.fullmatch(r"art-\d{4}", a) for a in nearest)
    assert result.comments["originality"]
    assert_grounded(result)
    outside = synthetic_collection.score(texture_image(seed=9, size=(96, 96)))
    assert (
        outside.measurements["originality.neighbour_similarity"].value
        < result.measurements["originality.neighbour_similarity"].value
    )


def test_score_needs_exactly_one_image(synthetic_collection) -> None:
    with pytest.raises(InvalidInputError, match="either an image or a stored artwork"):
        synthetic_collection.score()
    with pytest.raises(InvalidInputError, match="either an image or a stored artwork"):
        synthetic_collection.score(IMAGES["grey"], artwork_id="art-0001")
    with pytest.raises(NotFoundError):
        synthetic_collection.score(artwork_id="no-such-artwork")


def test_head_trained_on_a_collection_field_calibrates_scores(synthetic_collection) -> None:
    from artscope.tasks.aesthetics.training import from_collection, train

    # the synthetic artist sets both the palette and the year range: year is predictable from pixels
    data = from_collection(synthetic_collection, "year_start")
    report = train(synthetic_collection, data, epochs=120)
    assert report.train_items + report.test_items == 48 and report.metrics["srcc"] > 0.6
    result = synthetic_collection.score(artwork_id="art-0002")
    assert (
        result.calibrated and result.head is not None and result.head.data_source == "collection:year_start"
    )
    assert not any("uncalibrated" in note for note in result.notes)
    assert not synthetic_collection.score(artwork_id="art-0002", use_head=False).calibrated
    head_dir = synthetic_collection.heads_dir / "aesthetics"
    assert score_image(IMAGES["texture"], head_dir=head_dir).calibrated


def test_a_head_of_another_embedder_is_refused(synthetic_collection) -> None:
    from artscope.embedders.base import EmbedderInfo
    from artscope.heads.aesthetics import HeadMeta, train_head
    from artscope.tasks.aesthetics.features import FEATURE_NAMES

    other = EmbedderInfo(spec="hf:google/siglip-base-patch16-224", image_dim=768, text_dim=768)
    rng = np.random.default_rng(0)
    meta = HeadMeta(feature_names=list(FEATURE_NAMES), embedding_dim=768, data_source="elsewhere")
    head = train_head(
        rng.normal(size=(20, len(FEATURE_NAMES) + 768)), rng.random((20, 10)), None, meta, epochs=1
    )
    head.save(synthetic_collection.heads_dir / "aesthetics", other)
    with pytest.raises(EmbedderMismatchError, match=r"siglip.*builtin|builtin.*siglip"):
        synthetic_collection.score(artwork_id="art-0001")
