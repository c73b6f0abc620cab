"""Loaders for the scored aesthetics datasets, each in its own published layout.

``load_ava(root, split)``, ``load_tad66k``, ``load_para``, ``load_flickr_aes``, ``load_artimuse10k``
and ``load_apddv2`` (in ``artscope.datasets.apddv2``), or ``load_dataset(format, root, split)``,
return an ``AestheticDataset``: items with ``image_path``, ``score`` (on the dataset's own scale),
``distribution`` (vote counts or shares per level, where published) and ``attributes`` (where
published), plus ``info`` (scale, the threshold for binary accuracy, the level values of the
distribution, which artscope dimension each attribute informs). A malformed file raises
``SourceFormatError`` naming the file, the line and the field; items whose image file is missing are
skipped and counted in ``info.missing``.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, Field

from artscope.datasets import first_existing, hash_split
from artscope.errors import InvalidInputError, SourceFormatError
from artscope.registry import Registry

log = logging.getLogger(__name__)

SPLITS = ("train", "test", "all")


class MissingSplitError(SourceFormatError):
    """A split's file is not there (a dataset that publishes only a test list, say)."""


@dataclass(frozen=True)
class ScoredItem:
    """One scored image of a dataset (score on the dataset's own scale)."""

    key: str
    image_path: Path
    score: float
    distribution: tuple[float, ...] | None = None
    attributes: dict[str, float] = field(default_factory=dict)


class DatasetInfo(BaseModel):
    """What is needed to read a dataset's scores: scale, threshold, levels, attributes, split."""

    name: str
    split: str
    split_source: str
    scale: tuple[float, float]
    """The range of ``score``."""
    threshold: float
    """Binary accuracy: a score at or above it is "high"."""
    threshold_source: str
    levels: list[float] | None = None
    """The score each ``distribution`` entry stands for (None: no distributions)."""
    attribute_scale: tuple[float, float] | None = None
    attribute_dimensions: dict[str, str] = Field(default_factory=dict)
    """Dataset attribute -> the artscope dimension key it informs."""
    missing: int = 0
    """Items left out because their image file is not on disk."""


@dataclass
class AestheticDataset:
    """A loaded split: its description and its items."""

    info: DatasetInfo
    items: list[ScoredItem]


Loader = Callable[..., AestheticDataset]
aesthetic_datasets: Registry[Loader] = Registry("aesthetics dataset format")


def load_dataset(format_name: str, root: str | Path, split: str = "test") -> AestheticDataset:
    """A dataset by format: ``ava``, ``tad66k``, ``para``, ``flickr-aes``, ``apddv2``, ``artimuse10k``."""
    from artscope.datasets import apddv2  # noqa: F401  (registers itself; it builds on this module's types)

    return aesthetic_datasets.get(format_name.lower())(root, split)


# -- shared reading ---------------------------------------------------------------------------------
def _check_split(split: str, allowed: Iterable[str] = SPLITS) -> str:
    allowed = tuple(allowed)
    if split not in allowed:
        raise SourceFormatError(f"Unknown split {split!r}; use one of {', '.join(allowed)}.")
    return split


def _number(text: object, where: str, field_name: str) -> float:
    """``text`` as a float, or a ``SourceFormatError`` saying where (file and line) and which field."""
    try:
        return float(str(text).strip())
    except (TypeError, ValueError):
        raise SourceFormatError(f"{where}: field {field_name!r} is {text!r}, not a number.") from None


def _optional_number(text: str | None, where: str, field_name: str) -> float | None:
    return None if text is None or not str(text).strip() else _number(text, where, field_name)


def _present_numbers(row: dict[str, str], columns: Iterable[str], where: str) -> dict[str, float]:
    """The columns of a row that hold a number (blank cells are left out: not rated)."""
    return {c: v for c in columns if (v := _optional_number(row.get(c), where, c)) is not None}


