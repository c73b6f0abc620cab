"""``artscope train vlm --task qa``: fine-tune a vision-language model to answer questions about the
collection's works from their images, as MUSEUM-65 fine-tuned BLIP and LLaVA on museum questions.

Question–answer pairs come from the collection itself, one per image (view) and per question kind the
record can answer: MUSEUM-65's general questions (title, creator, date, material, place, type) and
museum-specific ones (the holding institution, dimensions, style or genre, credit line), each with the
record's value as the answer, and "Describe this artwork." with the first sentence of the record's
description or of a passage about the work. Or they come from a MUSEUM-style file (``qa.jsonl``:
``{id, image, question, answer | answers, category}``).

Artworks (or, for a file, images) are split 80/20 by a stable hash, so the held-out questions are about
works the model never saw. Held-out answers are generated greedily and scored with exact match and
token F1 (the official SQuAD definitions), overall and per question kind.
"""

from __future__ import annotations

import logging
import re
import zlib
from collections import defaultdict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from artscope.datasets.aesthetics import hash_split
from artscope.datasets.text import load_museum_qa
from artscope.errors import ArtscopeError, InvalidInputError
from artscope.metrics.answers import exact_match, token_f1
from artscope.tasks.ask.classify import FIELDS
from artscope.tasks.ask.context import field_text
from artscope.tasks.ask.types import QuestionKind
from artscope.types import ArtworkRecord
from artscope.vlm.batches import Example, read_images
from artscope.vlm.inference import answer
from artscope.vlm.loading import Vlm
from artscope.vlm.training import Progress, TrainOptions, VlmTrainReport, train_adapter

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

K = QuestionKind
QUESTIONS: dict[QuestionKind, tuple[str, ...]] = {
    K.TITLE: ("What is the title of this artwork?", "What is this artwork called?"),
    K.CREATOR: ("Who made this artwork?", "Who is the artist of this artwork?"),
    K.DATE: ("When was this artwork made?",),
    K.MATERIAL: ("What material is this artwork made of?", "What medium is this artwork?"),
    K.PLACE: ("Where was this artwork made?",),
    K.TYPE: ("What type of object is this?",),
    K.COLLECTION: ("Which museum holds this artwork?",),
    K.DIMENSIONS: ("What are the dimensions of this artwork?",),
    K.STYLE: ("What style is this artwork?",),
    K.LICENSE: ("What is the credit line of this artwork?",),
}
"""General (title..type) and museum-specific (collection..license) questions, a few phrasings each."""
DESCRIBE = "Describe this artwork."
MAX_VIEWS = 4
"""Images of one artwork that each get the questions (MUSEUM-65 asks about several angles)."""
MAX_ANSWER_WORDS = 40
EVAL_BATCH = 8
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _first_sentence(text: str) -> str:
    sentence = _SENTENCE_END.split(" ".join(text.split()), maxsplit=1)[0]
    return " ".join(sentence.split()[:MAX_ANSWER_WORDS])


def _image_of(collection: Collection, view_uri: str, view_id: int | None) -> str | None:
    """A view's local file, else its stored thumbnail, else None (a remote image is not fetched here)."""
    if Path(view_uri).is_file():
        return view_uri
    if view_id is not None and collection.thumbnail_path(view_id).is_file():
        return str(collection.thumbnail_path(view_id))
    return None


def _answers(collection: Collection, record: ArtworkRecord) -> Iterator[tuple[str, tuple[str, ...], str]]:
    """(kind, phrasings, answer) for every question the record answers."""
    for kind, phrasings in QUESTIONS.items():
        value = next((v for f in FIELDS[kind] if (v := field_text(record, f))), None)
        if value:
            yield kind.value, phrasings, value
    described = record.description or next((p.text for p in collection.catalog.passages_for(record.id)), None)
    if described:
        yield K.DESCRIPTION.value, (DESCRIBE,), _first_sentence(described)


QUESTION_KINDS: tuple[str, ...] = (*(k.value for k in QUESTIONS), K.DESCRIPTION.value)


def _check_kinds(kinds: Sequence[str] | None) -> set[str]:
    unknown = sorted(set(kinds or ()) - set(QUESTION_KINDS))
    if unknown:
        raise InvalidInputError(f"Unknown question kind(s) {', '.join(unknown)}; use {', '.join(QUESTION_KINDS)}.")
    return set(kinds or QUESTION_KINDS)


