"""Loaders for retrieval benchmarks in their published layouts.

- Flickr30K 1k test and MSCOCO 5k test: the Karpathy-split CSV (``raw`` = JSON list of captions,
  ``filename``, ``split``) next to a folder of images, as nlphuji publishes them.
- CIRR: ``captions/cap.rc2.<split>.json`` and ``image_splits/split.rc2.<split>.json``, images under
  ``img_raw/`` (val and test1).
- CIRCO: ``annotations/<split>.json`` over COCO 2017 unlabeled
  (``COCO2017_unlabeled/annotations/image_info_unlabeled2017.json`` and ``unlabeled2017/``).
- FashionIQ: ``captions/cap.<category>.<split>.json`` and ``image_splits/split.<category>.<split>.json``,
  images in ``images/<asin>.<ext>``; the folder itself or CLIP4Cir's ``fashionIQ_dataset/`` inside it.
- VisDial chat-based retrieval (ChatIR, PlugIR): a queries JSON (``[{"img", "dialog"}]``) and a search
  space JSON (a list of image paths relative to the COCO folder): ChatIR ships them as
  ``ChatIR_Protocol/Search_Space_val_50k.json``, PlugIR as ``Protocol/Search_Space_val_50k.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from artscope.datasets import (
    existing,
    first_existing,
    image_file,
    read_csv,
    read_json,
    require,
    string_list,
)
from artscope.errors import InvalidInputError, SourceFormatError

FASHIONIQ_CATEGORIES = ("dress", "shirt", "toptee")


@dataclass(frozen=True)
class ImageTextItem:
    """One gallery image and its reference captions (five in Flickr30K and COCO)."""

    image_id: str
    image: Path
    captions: tuple[str, ...]


@dataclass(frozen=True)
class ImageTextSet:
    name: str
    split: str
    items: list[ImageTextItem]


@dataclass(frozen=True)
class ComposedQuery:
    """A reference image plus a modification text; ``targets`` is empty for server-scored splits."""

    query_id: str
    reference: str
    text: str
    targets: frozenset[str] = frozenset()
    target: str | None = None
    """The single target Recall@K counts (CIRR's ``target_hard``, CIRCO's ``target_img_id``)."""
    subset: tuple[str, ...] = ()
    """CIRR's ``img_set.members`` (Recall_subset@K)."""
    pool: str | None = None
    """The gallery part this query ranks (FashionIQ's category), or None for the whole gallery."""
    aspects: tuple[str, ...] = ()
    """CIRCO's ``semantic_aspects``."""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ComposedSet:
    name: str
    split: str
    queries: list[ComposedQuery]
    gallery: dict[str, Path]
    pools: dict[str, list[str]] = field(default_factory=dict)
    """Named parts of the gallery that queries with that ``pool`` rank (FashionIQ's categories)."""


@dataclass(frozen=True)
class DialogueQuery:
    """A dialogue about one target image: the caption, then "question? answer" rounds."""

    query_id: str
    target: str
    turns: tuple[str, ...]


@dataclass(frozen=True)
class DialogueSet:
    name: str
    split: str
    queries: list[DialogueQuery]
    gallery: dict[str, Path]


# -- Flickr30K and MSCOCO (Karpathy split CSV) ----------------------------------------------------
def _load_karpathy_csv(root: Path, name: str, csv_names: tuple[str, ...], image_dirs: tuple[str, ...],
                       split: str) -> ImageTextSet:
    path = first_existing(root, csv_names, f"the {name} caption CSV")
    images = first_existing(root, image_dirs, f"the {name} image folder")
    items = []
    for number, row in enumerate(read_csv(path, f"the {name} caption CSV", ["raw", "filename"]), start=2):
        if row.get("split") not in (None, "", split):
            continue
        where = f"row {number}"
        try:
            captions = json.loads(row["raw"])
        except json.JSONDecodeError as exc:
            raise SourceFormatError(f"{path}: field 'raw' of {where} is not a JSON list ({exc}).") from exc
        if not isinstance(captions, list) or not captions or not all(isinstance(c, str) for c in captions):
            raise SourceFormatError(f"{path}: field 'raw' of {where} must be a non-empty list of captions.")
        filename = row["filename"].strip()
        if not filename:
            raise SourceFormatError(f"{path}: field 'filename' of {where} is empty.")
        items.append(ImageTextItem(Path(filename).stem, images / filename, tuple(captions)))
    if not items:
        raise SourceFormatError(f"{path} has no rows of split {split!r}.")
    return ImageTextSet(name, split, items)