def _csv_rows(path: Path, required: Iterable[str]) -> Iterable[tuple[int, dict[str, str]]]:
    """(line number, row) of a headed CSV, after checking that the required columns are there."""
    if not path.exists():
        raise MissingSplitError(f"{path} is missing.")
    with path.open(newline="", encoding="utf-8-sig", errors="replace") as f:
        reader = csv.DictReader(f, skipinitialspace=True)
        header = [h.strip() for h in reader.fieldnames or []]
        reader.fieldnames = header
        missing = [c for c in required if c not in header]
        if missing:
            raise SourceFormatError(
                f"{path} lacks the column(s) {', '.join(missing)} (header: {', '.join(header)})."
            )
        yield from enumerate(reader, start=2)


def _keep_present(info: DatasetInfo, items: list[ScoredItem], where: Path) -> AestheticDataset:
    present = [item for item in items if item.image_path.is_file()]
    info.missing = len(items) - len(present)
    if not items:
        raise SourceFormatError(f"{info.name} ({info.split}) lists no images.")
    if not present:
        raise SourceFormatError(
            f"None of the {len(items)} images listed for {info.name} ({info.split}) is on disk under {where}."
        )
    if info.missing:
        log.warning(
            "%s %s: %d of %d images are not on disk and were left out",
            info.name,
            info.split,
            info.missing,
            len(items),
        )
    return AestheticDataset(info=info, items=present)


# -- AVA ---------------------------------------------------------------------------------------------
@aesthetic_datasets.register("ava")
def load_ava(root: str | Path, split: str = "test") -> AestheticDataset:
    """AVA (Murray et al. 2012) as distributed: ``AVA_dataset/`` holding ``AVA.txt`` (index, image id, 10
    vote counts for 1..10, two tags, challenge), the split lists
    ``aesthetics_image_lists/generic_ls_train.jpgl`` / ``generic_test.jpgl`` and the images
    ``image/<id>.jpg`` (or ``images/``); ``root`` is that folder or its parent."""
    root = Path(root)
    _check_split(split)
    base = root / "AVA_dataset" if (root / "AVA_dataset" / "AVA.txt").exists() else root
    path = base / "AVA.txt"
    if not path.exists():
        raise SourceFormatError(f"{path} is missing; point at AVA_dataset/ (or the folder that holds it).")
    wanted = None
    if split != "all":
        name = "generic_ls_train.jpgl" if split == "train" else "generic_test.jpgl"
        lists = base / "aesthetics_image_lists" / name
        if not lists.exists():
            raise MissingSplitError(
                f"{lists} is missing: AVA's published {split} list is needed for split {split!r}."
            )
        wanted = {line.strip() for line in lists.read_text().splitlines() if line.strip()}
    images = first_existing(base, ("image", "images", "."), "AVA image folder")
    items = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) < 12:
            raise SourceFormatError(
                f"{path}, line {number}: {len(parts)} fields; AVA.txt lines have 15 "
                "(index, image id, 10 vote counts, 2 tags, challenge)."
            )
        image_id = parts[1]
        if wanted is not None and image_id not in wanted:
            continue
        votes = [
            _number(v, f"{path}, line {number}", f"vote count for {i}")
            for i, v in enumerate(parts[2:12], start=1)
        ]
        if sum(votes) <= 0:
            raise SourceFormatError(f"{path}, line {number}: image {image_id} has no votes.")
        mean = sum(i * v for i, v in enumerate(votes, start=1)) / sum(votes)
        items.append(ScoredItem(image_id, images / f"{image_id}.jpg", mean, tuple(votes)))
    info = DatasetInfo(
        name="AVA",
        split=split,
        split_source="aesthetics_image_lists (published)",
        scale=(1, 10),
        threshold=5.0,
        threshold_source="the papers' convention (NIMA, TANet, ...): a mean vote above 5 is high, 5 is low",
        levels=[float(i) for i in range(1, 11)],
    )
    return _keep_present(info, items, images)


