"""APDDv2 (Jin et al., NeurIPS 2024: aesthetics of paintings and drawings), in the two layouts it is
published in, as aesthetic datasets (scores and score distributions) and as a description benchmark.

- **APDDv2's own release** (github.com/BestiVictory/APDDv2): ``csvfiles/{train,valid,test}.csv``
  (``filename``, ``Score`` 0–10 and ten attributes 0–10, blank where not rated) or ``APDDv2-10023.csv``
  (``Total aesthetic score`` 0–100, ``Language Comment``) for split ``all``; images under
  ``APDDv2image/`` (or ``images/``).
- **ArtQuant's layout** (github.com/Henglin-Liu/ArtQuant, the RAD release): ``images/``,
  ``meta/score.json`` — a list of ``{"id", "image", "gt_score", "level_probs", "conversations"}``,
  ``level_probs`` the probabilities of the five levels excellent, good, fair, poor, bad (scores 10,
  7.5, 5, 3.5, 1), as ArtQuant's ``preprocess.ipynb`` writes them — and
  ``meta/descriptions_level_{1,2,3}.json`` (LLaVA conversations ``{"id", "image", "conversations":
  [{"from": "human", ...}, {"from": "gpt", "value": <description>}]}``; level 1 perception, level 2
  adds cognition, level 3 emotion). The test split is the images of ArtQuant's ``apddv2_test.json``
  (``[{"image", "gt_score"}]``, beside ``meta/``) or of APDDv2's ``csvfiles/test.csv``; split ``train``
  is every other image of ``score.json``, split ``all`` every one.

These loaders are shared by the eval benchmarks and by training (scores, distributions, descriptions).
"""

from __future__ import annotations

from pathlib import Path

from artscope.datasets import first_existing, read_json, require
from artscope.datasets.aesthetics import (
    AestheticDataset,
    DatasetInfo,
    MissingSplitError,
    ScoredItem,
    _check_split,
    _csv_rows,
    _keep_present,
    _number,
    _present_numbers,
    aesthetic_datasets,
)
from artscope.datasets.text import CaptionItem, CaptionSet
from artscope.errors import SourceFormatError

ARTQUANT_LEVELS = {"excellent": 10.0, "good": 7.5, "fair": 5.0, "poor": 3.5, "bad": 1.0}
"""ArtQuant's level names and the scores they stand for (``--score_weight "10. 7.5 5. 3.5 1.0"``), in the
order of ``level_probs``."""
DESCRIPTION_LEVELS = ("level_1", "level_2", "level_3")
APDD_ATTRIBUTES = {
    "Theme and logic": "theme",
    "Creativity": "originality",
    "Layout and composition": "composition",
    "Space and perspective": "composition",
    "The sense of order": "visual_elements",
    "Light and shadow": "visual_elements",
    "Color": "visual_elements",
    "Details and texture": "technical",
    "The overall": "gestalt",
    "Mood": "emotion",
}




@aesthetic_datasets.register("apddv2")
def load_apddv2(root: str | Path, split: str = "test") -> AestheticDataset:
    """APDDv2 scores from whichever layout ``root`` holds (ArtQuant's ``meta/score.json`` first)."""
    root = Path(root)
    if (root / "meta" / "score.json").is_file():
        return _load_artquant_scores(root, _check_split(split, ("train", "test", "all")))
    return _load_csvfiles(root, _check_split(split, ("train", "valid", "test", "all")))


def test_images(root: Path) -> list[str] | None:
    """The test split's image names: ArtQuant's ``apddv2_test.json``, else APDDv2's ``csvfiles/test.csv``."""
    listed = root / "apddv2_test.json"
    if listed.is_file():
        entries = read_json(listed, "ArtQuant's APDDv2 test list")
        if not isinstance(entries, list):
            raise SourceFormatError(f"{listed} must hold a list of {{'image', 'gt_score'}} objects.")
        return [require(entry, "image", str, listed, f"entry {i}") for i, entry in enumerate(entries)]
    csv_list = root / "csvfiles" / "test.csv"
    if csv_list.is_file():
        return [row["filename"].strip() for _, row in _csv_rows(csv_list, ("filename",))]
    return None


def _split_images(root: Path, split: str) -> set[str] | None:
    if split == "all":
        return None
    names = test_images(root)
    if names is None:
        raise MissingSplitError(f"{root} has neither apddv2_test.json (ArtQuant) nor csvfiles/test.csv (APDDv2): "
                                "add one to evaluate the test split, or use split 'all'.")
    return set(names)