def collection_examples(collection: Collection, kinds: Sequence[str] | None = None) -> list[Example]:
    """Question–answer pairs from the collection's records and passages (see the module docstring), of
    the given question kinds (default: all)."""
    wanted, examples = _check_kinds(kinds), []
    for record in collection.catalog.iter_records():
        split = hash_split(record.id)
        images = [i for v in record.views[:MAX_VIEWS] if (i := _image_of(collection, v.uri, v.id))]
        for kind, phrasings, value in _answers(collection, record):
            if kind not in wanted:
                continue
            for number, image in enumerate(images):
                question = phrasings[(number + zlib.crc32(record.id.encode())) % len(phrasings)]
                examples.append(Example(f"{record.id}:{kind}:{number}", image, question, value, split, kind))
    if not examples:
        raise InvalidInputError(f"No artwork of {collection.path} has both a local image and a record field "
                                "to ask about; index images with catalogue records, or pass a QA file with --data.")
    return examples


def file_examples(path: Path) -> tuple[list[Example], dict[str, tuple[str, ...]]]:
    """Pairs from a MUSEUM-style QA file (or a folder holding ``qa.jsonl``), split by image, and every
    question's gold answers (a question may have several)."""
    path = Path(path)
    qa = load_museum_qa(path.parent, path.name) if path.is_file() else load_museum_qa(path)
    examples = [Example(item.item_id, item.image, item.question, item.answers[0], hash_split(str(item.image)),
                        item.category or "")
                for item in qa.items if item.image is not None]
    if len(examples) < len(qa.items):
        log.warning("%d questions of %s name no image and were left out", len(qa.items) - len(examples), path)
    if not examples:
        raise InvalidInputError(f"No question in {path} names an image; a VLM answers about images.")
    return examples, {item.item_id: item.answers for item in qa.items}


def evaluate(vlm: Vlm, held_out: Sequence[Example], golds: dict[str, tuple[str, ...]],
             max_new_tokens: int) -> dict[str, float]:
    """Exact match and token F1 of greedy answers, overall and per question kind."""
    scores: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for start in range(0, len(held_out), EVAL_BATCH):
        batch, images = [], []
        for example in held_out[start : start + EVAL_BATCH]:
            try:
                images.extend(read_images([example.image]))
                batch.append(example)
            except ArtscopeError as exc:
                log.warning("not evaluated: %s", exc)
        if not batch:
            continue
        generated = answer(vlm, images, [e.question for e in batch], max_new_tokens)
        for example, reply in zip(batch, generated, strict=True):
            gold = golds.get(example.key, (example.answer,))
            pair = (exact_match(reply.text, gold), token_f1(reply.text, gold))
            for suffix in {"", f".{example.kind}" if example.kind else ""}:
                scores[suffix].append(pair)
    if not scores:
        raise InvalidInputError("None of the held-out images could be read.")
    metrics = {}
    for suffix, pairs in sorted(scores.items()):
        metrics[f"exact_match{suffix}"] = sum(p[0] for p in pairs) / len(pairs)
        metrics[f"token_f1{suffix}"] = sum(p[1] for p in pairs) / len(pairs)
    return metrics


def train_qa_vlm(collection: Collection, base: str, data: Path | None = None, options: TrainOptions | None = None,
                 kinds: Sequence[str] | None = None, max_new_tokens: int = 32,
                 progress: Progress | None = None) -> VlmTrainReport:
    """Fine-tune ``base`` on question–answer pairs (the collection's, of ``kinds``; or a MUSEUM-style
    file's); the adapter goes to ``heads/vlm-qa``."""
    golds: dict[str, tuple[str, ...]] = {}
    if data is None:
        examples, source = collection_examples(collection, kinds), f"collection:{collection.path.resolve()}"
    else:
        (examples, golds), source = file_examples(data), f"museum-qa:{Path(data).resolve()}"
    kinds = sorted({e.kind for e in examples if e.kind})
    held_out = [e for e in examples if e.split != "train"]
    return train_adapter(Path(collection.heads_dir), "qa", base, examples,
                         lambda vlm: evaluate(vlm, held_out, golds, max_new_tokens), options or TrainOptions(),
                         {"source": source, "kinds": kinds, "split": "80/20 hash of the artwork id or image"},
                         progress=progress)