# -- TAD66K ------------------------------------------------------------------------------------------
@aesthetic_datasets.register("tad66k")
def load_tad66k(root: str | Path, split: str = "test") -> AestheticDataset:
    """TAD66K (He et al. 2022): the merged lists ``merge/{train,test}.csv`` with columns ``image, score``
    (mean score on 0–10) under ``labels/`` (the release) or ``dataset/`` (TANet's repository), images
    under ``TAD66K/`` (or ``imgs/``, ``images/``)."""
    root = Path(root)
    splits = ("train", "test") if _check_split(split) == "all" else (split,)
    images = first_existing(root, ("TAD66K", "imgs", "images"), "TAD66K image folder")
    lists = first_existing(root, ("labels/merge", "dataset/merge", "merge"), "TAD66K's merged label lists")
    items = []
    for name in splits:
        path = lists / f"{name}.csv"
        for number, row in _csv_rows(path, ("image", "score")):
            items.append(
                ScoredItem(
                    row["image"].strip(),
                    images / row["image"].strip(),
                    _number(row["score"], f"{path}, line {number}", "score"),
                )
            )
    info = DatasetInfo(
        name="TAD66K",
        split=split,
        split_source="labels/merge (published)",
        scale=(0, 10),
        threshold=5.0,
        threshold_source="mid-scale (TAD66K publishes no binary threshold)",
    )
    return _keep_present(info, items, images)


# -- PARA --------------------------------------------------------------------------------------------
PARA_LEVELS = [1.0 + 0.5 * i for i in range(9)]
PARA_ATTRIBUTES = {
    "qualityScore_mean": "technical",
    "compositionScore_mean": "composition",
    "colorScore_mean": "visual_elements",
    "dofScore_mean": "technical",
    "lightScore_mean": "visual_elements",
    "contentScore_mean": "theme",
    "contentPreference_mean": "emotion",
    "willingnessToShare_mean": "emotion",
}


@aesthetic_datasets.register("para")
def load_para(root: str | Path, split: str = "test") -> AestheticDataset:
    """PARA (Yang et al. 2022), GIAA files ``annotation/PARA-Giaa{Train,Test}.csv``: ``imageName``,
    ``sessionId``, the aesthetic vote shares ``aestheticScore_1.0`` .. ``aestheticScore_5.0``,
    ``aestheticScore_mean`` and attribute means; images at ``imgs/<sessionId>/<imageName>``."""
    root = Path(root)
    splits = ("Train", "Test") if _check_split(split) == "all" else (split.title(),)
    level_columns = [f"aestheticScore_{v:.1f}" for v in PARA_LEVELS]
    items = []
    for name in splits:
        path = root / "annotation" / f"PARA-Giaa{name}.csv"
        for number, row in _csv_rows(path, ("imageName", "sessionId", "aestheticScore_mean", *level_columns)):
            votes = tuple(_number(row[c], f"{path}, line {number}", c) for c in level_columns)
            attributes = _present_numbers(row, PARA_ATTRIBUTES, f"{path}, line {number}")
            items.append(
                ScoredItem(
                    f"{row['sessionId']}/{row['imageName']}",
                    root / "imgs" / row["sessionId"].strip() / row["imageName"].strip(),
                    _number(row["aestheticScore_mean"], f"{path}, line {number}", "aestheticScore_mean"),
                    votes,
                    attributes,
                )
            )
    info = DatasetInfo(
        name="PARA",
        split=split,
        split_source="PARA-GiaaTrain/Test (published)",
        scale=(1, 5),
        threshold=3.0,
        threshold_source="mid-scale (PARA publishes no binary threshold)",
        levels=PARA_LEVELS,
        attribute_scale=(1, 5),
        attribute_dimensions=PARA_ATTRIBUTES,
    )
    return _keep_present(info, items, root / "imgs")


# -- FLICKR-AES --------------------------------------------------------------------------------------
FLICKR_AES_TEST_LIST = "test.json"


