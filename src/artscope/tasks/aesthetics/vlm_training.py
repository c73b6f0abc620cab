"""``artscope train vlm --task aesthetics``: fine-tune a vision-language model to score as Q-Align does.

Each scored image teaches the answer "The aesthetics of the image is <level>." to Q-Align's question,
the level word being the score's fifth of the data's scale (excellent, good, fair, poor, bad). Where the
data scores dimensions too (APDDv2's ten attributes, PARA's, a collection's dimension fields), each
dimension teaches the same kind of answer to ArtiMuse's per-aspect question ("Please evaluate the
aesthetic quality of this image from the aspect of Composition & Design."). Descriptions, where the
data has them (ArtQuant's layout: its perception, cognition and emotion levels), are text targets as
they are.

The scored data comes from where ``artscope train aesthetics`` takes it (a dataset in its published
layout, or the collection's records with a score field), with the same splits. Held-out images are
scored the way the backend scores (the level words' probabilities after the answer's opening, their
expectation) and compared with the truth: SRCC, PLCC, the logistic-fitted PLCC, binary accuracy, EMD
where the data has score distributions, and SRCC per learned dimension.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from artscope.datasets.apddv2 import DESCRIPTION_LEVELS, load_apddv2_descriptions, test_images
from artscope.errors import ArtscopeError
from artscope.metrics.correlation import srcc
from artscope.tasks.aesthetics.evaluation import metrics_for, rebin
from artscope.tasks.aesthetics.result import DIMENSIONS
from artscope.tasks.aesthetics.training import Example as ScoredExample
from artscope.tasks.aesthetics.training import TrainingData
from artscope.vlm.batches import Example, read_images
from artscope.vlm.inference import next_token_probabilities
from artscope.vlm.loading import Vlm
from artscope.vlm.prompting import ANSWER_PREFIX, LEVEL_SCORES, LEVELS, QUESTION, level_of, level_token_ids
from artscope.vlm.store import LevelPrompt, LevelScoring
from artscope.vlm.training import Progress, TrainOptions, VlmTrainReport, train_adapter

if TYPE_CHECKING:
    from artscope.collection import Collection

DIMENSION_QUESTION = "Please evaluate the aesthetic quality of this image from the aspect of {aspect}."
"""ArtiMuse's per-aspect prompt."""
MIN_DIMENSION_ITEMS = 3


def scoring_for(dimensions: Sequence[str]) -> LevelScoring:
    """The questions the adapter is trained on and later asked: Q-Align's, and one per dimension."""
    return LevelScoring(
        total=LevelPrompt(question=QUESTION, answer_prefix=ANSWER_PREFIX),
        dimensions={key: LevelPrompt(question=DIMENSION_QUESTION.format(aspect=DIMENSIONS[key]),
                                     answer_prefix=f"The {DIMENSIONS[key]} of the image is")
                    for key in dimensions},
        levels=list(LEVELS), level_scores=list(LEVEL_SCORES), scale=(1.0, 5.0))


def examples_for(data: TrainingData, scoring: LevelScoring) -> list[Example]:
    """One example per scored image, and one per dimension score it has."""
    out = []
    for item in data.examples:
        level = level_of(item.score, data.info.scale)
        out.append(Example(item.key, item.image, scoring.total.question,
                           f"{scoring.total.answer_prefix} {level}.", item.split, "score"))
        for key, value in item.dimensions.items():
            if key in scoring.dimensions:
                asked = scoring.dimensions[key]
                out.append(Example(f"{item.key}:{key}", item.image, asked.question,
                                   f"{asked.answer_prefix} {level_of(value, (0.0, 100.0))}.", item.split,
                                   f"dimension:{key}"))
    return out


