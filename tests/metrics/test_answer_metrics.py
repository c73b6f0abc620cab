"""VQA accuracy against the official vqaEval.py's own outputs, exact match and token F1 against the
official SQuAD v1.1 functions' outputs (tests/data), and MUSEUM-65-style precision/recall by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artscope.errors import InvalidInputError
from artscope.metrics import exact_match, museum_precision_recall, token_f1, vqa_accuracy, vqa_normalize

DATA = Path(__file__).resolve().parents[1] / "data"
VQA_CASES = json.loads((DATA / "vqa" / "official_accuracy.json").read_text())["cases"]
SQUAD_CASES = json.loads((DATA / "squad" / "official_scores.json").read_text())["cases"]


@pytest.mark.parametrize("case", VQA_CASES, ids=[repr(c["prediction"]) for c in VQA_CASES])
def test_vqa_accuracy_equals_the_official_script(case: dict) -> None:
    # the official script reports round(100 * acc, 2) per question
    assert round(100 * vqa_accuracy(case["prediction"], case["answers"]), 2) == case["accuracy_x100"]


def test_the_cases_the_issue_names() -> None:
    by_case = {(c["prediction"], tuple(c["answers"])): c["accuracy_x100"] for c in VQA_CASES}
    assert by_case[("red!", ("red",) * 6 + ("dark red",) * 2 + ("maroon", "red."))] == 100.0
    assert by_case[("t-shirt", ("t-shirt",) * 5 + ("tshirt",) * 3 + ("shirt",) * 2)] == 100.0
    assert by_case[("two", ("2",) * 10)] == 0.0  # unanimous answers: nothing is normalised


def test_vqa_normalisation_steps() -> None:
    assert vqa_normalize("Two dogs.") == "2 dogs"
    assert vqa_normalize("The\tcat") == "cat"
    assert vqa_normalize("dont") == "don't"  # the table's straight apostrophe since the 2021 fix
    assert vqa_normalize("1,000 people") == "1000 people"  # digit,digit: every mark removed
    assert vqa_normalize("red,blue") == "red blue"  # otherwise replaced by a space
    assert vqa_normalize("t-shirt!") == "t shirt"  # "-" and "!" are in the 2021 list; ":" is not
    assert vqa_normalize("3.5") == "3.5"  # a period before a digit stays
    with pytest.raises(InvalidInputError):
        vqa_accuracy("yes", [])


@pytest.mark.parametrize("case", SQUAD_CASES, ids=[repr(c["prediction"]) for c in SQUAD_CASES])
def test_exact_match_and_token_f1_equal_squad_v11(case: dict) -> None:
    assert exact_match(case["prediction"], case["answers"]) == case["exact_match"]
    assert token_f1(case["prediction"], case["answers"]) == pytest.approx(case["f1"], abs=1e-12)


def test_gold_answers_must_be_a_list() -> None:
    with pytest.raises(InvalidInputError, match="list of strings"):
        token_f1("oil", "oil")


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