@aesthetic_datasets.register("flickr-aes")
def load_flickr_aes(root: str | Path, split: str = "test") -> AestheticDataset:
    """FLICKR-AES (Ren et al. 2017), scores normalised to 0–1 as released: ArtiMuse's and TANet's test list
    ``test.json`` (``[{"image", "gt_score"}]``) for split ``test``, or the full
    ``FLICKR-AES_image_score.txt`` (``name score`` per line), split by a stable 80/20 hash of the file
    name (the dataset publishes no generic split); images under ``40K/`` (or ``images/``)."""
    root = Path(root)
    _check_split(split)
    images = first_existing(root, ("40K", "images"), "FLICKR-AES image folder")
    if split == "test" and (root / FLICKR_AES_TEST_LIST).is_file():
        items, source = _test_list(root / FLICKR_AES_TEST_LIST, images), f"{FLICKR_AES_TEST_LIST} (published)"
    else:
        items, source = _flickr_score_file(root / "FLICKR-AES_image_score.txt", images, split), "80/20 hash"
    info = DatasetInfo(
        name="FLICKR-AES",
        split=split,
        split_source=source,
        scale=(0, 1),
        threshold=0.5,
        threshold_source="mid-scale (none published)",
    )
    return _keep_present(info, items, images)


def _flickr_score_file(path: Path, images: Path, split: str) -> list[ScoredItem]:
    if not path.exists():
        raise SourceFormatError(f"{path} is missing (and no {FLICKR_AES_TEST_LIST} test list is beside it).")
    items = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            raise SourceFormatError(f"{path}, line {number}: expected 'name score', got {line.strip()!r}.")
        if split == "all" or hash_split(parts[0]) == split:
            items.append(ScoredItem(parts[0], images / parts[0], _number(parts[1], f"{path}, line {number}", "score")))
    return items


def _test_list(path: Path, images: Path) -> list[ScoredItem]:
    """ArtiMuse's evaluation list: a JSON list of ``{"image", "gt_score"}``."""
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SourceFormatError(f"{path} is not valid JSON: {exc}") from None
    if not isinstance(entries, list):
        raise SourceFormatError(f"{path} must hold a list of {{'image', 'gt_score'}} objects.")
    items = []
    for number, entry in enumerate(entries):
        if not isinstance(entry, dict) or "image" not in entry or "gt_score" not in entry:
            raise SourceFormatError(f"{path}, entry {number}: needs fields 'image' and 'gt_score'.")
        items.append(ScoredItem(str(entry["image"]), images / str(entry["image"]),
                                _number(entry["gt_score"], f"{path}, entry {number}", "gt_score")))
    return items


# -- ArtiMuse-10K ------------------------------------------------------------------------------------
@aesthetic_datasets.register("artimuse10k")
def load_artimuse10k(
    root: str | Path, split: str = "test", scale: tuple[float, float] = (0, 100)
) -> AestheticDataset:
    """ArtiMuse-10K in ArtiMuse's evaluation layout: ``<split>.json``, a list of ``{"image", "gt_score"}``
    (0–100), images under ``images/``. ArtiMuse ships its AVA (1–10), TAD66K (0–10), PARA (1–5) and
    FLICKR-AES (0–1) test lists in the same layout: pass their ``scale`` (``artscope eval --scale``)."""
    root = Path(root)
    splits = ("train", "test") if _check_split(split) == "all" else (split,)
    low, high = scale
    if not low < high:
        raise InvalidInputError(f"A score scale runs from low to high, got {low}..{high}.")
    images = root / "images"
    items = []
    for name in splits:
        path = root / f"{name}.json"
        if not path.exists():
            raise MissingSplitError(f"{path} is missing.")
        items += _test_list(path, images)
    info = DatasetInfo(
        name="ArtiMuse-10K",
        split=split,
        split_source=f"{'/'.join(splits)}.json (published)",
        scale=(low, high),
        threshold=(low + high) / 2,
        threshold_source="mid-scale (none published)",
    )
    return _keep_present(info, items, images)