def description_examples(root: Path) -> list[Example]:
    """ArtQuant's descriptions, where ``root`` is in ArtQuant's layout (``meta/descriptions_level_*.json``):
    the highest level (perception, cognition and emotion together, what ArtQuant trains on) as text
    targets, the images of the test list held out. Empty for any other layout."""
    if not (Path(root) / "meta" / f"descriptions_{DESCRIPTION_LEVELS[-1]}.json").is_file():
        return []
    held_out = set(test_images(Path(root)) or ())
    return [Example(f"{item.item_id}:description:{number}", item.image, item.prompt, text,
                    "test" if item.item_id in held_out else "train", "description")
            for item in load_apddv2_descriptions(root, "all").items
            for number, text in enumerate(item.levels[DESCRIPTION_LEVELS[-1]])]


def _level_probabilities(vlm: Vlm, items: Sequence[ScoredExample], asked: Sequence[LevelPrompt],
                         token_ids: list[int]) -> tuple[list[int], np.ndarray]:
    """Indexes of the readable items and, for each, the level probabilities of each question
    [items, questions, levels] (the questions about one image go in one batch)."""
    questions, openings = [q.question for q in asked], [q.answer_prefix for q in asked]
    kept, rows = [], []
    for index, item in enumerate(items):
        try:
            image = read_images([item.image])[0]
        except ArtscopeError:
            continue
        rows.append(next_token_probabilities(vlm, [image] * len(asked), questions, openings, token_ids))
        kept.append(index)
    return kept, np.stack(rows) if rows else np.zeros((0, len(asked), len(token_ids)))


def evaluate(vlm: Vlm, data: TrainingData, scoring: LevelScoring) -> dict[str, float]:
    """Held-out metrics of the fine-tuned model (see the module docstring)."""
    test = [e for e in data.examples if e.split == "test"]
    asked = [scoring.total, *scoring.dimensions.values()]
    kept, probabilities = _level_probabilities(vlm, test, asked, level_token_ids(vlm.tokenizer, scoring.levels))
    items = [test[i] for i in kept]
    if len(items) < 2:
        raise ArtscopeError(f"Only {len(items)} held-out images could be read; evaluation needs at least 2.")
    low, high = data.info.scale
    anchors = low + (high - low) * (np.asarray(scoring.level_scores) - scoring.scale[0]) / (
        scoring.scale[1] - scoring.scale[0])
    predicted = probabilities[:, 0] @ anchors
    votes = all(e.has_votes for e in items)
    metrics = metrics_for(predicted, np.array([e.score for e in items]), data.info,
                          np.stack([rebin(p, anchors, data.info.scale) for p in probabilities[:, 0]]) if votes
                          else None, np.stack([e.distribution for e in items]) if votes else None)
    for column, key in enumerate(scoring.dimensions, start=1):
        known = [i for i, e in enumerate(items) if key in e.dimensions]
        truth = np.array([items[i].dimensions[key] for i in known])
        guess = probabilities[known, column] @ np.asarray(scoring.level_scores)
        if len(known) >= MIN_DIMENSION_ITEMS and np.ptp(truth) > 0 and np.ptp(guess) > 0:
            metrics[f"srcc.{key}"] = srcc(guess, truth)
    return metrics


def train_aesthetics_vlm(collection: Collection, base: str, data: TrainingData,
                         options: TrainOptions | None = None, progress: Progress | None = None,
                         descriptions: Sequence[Example] = ()) -> VlmTrainReport:
    """Fine-tune ``base`` on scored data (and ``descriptions`` as text targets, see
    ``description_examples``); the adapter goes to ``heads/vlm-aesthetics``."""
    dimensions = [k for k in DIMENSIONS if any(k in e.dimensions for e in data.examples if e.split == "train")]
    scoring = scoring_for(dimensions)
    examples = [*examples_for(data, scoring), *descriptions]
    source = {"source": data.source, "name": data.info.name, "scale": list(data.info.scale),
              "split": data.info.split_source, "dimensions": dimensions,
              "descriptions": sum(e.split == "train" for e in descriptions)}
    return train_adapter(Path(collection.heads_dir), "aesthetics", base, examples,
                         lambda vlm: evaluate(vlm, data, scoring), options or TrainOptions(), source, scoring,
                         progress)
