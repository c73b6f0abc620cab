"""``artscope train aesthetics``: fit the aesthetics head on scored data and measure it on held-out data.

Scored data is either a dataset on disk in its published layout (AVA, TAD66K, PARA, FLICKR-AES,
APDDv2, ArtiMuse-10K; their published train/test split where there is one, else a stable 80/20 hash
split) or the collection's own records carrying a numeric score field (an 80/20 hash split of the
artwork ids). Features are the measurements plus the collection embedder's global vector; they are
cached under ``heads/cache/aesthetics`` so a retrain does not recompute them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image
from pydantic import BaseModel

from artscope.datasets.aesthetics import (
    AestheticDataset,
    DatasetInfo,
    MissingSplitError,
    hash_split,
    load_dataset,
)
from artscope.errors import ArtscopeError, InvalidInputError
from artscope.heads.aesthetics import KIND, AestheticsHead, HeadMeta, train_head
from artscope.heads.store import head_dir
from artscope.metrics.correlation import srcc
from artscope.tasks.aesthetics.dimensions import total_from_distribution
from artscope.tasks.aesthetics.evaluation import from_total, metrics_for, rebin, soft_distribution, to_bins
from artscope.tasks.aesthetics.features import FEATURE_NAMES, measurement_features
from artscope.tasks.aesthetics.measures import measure_image
from artscope.tasks.aesthetics.result import DIMENSION_KEYS
from artscope.tasks.aesthetics.scoring import CACHE_SUBDIR, read_image

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
EMBED_BATCH = 32
CACHE_SAVE_SECONDS = 300


@dataclass
class Example:
    """One training image with its targets."""

    key: str
    image: str
    score: float
    distribution: np.ndarray
    """Target over the 10 bins."""
    has_votes: bool
    split: str
    dimensions: dict[str, float] = field(default_factory=dict)
    """Dimension key -> 0–100."""
    view_id: int | None = None


@dataclass
class TrainingData:
    """Examples from one source (a dataset on disk or the collection's records)."""

    source: str
    info: DatasetInfo
    examples: list[Example]


class TrainReport(BaseModel):
    """Where the head went, on how much data, and its held-out metrics."""

    head_dir: str
    data_source: str
    train_items: int
    test_items: int
    skipped: int
    dimensions: list[str]
    metrics: dict[str, float]
    seconds: float


def dimension_targets(attributes: dict[str, float], info: DatasetInfo) -> dict[str, float]:
    """Dataset attributes -> artscope dimensions on 0–100 (attributes informing one dimension averaged)."""
    low, high = info.attribute_scale or info.scale
    grouped: dict[str, list[float]] = {}
    for name, value in attributes.items():
        if name in info.attribute_dimensions:
            grouped.setdefault(info.attribute_dimensions[name], []).append(100 * (value - low) / (high - low))
    return {key: float(np.mean(values)) for key, values in grouped.items()}


def _examples(dataset: AestheticDataset, split_of: Callable[[str], str]) -> list[Example]:
    info = dataset.info
    out = []
    for item in dataset.items:
        votes = item.distribution is not None and info.levels is not None
        target = (
            rebin(item.distribution, info.levels, info.scale)
            if votes
            else soft_distribution(float(to_bins(item.score, info.scale)))
        )
        out.append(
            Example(
                item.key,
                str(item.image_path),
                item.score,
                target,
                votes,
                split_of(item.key),
                dimension_targets(item.attributes, info),
            )
        )
    return out


def from_dataset(root: Path, format_name: str) -> TrainingData:
    """The dataset's published train and test splits, or a hash split where it publishes only one."""
    try:
        train, test = load_dataset(format_name, root, "train"), load_dataset(format_name, root, "test")
        examples = _examples(train, lambda _: "train") + _examples(test, lambda _: "test")
        info = test.info
    except MissingSplitError as exc:
        log.warning("%s: no published train/test pair (%s); splitting the test data 80/20 by hash", root, exc)
        data = load_dataset(format_name, root, "test")
        examples, info = _examples(data, hash_split), data.info
        info.split_source = "artscope 80/20 hash split of the published test data"
    return TrainingData(f"{format_name}:{Path(root).resolve()}", info, examples)


def from_collection(
    collection: Collection,
    score_field: str,
    scale: tuple[float, float] | None = None,
    dimension_fields: dict[str, str] | None = None,
) -> TrainingData:
    """Records whose ``score_field`` (and optional per-dimension fields) hold numbers, split by artwork id."""
    rows = []
    for record in collection.catalog.iter_records():
        value = record.field(score_field)
        if isinstance(value, int | float) and not isinstance(value, bool) and record.views:
            dims = {k: record.field(f) for k, f in (dimension_fields or {}).items()}
            rows.append(
                (record, float(value), {k: float(v) for k, v in dims.items() if isinstance(v, int | float)})
            )
    if not rows:
        raise InvalidInputError(
            f"No artwork of {collection.path} has a numeric {score_field!r} field; name the "
            "field that holds the scores with --score-field, or train on a dataset with --data."
        )
    scores = [score for _, score, _ in rows]
    low, high = scale or (min(scores), max(scores))
    if high <= low:
        raise InvalidInputError(f"The scores span {low}..{high}; give their range with --scale LOW,HIGH.")
    info = DatasetInfo(
        name=f"collection field {score_field}",
        split="all",
        scale=(low, high),
        split_source="artscope 80/20 hash split of the artwork ids",
        threshold=(low + high) / 2,
        threshold_source="mid-scale",
        attribute_scale=(low, high),
        attribute_dimensions={k: k for k in (dimension_fields or {})},
    )
    examples = [
        Example(
            record.id,
            record.views[0].uri,
            score,
            soft_distribution(float(to_bins(score, (low, high)))),
            False,
            hash_split(record.id),
            dimension_targets(dims, info),
            record.views[0].id,
        )
        for record, score, dims in rows
    ]
    return TrainingData(f"collection:{score_field}", info, examples)


class FeatureCache:
    """Feature rows by example key, for one embedder and one feature layout (an ``.npz`` per source)."""

    def __init__(self, directory: Path, source: str, embedder_spec: str) -> None:
        digest = hashlib.sha256("|".join([source, embedder_spec, *FEATURE_NAMES]).encode()).hexdigest()[:16]
        self.path = directory / f"features-{digest}.npz"
        self.rows: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path, allow_pickle=False) as data:
                self.rows = dict(zip(data["keys"].tolist(), data["features"], strict=True))

    def save(self) -> None:
        """Write all rows (atomically)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.stem + ".tmp.npz")
        np.savez(tmp, keys=np.array(list(self.rows), dtype=str), features=np.stack(list(self.rows.values())))
        os.replace(tmp, self.path)


def _measure(example: Example) -> tuple[Image.Image, np.ndarray] | tuple[None, str]:
    try:
        image, size = read_image(example.image)
        return image, measurement_features(measure_image(image, size))
    except ArtscopeError as exc:
        return None, str(exc)


def _stored_vectors(collection: Collection, examples: list[Example]) -> dict[int, np.ndarray]:
    """Global vectors already in the index, by view id (the collection's own images)."""
    ids = [e.view_id for e in examples if e.view_id is not None]
    hits = collection.index.retrieve("images", ids, vectors=["image"]) if ids else []
    return {h.id: np.asarray(h.vectors["image"], np.float32) for h in hits}


def _feature_rows(
    collection: Collection, batch: list[Example], stored: dict[int, np.ndarray], pool: ThreadPoolExecutor
) -> dict[str, np.ndarray]:
    """Measure a batch in parallel and embed, in one call, the images the index does not hold."""
    measured = list(pool.map(_measure, batch))
    need = [
        i for i, (image, _) in enumerate(measured) if image is not None and batch[i].view_id not in stored
    ]
    vectors = collection.embedder.embed_images([measured[i][0] for i in need]).global_vectors if need else []
    embedded = dict(zip(need, vectors, strict=True))
    rows = {}
    for i, (image, row) in enumerate(measured):
        if image is None:
            log.warning("skipped %s: %s", batch[i].image, row)
            continue
        vector = embedded[i] if i in embedded else stored[batch[i].view_id]
        rows[batch[i].key] = np.concatenate([row, vector]).astype(np.float32)
    return rows


def compute_features(
    collection: Collection, data: TrainingData, progress: Progress | None = None
) -> np.ndarray:
    """[N, features] for the examples; rows of images that could not be read are NaN.

    Rows are cached, and the cache is saved every few minutes, so an interrupted run resumes.
    """
    cache = FeatureCache(collection.heads_dir / CACHE_SUBDIR, data.source, collection.info.spec)
    todo = [e for e in data.examples if e.key not in cache.rows]
    stored, saved_at = _stored_vectors(collection, todo), time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        for start in range(0, len(todo), EMBED_BATCH):
            cache.rows.update(_feature_rows(collection, todo[start : start + EMBED_BATCH], stored, pool))
            if time.monotonic() - saved_at > CACHE_SAVE_SECONDS:
                cache.save()
                saved_at = time.monotonic()
            if progress:
                progress(min(start + EMBED_BATCH, len(todo)), len(todo))
    if todo and cache.rows:
        cache.save()
    if not cache.rows:
        raise InvalidInputError("None of the training images could be read.")
    width = len(next(iter(cache.rows.values())))
    return np.stack([cache.rows.get(e.key, np.full(width, np.nan, np.float32)) for e in data.examples])


def _evaluate(
    head: AestheticsHead, features: np.ndarray, examples: list[Example], info: DatasetInfo
) -> dict[str, float]:
    dist, dims = head.predict(features)
    predicted = from_total(np.array([total_from_distribution(p) for p in dist]), info.scale)
    truth = np.array([e.score for e in examples])
    votes = np.stack([e.distribution for e in examples]) if all(e.has_votes for e in examples) else None
    metrics = metrics_for(predicted, truth, info, dist if votes is not None else None, votes)
    for index, key in enumerate(head.meta.dimensions):
        known = [i for i, e in enumerate(examples) if key in e.dimensions]
        if len(known) >= 3:
            target = np.array([examples[i].dimensions[key] for i in known])
            if np.ptp(target) > 0 and np.ptp(dims[known, index]) > 0:
                metrics[f"srcc.{key}"] = srcc(dims[known, index], target)
    return metrics


def train(
    collection: Collection, data: TrainingData, epochs: int = 200, progress: Progress | None = None
) -> TrainReport:
    """Fit the head on ``data``'s train split, measure it on the test split, save it in ``heads/``."""
    features = compute_features(collection, data, progress)
    ok = ~np.isnan(features).any(axis=1)
    train_rows = [i for i, e in enumerate(data.examples) if e.split == "train" and ok[i]]
    test_rows = [i for i, e in enumerate(data.examples) if e.split == "test" and ok[i]]
    if len(test_rows) < 2:
        raise InvalidInputError(
            f"The test split has {len(test_rows)} readable images; evaluation needs at least 2."
        )
    dimensions = [k for k in DIMENSION_KEYS if any(k in data.examples[i].dimensions for i in train_rows)]
    targets = np.array([[data.examples[i].dimensions.get(k, np.nan) for k in dimensions] for i in train_rows])
    meta = HeadMeta(
        feature_names=list(FEATURE_NAMES),
        embedding_dim=0,
        dimensions=dimensions,
        data_source=data.source,
        split={"train": len(train_rows), "test": len(test_rows), "source": data.info.split_source},
    )
    head = train_head(
        features[train_rows],
        np.stack([data.examples[i].distribution for i in train_rows]),
        targets.reshape(len(train_rows), len(dimensions)),
        meta,
        epochs=epochs,
    )
    head.meta.metrics = _evaluate(head, features[test_rows], [data.examples[i] for i in test_rows], data.info)
    directory = head_dir(collection.heads_dir, KIND)
    head.save(directory, collection.info)
    log.info("aesthetics head saved to %s: %s", directory, head.meta.metrics)
    return TrainReport(
        head_dir=str(directory),
        data_source=data.source,
        train_items=len(train_rows),
        test_items=len(test_rows),
        skipped=int((~ok).sum()),
        dimensions=dimensions,
        metrics=head.meta.metrics,
        seconds=head.meta.seconds,
    )