def load_flickr30k(root: Path, split: str = "test") -> ImageTextSet:
    """Flickr30K (Karpathy split; ``test`` is the standard 1k test): ``flickr_annotations_30k.csv`` or
    ``test_1k_flickr.csv`` with ``flickr30k-images/`` or ``images_flickr_1k_test/``."""
    return _load_karpathy_csv(Path(root), "flickr30k", ("flickr_annotations_30k.csv", "test_1k_flickr.csv"),
                              ("flickr30k-images", "images_flickr_1k_test", "images"), split)


def load_mscoco_5k(root: Path, split: str = "test") -> ImageTextSet:
    """MSCOCO 5k test (Karpathy split): ``test_5k_mscoco_2014.csv`` with ``images_mscoco_2014_5k_test/``."""
    return _load_karpathy_csv(Path(root), "mscoco_5k", ("test_5k_mscoco_2014.csv",),
                              ("images_mscoco_2014_5k_test", "val2014", "images"), split)


# -- CIRR ------------------------------------------------------------------------------------------
def load_cirr(root: Path, split: str = "val") -> ComposedSet:
    """CIRR rc2, ``val`` (with targets) or ``test1`` (scored by the CIRR server)."""
    if split not in ("val", "test1"):
        raise InvalidInputError(f"CIRR is evaluated on 'val' or 'test1', not {split!r}.")
    root = Path(root)
    cap_path = root / "captions" / f"cap.rc2.{split}.json"
    split_path = root / "image_splits" / f"split.rc2.{split}.json"
    captions = read_json(cap_path, "CIRR's caption file")
    names = read_json(split_path, "CIRR's image split file")
    if not isinstance(captions, list):
        raise SourceFormatError(f"{cap_path} must hold a list of queries.")
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise SourceFormatError(f"{split_path} must map image names to relative paths.")
    image_root = root / "img_raw" if (root / "img_raw").is_dir() else root
    gallery = {name: image_root / rel for name, rel in names.items()}
    queries = []
    for i, entry in enumerate(captions):
        where = f"entry {i}"
        pair_id = require(entry, "pairid", int, cap_path, where)
        members = string_list(require(entry, "img_set", dict, cap_path, where), "members", cap_path,
                              f"img_set of {where}")
        target = require(entry, "target_hard", str, cap_path, where) if split == "val" else None
        reference = require(entry, "reference", str, cap_path, where)
        if reference not in gallery:
            raise SourceFormatError(f"{cap_path}: reference {reference!r} of {where} is not in {split_path}.")
        queries.append(ComposedQuery(
            query_id=str(pair_id), reference=reference, text=require(entry, "caption", str, cap_path, where),
            targets=frozenset([target]) if target else frozenset(), target=target, subset=tuple(members)))
    return ComposedSet("cirr", split, queries, gallery)


# -- CIRCO -----------------------------------------------------------------------------------------
def load_circo(root: Path, split: str = "val") -> ComposedSet:
    """CIRCO ``val`` (ground truths given) or ``test`` (scored by the CIRCO server)."""
    if split not in ("val", "test"):
        raise InvalidInputError(f"CIRCO has the splits 'val' and 'test', not {split!r}.")
    root = Path(root)
    ann_path = root / "annotations" / f"{split}.json"
    info_path = root / "COCO2017_unlabeled" / "annotations" / "image_info_unlabeled2017.json"
    annotations = read_json(ann_path, "CIRCO's annotation file")
    info = read_json(info_path, "COCO 2017 unlabeled image info")
    images = require(info, "images", list, info_path, "the top level")
    image_dir = root / "COCO2017_unlabeled" / "unlabeled2017"
    gallery = {}
    for i, image in enumerate(images):
        image_id = require(image, "id", int, info_path, f"images[{i}]")
        gallery[str(image_id)] = image_dir / require(image, "file_name", str, info_path, f"images[{i}]")
    if not isinstance(annotations, list):
        raise SourceFormatError(f"{ann_path} must hold a list of queries.")
    queries = []
    for i, entry in enumerate(annotations):
        where = f"entry {i}"
        query_id = require(entry, "id", int, ann_path, where)
        reference = str(require(entry, "reference_img_id", int, ann_path, where))
        targets: frozenset[str] = frozenset()
        target = None
        if split == "val":
            gts = require(entry, "gt_img_ids", list, ann_path, where)
            targets = frozenset(str(g) for g in gts)
            target = str(require(entry, "target_img_id", int, ann_path, where))
        queries.append(ComposedQuery(
            query_id=str(query_id), reference=reference,
            text=require(entry, "relative_caption", str, ann_path, where), targets=targets, target=target,
            aspects=tuple(string_list(entry, "semantic_aspects", ann_path, where)) if split == "val" else (),
            extra={"shared_concept": entry.get("shared_concept")}))
    return ComposedSet("circo", split, queries, gallery)


