"""Loaders for text-generation and question-answering benchmarks in their published layouts.

- ArtPedia: ``artpedia.json`` ({id: {title, img_url, year, visual_sentences, contextual_sentences,
  split}}); images downloaded into ``images/`` as ``<id>.<ext>`` or under the URL's file name.
  References for description generation are the visual sentences.
- SemArt (v1.0 / v2.0 files): ``semart_<split>.csv`` (tab-separated, Latin-1; IMAGE_FILE,
  DESCRIPTION, AUTHOR, TITLE, TECHNIQUE, DATE, TYPE, SCHOOL, TIMEFRAME) and ``Images/``.
- PaintingForm (GalleryGPT): ``train_samples_tuning.json`` in LLaVA's conversation format
  ([{id, image, conversations: [{from: human|gpt, value}]}]) with ``art_images_data/images/``.
- MUSEUM-65-style QA: a JSON list or JSONL of {id, image, question, answer | answers, category}.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from artscope.datasets import (
    first_existing,
    image_file,
    read_csv,
    read_json,
    read_jsonl,
    require,
    string_list,
)
from artscope.errors import SourceFormatError

SEMART_COLUMNS = ("IMAGE_FILE", "DESCRIPTION", "AUTHOR", "TITLE", "TECHNIQUE", "DATE", "TYPE", "SCHOOL",
                  "TIMEFRAME")
DESCRIBE_PROMPT = "Describe this painting."
"""The question a generation benchmark asks for each image (PaintingForm keeps its own prompts)."""


@dataclass(frozen=True)
class CaptionItem:
    """An image and the reference texts a generated description is scored against."""

    item_id: str
    image: Path | str
    references: tuple[str, ...]
    prompt: str = DESCRIBE_PROMPT
    levels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """References per description level, for datasets that publish several (ArtQuant's APDDv2)."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CaptionSet:
    name: str
    split: str
    items: list[CaptionItem]
    levels: tuple[str, ...] = ()
    """The description levels every item has references for (scored apart); empty: one reference set."""


@dataclass(frozen=True)
class QAItem:
    """A question about an artwork with its gold answer values (one or several)."""

    item_id: str
    question: str
    answers: tuple[str, ...]
    image: Path | None = None
    category: str | None = None


@dataclass(frozen=True)
class QASet:
    name: str
    split: str
    items: list[QAItem]


def _artpedia_image(images: Path, item_id: str, url: str) -> Path | str:
    """The downloaded file for an ArtPedia painting, or its URL when it has not been downloaded."""
    by_id = image_file(images, item_id)
    if by_id.exists():
        return by_id
    by_name = images / unquote(Path(urlparse(url).path).name)
    return by_name if by_name.exists() else url


def load_artpedia(root: Path, split: str = "test") -> CaptionSet:
    """ArtPedia paintings of one split with at least one visual sentence."""
    root = Path(root)
    path = root / "artpedia.json"
    data = read_json(path, "ArtPedia's artpedia.json")
    if not isinstance(data, dict):
        raise SourceFormatError(f"{path} must map painting ids to entries.")
    items = []
    for item_id, entry in data.items():
        where = f"painting {item_id!r}"
        if require(entry, "split", str, path, where) != split:
            continue
        visual = string_list(entry, "visual_sentences", path, where)
        string_list(entry, "contextual_sentences", path, where)  # part of the format; checked, not scored
        url = require(entry, "img_url", str, path, where)
        if visual:  # a painting without visual sentences has nothing to score a description against
            items.append(CaptionItem(str(item_id), _artpedia_image(root / "images", str(item_id), url),
                                     tuple(visual), extra={"title": entry.get("title")}))
    if not items:
        raise SourceFormatError(f"{path} has no paintings of split {split!r} with visual sentences.")
    return CaptionSet("artpedia", split, items)


def load_semart(root: Path, split: str = "test") -> CaptionSet:
    """SemArt's artistic comments (DESCRIPTION) as references for the paintings of one split."""
    root = Path(root)
    path = root / f"semart_{split}.csv"
    rows = read_csv(path, f"SemArt's {split} split", SEMART_COLUMNS, delimiter="\t", encoding="latin-1")
    images = first_existing(root, ("Images", "images"), "SemArt's image folder")
    items = []
    for number, row in enumerate(rows, start=2):
        name, description = row["IMAGE_FILE"].strip(), row["DESCRIPTION"].strip()
        if not name or not description:
            raise SourceFormatError(f"{path}: row {number} has an empty IMAGE_FILE or DESCRIPTION.")
        items.append(CaptionItem(Path(name).stem, images / name, (description,),
                                 extra={k.lower(): row[k] for k in SEMART_COLUMNS[2:]}))
    return CaptionSet("semart", split, items)


def load_paintingform(root: Path, annotations: str = "train_samples_tuning.json") -> CaptionSet:
    """PaintingForm's formal analyses: each (image, prompt) pair's ``gpt`` turns are its references."""
    root = Path(root)
    path = root / annotations
    data = read_json(path, "PaintingForm's annotation file")
    if not isinstance(data, list):
        raise SourceFormatError(f"{path} must hold a list of samples.")
    image_root = root / "art_images_data"
    grouped: dict[tuple[str, str], list[str]] = {}
    for i, entry in enumerate(data):
        where = f"sample {i}"
        image = require(entry, "image", str, path, where)
        turns = require(entry, "conversations", list, path, where)
        prompt = None
        for j, turn in enumerate(turns):
            speaker = require(turn, "from", str, path, f"conversations[{j}] of {where}")
            value = require(turn, "value", str, path, f"conversations[{j}] of {where}")
            if speaker == "human":
                prompt = value.replace("<image>", "").strip()
            elif speaker == "gpt" and prompt:
                grouped.setdefault((image, prompt), []).append(value)
        if prompt is None:
            raise SourceFormatError(f"{path}: {where} has no 'human' turn.")
    items = [CaptionItem(f"{Path(image).stem}:{n}", image_root / image, tuple(refs), prompt=prompt)
             for n, ((image, prompt), refs) in enumerate(grouped.items())]
    return CaptionSet("paintingform", "all", items)


def load_museum_qa(root: Path, file: str = "qa.jsonl") -> QASet:
    """MUSEUM-65-style questions: ``answer`` (one value) or ``answers`` (several) per question."""
    root = Path(root)
    path = first_existing(root, (file, "qa.json", "qa.jsonl"), "the QA file")
    entries = read_jsonl(path, "the QA file") if path.suffix == ".jsonl" else read_json(path, "the QA file")
    if not isinstance(entries, list):
        raise SourceFormatError(f"{path} must hold a list of questions.")
    items = []
    for i, entry in enumerate(entries):
        where = f"question {i}"
        if isinstance(entry, dict) and "answers" in entry:
            answers = string_list(entry, "answers", path, where)
        else:
            answers = [require(entry, "answer", str, path, where)]
        image = entry.get("image")
        items.append(QAItem(
            item_id=str(entry.get("id", i)), question=require(entry, "question", str, path, where),
            answers=tuple(answers), image=root / image if isinstance(image, str) else None,
            category=entry.get("category")))
    return QASet("museum-qa", path.stem, items)
