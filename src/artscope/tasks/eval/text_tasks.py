"""Runners for the text benchmarks: description generation (captioning) and question answering.

Captioning reports pycocoevalcap's BLEU-1..4, ROUGE-L, CIDEr-D and METEOR; a dataset with several
reference levels (ArtQuant's APDDv2 descriptions, levels 1–3) is scored against each level apart.
Question answering follows artscope's MUSEUM-style protocol: exact match and token F1 (SQuAD v1.1
definitions, best over the gold answers) overall and per question kind, plus VQA accuracy where every
question has at least three human answers.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import numpy as np

from artscope.datasets.text import CaptionItem, CaptionSet, QAItem, QASet
from artscope.errors import DependencyMissingError
from artscope.metrics import bleu, cider_d, exact_match, meteor, rouge_l, token_f1, vqa_accuracy
from artscope.tasks.eval.benchmarks import BenchmarkSpec
from artscope.tasks.eval.predictor import Predictor
from artscope.tasks.eval.task import BenchmarkTask, Records

log = logging.getLogger(__name__)

_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9\"'(])")
_ABBREVIATIONS = {"st", "mr", "mrs", "dr", "jr", "sr", "mt", "no", "vol", "ca", "c", "fl", "b", "d"}
VQA_MIN_ANSWERS = 3
"""VQA accuracy needs several human answers per question (10 in VQA); with fewer it is not reported."""


def caption_scores(refs: dict[str, list[str]], hyps: dict[str, str]) -> dict[str, float]:
    """BLEU-1..4, ROUGE-L, CIDEr-D and METEOR of generated texts, as pycocoevalcap reports them.
    METEOR is left out, with a warning, where Java or pycocoevalcap is missing."""
    metrics = {f"bleu{n}": value for n, value in enumerate(bleu(refs, hyps), start=1)}
    metrics |= {"rouge_l": rouge_l(refs, hyps), "cider_d": cider_d(refs, hyps)}
    try:
        metrics["meteor"] = meteor(refs, hyps)
    except DependencyMissingError as exc:
        log.warning("METEOR not computed: %s", exc)
    return metrics


class Captioning(BenchmarkTask):
    """Ask for a description of every image and score it against the references."""

    def items(self, data: CaptionSet) -> list[tuple[str, Any]]:
        return [(item.item_id, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: CaptionSet, item: CaptionItem) -> dict:
        return {"text": predictor.answer(item.prompt, item.image)}

    def score(self, spec: BenchmarkSpec, data: CaptionSet, records: Records) -> dict[str, float]:
        done = [item for item in data.items if item.item_id in records]
        hyps = {item.item_id: records[item.item_id]["text"] for item in done}
        if not data.levels:
            return caption_scores({item.item_id: list(item.references) for item in done}, hyps)
        metrics: dict[str, float] = {}
        for level in data.levels:
            refs = {item.item_id: list(item.levels[level]) for item in done}
            metrics |= {f"{name}/{level}": value for name, value in caption_scores(refs, hyps).items()}
        return metrics


class QuestionAnswering(BenchmarkTask):
    """MUSEUM-style questions: exact match and token F1 overall and per question kind."""

    def items(self, data: QASet) -> list[tuple[str, Any]]:
        return [(item.item_id, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: QASet, item: QAItem) -> dict:
        text = predictor.answer(item.question, item.image)
        return {"answer": answer_value(text), "text": text}

    def score(self, spec: BenchmarkSpec, data: QASet, records: Records) -> dict[str, float]:
        truth = {item.item_id: item for item in data.items if item.item_id in records}
        scores = {i: {"exact_match": exact_match(records[i]["answer"], list(item.answers)),
                      "token_f1": token_f1(records[i]["answer"], list(item.answers))} for i, item in truth.items()}
        metrics = {key: float(np.mean([s[key] for s in scores.values()])) for key in ("exact_match", "token_f1")}
        for kind in sorted({item.category for item in truth.values() if item.category}):
            members = [scores[i] for i, item in truth.items() if item.category == kind]
            metrics |= {f"{key}/{kind}": float(np.mean([s[key] for s in members]))
                        for key in ("exact_match", "token_f1")}
        if all(len(item.answers) >= VQA_MIN_ANSWERS for item in truth.values()):
            metrics["vqa_accuracy"] = float(np.mean([vqa_accuracy(records[i]["answer"], list(item.answers))
                                                     for i, item in truth.items()]))
        return metrics


def answer_value(text: str) -> str:
    """The bare value an answer starts with: artscope's answers put it first ("Vincent van Gogh."),
    then the supporting sentence, so the value is scored on its own."""
    text = text.strip()
    for match in _SENTENCE_END.finditer(text):
        word = text[: match.start()].rsplit(maxsplit=1)[-1].lower() if text[: match.start()].strip() else ""
        # initials ("J. M. W. Turner") and abbreviations ("St. Ives", "ca. 1650") do not end a sentence
        if len(word) > 1 and word not in _ABBREVIATIONS:
            return text[: match.start()].strip()
    return text.rstrip(".").strip()