# -- FashionIQ -------------------------------------------------------------------------------------
def fashioniq_text(captions: list[str]) -> str:
    """The relative captions joined exactly as CLIP4Cir's validation does:
    ``f"{first.strip('.?, ').capitalize()} and {second.strip('.?, ')}"`` (``capitalize`` also lower-cases
    the rest of the first caption, which matters for case-sensitive text encoders)."""
    first, *rest = [c.strip(".?, ") for c in captions]
    return " and ".join([first.capitalize(), *rest])


def _fashioniq_root(root: Path) -> Path:
    return root / "fashionIQ_dataset" if (root / "fashionIQ_dataset" / "captions").is_dir() else root


def load_fashioniq(root: Path, category: str, split: str = "val") -> ComposedSet:
    """One FashionIQ category (dress, shirt, toptee); the gallery is that category's split."""
    if category not in FASHIONIQ_CATEGORIES:
        raise InvalidInputError(f"FashionIQ categories are {', '.join(FASHIONIQ_CATEGORIES)}, not {category!r}.")
    root = _fashioniq_root(Path(root))
    cap_path = root / "captions" / f"cap.{category}.{split}.json"
    split_path = root / "image_splits" / f"split.{category}.{split}.json"
    captions = read_json(cap_path, f"FashionIQ's {category} captions")
    names = read_json(split_path, f"FashionIQ's {category} image split")
    if not isinstance(captions, list):
        raise SourceFormatError(f"{cap_path} must hold a list of queries.")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise SourceFormatError(f"{split_path} must be a list of image names.")
    image_dir = existing(root / "images", "FashionIQ's image folder")
    gallery = {name: image_file(image_dir, name) for name in names}
    queries = []
    for i, entry in enumerate(captions):
        where = f"entry {i}"
        texts = string_list(entry, "captions", cap_path, where)
        if not texts:
            raise SourceFormatError(f"{cap_path}: field 'captions' of {where} is empty.")
        target = require(entry, "target", str, cap_path, where) if split != "test" else None
        queries.append(ComposedQuery(
            query_id=f"{category}-{i}", reference=require(entry, "candidate", str, cap_path, where),
            text=fashioniq_text(texts), targets=frozenset([target]) if target else frozenset(), target=target,
            pool=category))
    return ComposedSet(f"fashioniq-{category}", split, queries, gallery, pools={category: names})


def load_fashioniq_all(root: Path, split: str = "val") -> ComposedSet:
    """The three FashionIQ categories together; each query ranks its own category's gallery."""
    parts = [load_fashioniq(root, category, split) for category in FASHIONIQ_CATEGORIES]
    gallery = {key: path for part in parts for key, path in part.gallery.items()}
    return ComposedSet("fashioniq", split, [q for part in parts for q in part.queries], gallery,
                       pools={name: keys for part in parts for name, keys in part.pools.items()})


# -- VisDial chat-based retrieval (ChatIR / PlugIR) --------------------------------------------------
SEARCH_SPACE_FILES = ("ChatIR_Protocol/Search_Space_val_50k.json", "Protocol/Search_Space_val_50k.json")
"""Where ChatIR and PlugIR put the same 50k search space."""


def load_chatir(root: Path, queries_file: str = "dialogues/VisDial_v1.0_queries_val.json",
                images_root: Path | None = None) -> DialogueSet:
    """ChatIR's VisDial val protocol: 2,064 dialogues of 11 turns over a 50k COCO search space, in
    ChatIR's layout (``ChatIR_Protocol/``) or PlugIR's (``Protocol/``).

    Image paths in both files are relative to the COCO folder (``images_root``, default ``root``).
    """
    root = Path(root)
    images_root = Path(images_root) if images_root else root
    queries_path = root / queries_file
    space_path = first_existing(root, SEARCH_SPACE_FILES, "the 50k search space")
    dialogues = read_json(queries_path, "the dialogue queries")
    space = read_json(space_path, "the search space")
    if not isinstance(space, list) or not all(isinstance(p, str) for p in space):
        raise SourceFormatError(f"{space_path} must be a list of image paths.")
    gallery = {rel: images_root / rel for rel in space}
    if not isinstance(dialogues, list):
        raise SourceFormatError(f"{queries_path} must hold a list of dialogues.")
    queries = []
    for i, entry in enumerate(dialogues):
        where = f"entry {i}"
        target = require(entry, "img", str, queries_path, where)
        if target not in gallery:
            raise SourceFormatError(f"{queries_path}: image {target!r} of {where} is not in {space_path}.")
        turns = string_list(entry, "dialog", queries_path, where)
        if not turns:
            raise SourceFormatError(f"{queries_path}: field 'dialog' of {where} is empty.")
        queries.append(DialogueQuery(str(i), target, tuple(turns)))
    return DialogueSet("visdial-chatir", "val", queries, gallery)
