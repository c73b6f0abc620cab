"""VQA accuracy and MUSEUM-65-style precision/recall, on examples computed by hand from the official
VQA evaluation code's steps and from the documented matching rules."""

from __future__ import annotations

import pytest

from artscope.errors import InvalidInputError
from artscope.metrics import museum_precision_recall, vqa_accuracy, vqa_normalize


def test_vqa_leave_one_out_average() -> None:
    assert vqa_accuracy("yes", ["yes"] * 10) == 1.0
    # 2 of 10 say "yes": leaving out a "yes" leaves 1 match (1/3), leaving out a "no" leaves 2 (2/3)
    assert vqa_accuracy("yes", ["yes"] * 2 + ["no"] * 8) == pytest.approx((2 / 3 * 8 + 1 / 3 * 2) / 10)
    assert vqa_accuracy("yes", ["yes"] * 3 + ["no"] * 7) == pytest.approx((3 * 2 / 3 + 7 * 1) / 10)


def test_vqa_prediction_normalisation() -> None:
    assert vqa_normalize("Two dogs.") == "2 dogs"
    assert vqa_normalize("The\tcat") == "cat"
    assert vqa_normalize("dont") == "don’t"  # the official table's curly apostrophe
    assert vqa_normalize("1,000 people") == "1000 people"  # digit,digit: every mark removed
    assert vqa_normalize("red,blue") == "red blue"  # otherwise replaced by a space
    assert vqa_normalize("3.5") == "3.5"  # a period before a digit stays
    assert vqa_accuracy("Two", ["2"] * 10) == 1.0


def test_vqa_human_answers_get_punctuation_only_when_they_disagree() -> None:
    # unanimous answers are compared raw: "two" never equals the normalised prediction "2"
    assert vqa_accuracy("two", ["two"] * 10) == 0.0
    # disagreeing answers get the punctuation step only (no number mapping): "yes!" stays "yes!"
    assert vqa_accuracy("yes", ["yes."] * 5 + ["yes!"] * 5) == 1.0


def test_museum_complete_and_partial() -> None:
    result = museum_precision_recall("Rembrandt", "Rembrandt van Rijn")
    assert result == {"precision_complete": 0.0, "recall_complete": 0.0,
                      "precision_partial": 1.0, "recall_partial": 1.0}
    result = museum_precision_recall(["oil", "canvas", "gold leaf"], ["Oil", "Canvas"])
    assert result["precision_complete"] == pytest.approx(2 / 3)
    assert result["recall_complete"] == 1.0
    assert museum_precision_recall("The Night Watch", "night watch")["precision_complete"] == 1.0
    assert museum_precision_recall([], "bronze")["recall_partial"] == 0.0
    with pytest.raises(InvalidInputError, match="gold"):
        museum_precision_recall("bronze", "")