def _load_artquant_scores(root: Path, split: str) -> AestheticDataset:
    path = root / "meta" / "score.json"
    entries = read_json(path, "ArtQuant's score distributions")
    if not isinstance(entries, list):
        raise SourceFormatError(f"{path} must hold a list of score entries.")
    test = _split_images(root, split)  # train: every entry not in the test list
    images = root / "images"
    levels = sorted(ARTQUANT_LEVELS.values())
    items = []
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        image = require(entry, "image", str, path, where)
        if test is not None and (image in test) != (split == "test"):
            continue
        probs = require(entry, "level_probs", list, path, where)
        if len(probs) != len(ARTQUANT_LEVELS):
            raise SourceFormatError(f"{path}: 'level_probs' of {where} has {len(probs)} values, not "
                                    f"{len(ARTQUANT_LEVELS)} ({', '.join(ARTQUANT_LEVELS)}).")
        by_level = dict(zip(ARTQUANT_LEVELS.values(), (_number(p, f"{path}, {where}", "level_probs") for p in probs),
                            strict=True))
        score = _number(require(entry, "gt_score", (int, float), path, where), f"{path}, {where}", "gt_score")
        items.append(ScoredItem(image, images / image, score, tuple(by_level[level] for level in levels)))
    if split == "test" and not items:
        raise SourceFormatError(f"None of the test images is in {path}; it may hold only the training split "
                                "(ArtQuant builds it from csvfiles/train.csv). Use split 'all' to evaluate it.")
    info = DatasetInfo(
        name="APDDv2", split=split, split_source="apddv2_test.json / csvfiles/test.csv (published)",
        scale=(0, 10), threshold=5.0, threshold_source="APDDv2/ArtCLIP eval.py (score above 5 is high)",
        levels=levels,
    )
    return _keep_present(info, items, images)


def load_apddv2_descriptions(root: str | Path, split: str = "test") -> CaptionSet:
    """ArtQuant's three description levels as references for one generated description per image; an
    image is kept when every level describes it."""
    root = Path(root)
    _check_split(split, ("test", "all"))
    wanted = _split_images(root, split)
    per_level = {level: _descriptions(root / "meta" / f"descriptions_{level}.json") for level in DESCRIPTION_LEVELS}
    names = [name for name in per_level[DESCRIPTION_LEVELS[0]]
             if all(name in refs for refs in per_level.values()) and (wanted is None or name in wanted)]
    if not names:
        raise SourceFormatError(f"No image of split {split!r} is described at all three levels under {root / 'meta'}.")
    images = root / "images"
    items = [CaptionItem(name, images / name, per_level[DESCRIPTION_LEVELS[-1]][name],
                         levels={level: per_level[level][name] for level in DESCRIPTION_LEVELS}) for name in names]
    return CaptionSet("apddv2-descriptions", split, items, levels=DESCRIPTION_LEVELS)


def _descriptions(path: Path) -> dict[str, tuple[str, ...]]:
    """Image → its descriptions (the ``gpt`` turns) in one level's file."""
    entries = read_json(path, "an ArtQuant description file")
    if not isinstance(entries, list):
        raise SourceFormatError(f"{path} must hold a list of conversation entries.")
    out: dict[str, list[str]] = {}
    for i, entry in enumerate(entries):
        where = f"entry {i}"
        image = require(entry, "image", str, path, where)
        turns = require(entry, "conversations", list, path, where)
        answers = [require(turn, "value", str, path, f"conversations[{j}] of {where}")
                   for j, turn in enumerate(turns) if require(turn, "from", str, path, f"conversations[{j}] of {where}")
                   == "gpt"]
        if not answers:
            raise SourceFormatError(f"{path}: {where} has no 'gpt' turn (the description).")
        out.setdefault(image, []).extend(answers)
    return {image: tuple(texts) for image, texts in out.items()}


def _load_csvfiles(root: Path, split: str) -> AestheticDataset:
    """APDDv2 (Jin et al. 2024): split files ``csvfiles/{train,valid,test}.csv`` (``filename``, ``Score``
    0–10 and ten attributes 0–10, blank where not rated), or ``APDDv2-10023.csv`` (``Total aesthetic
    score`` 0–100) for split ``all``; images under ``APDDv2image/`` (or ``images/``)."""
    images = first_existing(root, ("APDDv2image", "APDDv2images", "images"), "APDDv2 image folder")
    if split == "all":
        path, score_column, divisor = root / "APDDv2-10023.csv", "Total aesthetic score", 10.0
    else:
        path, score_column, divisor = root / "csvfiles" / f"{split}.csv", "Score", 1.0
    items = []
    for number, row in _csv_rows(path, ("filename", score_column)):
        where = f"{path}, line {number}"
        name = row["filename"].strip()
        items.append(ScoredItem(name, images / name, _number(row[score_column], where, score_column) / divisor,
                                attributes=_present_numbers(row, APDD_ATTRIBUTES, where)))
    info = DatasetInfo(
        name="APDDv2",
        split=split,
        split_source="csvfiles (published)",
        scale=(0, 10),
        threshold=5.0,
        threshold_source="APDDv2/ArtCLIP eval.py (score above 5 is high)",
        attribute_scale=(0, 10),
        attribute_dimensions=APDD_ATTRIBUTES,
    )
    return _keep_present(info, items, images)


