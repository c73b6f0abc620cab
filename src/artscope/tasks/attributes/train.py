"""``train``: fit the attribute heads on the collection's own labels and measure them on held-out images.

One run: read the stored vectors and the catalogue's labels, split by artwork, train the
late-interaction head on the training split (early stopping on validation), fit per field the kNN
fusion weight and the temperature on validation, then report accuracy, macro-F1, top-5 and ECE on
the test split for the head, the majority class and kNN alone, and save the head in ``heads/``.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from artscope.datasets.attributes import AttributeDataset, artwork_id, write_catalogue
from artscope.embedders.base import l2_normalize
from artscope.errors import InvalidInputError
from artscope.heads.attributes import KIND, AttributeHead, HeadTask, fit_head
from artscope.heads.store import head_dir
from artscope.tasks.attributes.calibration import fit_fusion, fit_temperature, fuse, measure, prior, softmax
from artscope.tasks.attributes.data import (
    PERIOD,
    SPLITS,
    StoredImages,
    canonical_field,
    encode_labels,
    field_value,
    load_images,
    period_labels,
    split_artworks,
    with_labels,
)
from artscope.tasks.attributes.knn import bank_neighbours, bank_votes
from artscope.tasks.attributes.types import AttributesConfig, FieldReport, SkippedField, TrainReport
from artscope.types import ArtworkRecord

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

TEXT_TEMPLATES = {"artist": "a painting by {}", "style": "a painting in the style of {}",
                  "genre": "a {} painting", "medium": "an artwork in {}", "type": "a {}",
                  PERIOD: "an artwork made {}"}
"""How a class name is put into words for a cross-modal embedder (CLIP-style prompts)."""


def label_sets(records: Sequence[ArtworkRecord], fields: Sequence[str],
               config: AttributesConfig) -> tuple[list[str], list[list[str]], list[SkippedField]]:
    """The fields that can be learnt and their classes (the catalogue's values, then any extra names)."""
    kept, sets, skipped = [], [], []
    for field in fields:
        counts = Counter(v for r in records if (v := field_value(r, field, config.period_edges)) is not None)
        if len(counts) < 2:
            found = f"only {next(iter(counts))!r}" if counts else "no value"
            reason = f"{found} in the catalogue; a head needs two classes"
            skipped.append(SkippedField(field=field, reason=reason))
            continue
        buckets = period_labels(config.period_edges) if field == PERIOD else []  # chronological first
        labels = [b for b in buckets if b in counts] + [x for x in sorted(counts) if x not in buckets]
        labels += [x for x in dict.fromkeys(config.extra_labels.get(field, [])) if x not in counts]
        kept.append(field)
        sets.append(labels)
    return kept, sets, skipped


def text_vectors(collection: Collection, fields: Sequence[str],
                 sets: Sequence[Sequence[str]]) -> np.ndarray | None:
    """The class names embedded as text [C, d] when the embedder puts text in the image space."""
    info = collection.info
    if not info.cross_modal or info.text_dim != info.image_dim:
        return None
    prompts = [TEXT_TEMPLATES.get(field, field + ": {}").format(label.replace("_", " "))
               for field, labels in zip(fields, sets, strict=True) for label in labels]
    return l2_normalize(collection.embedder.embed_texts(prompts))


def _assign_splits(images: StoredImages, first_labels: np.ndarray, config: AttributesConfig) -> np.ndarray:
    """Each image's split ("train"/"val"/"test"), decided per artwork."""
    stratum = {a: str(label) for a, label in zip(images.artwork_ids, first_labels, strict=True)}
    free = sorted(a for a in stratum if a not in config.fixed_split)
    split = split_artworks(free, [stratum[a] for a in free], config.val_fraction, config.test_fraction,
                           config.seed)
    split.update({a: s for a, s in config.fixed_split.items() if a in stratum})
    return np.asarray([split[a] for a in images.artwork_ids])


def _counts(labels: np.ndarray, n_classes: int) -> list[int]:
    return np.bincount(labels[labels >= 0], minlength=n_classes).tolist()


def _group_codes(artwork_ids: np.ndarray) -> np.ndarray:
    return np.unique(artwork_ids.astype(str), return_inverse=True)[1]


def _evaluate(head: AttributeHead, images: StoredImages, splits: np.ndarray) -> list[FieldReport]:
    """Fit fusion and temperature per field on validation; measure head, majority and kNN on test."""
    data, groups = images.data, _group_codes(images.artwork_ids)
    train = (splits == "train") & (data.labels >= 0).any(axis=1)
    held = np.flatnonzero(splits != "train")
    sims, positions = bank_neighbours(data.global_vectors[held], groups[held], data.global_vectors[train],
                                      groups[train])
    votes = bank_votes(sims, positions, data.labels[train], [len(t.labels) for t in head.tasks])
    logits = head.task_logits(data.rows(held))
    reports = []
    for i, task in enumerate(head.tasks):
        labels = data.labels[held, i]
        val = (splits[held] == "val") & (labels >= 0)
        test = (splits[held] == "test") & (labels >= 0)
        task.fusion_weight, task.temperature = fit_fusion(logits[i][val], votes[i][val], labels[val])
        knn_temperature = fit_temperature(np.log(votes[i][val]), labels[val])
        base = prior(data.labels[train, i], len(task.labels))
        reports.append(FieldReport(
            field=task.field, classes=len(task.labels), open_set_classes=task.train_counts.count(0),
            train=int(sum(task.train_counts)), val=int(val.sum()), test=int(test.sum()),
            head=measure(fuse(logits[i][test], votes[i][test], task.fusion_weight, task.temperature),
                         labels[test]),
            majority=measure(np.tile(base, (int(test.sum()), 1)), labels[test]),
            knn=measure(softmax(np.log(votes[i][test]) / knn_temperature), labels[test]),
            fusion_weight=task.fusion_weight, temperature=round(task.temperature, 4)))
    return reports


def fit_and_evaluate(images: StoredImages, fields: Sequence[str], sets: Sequence[Sequence[str]],
                     config: AttributesConfig, text: np.ndarray | None = None,
                     on_epoch: Callable[[int, float], None] | None = None
                     ) -> tuple[AttributeHead, list[FieldReport], np.ndarray]:
    """Split, train and measure on labelled stored vectors, with no collection involved (the
    benchmark calls this directly). Returns the head, the per-field reports and each image's split."""
    splits = _assign_splits(images, images.data.labels[:, 0], config)
    train_rows, val_rows = images.data.rows(splits == "train"), images.data.rows(splits == "val")
    tasks = [HeadTask(field=field, labels=list(names),
                      train_counts=_counts(train_rows.labels[:, i], len(names)))
             for i, (field, names) in enumerate(zip(fields, sets, strict=True))]
    head = fit_head(train_rows, val_rows, tasks, config.head, text, on_epoch)
    return head, _evaluate(head, images, splits), splits


def train(collection: Collection, config: AttributesConfig | None = None,
          on_epoch: Callable[[int, float], None] | None = None) -> TrainReport:
    """The attributes task's training entry: returns the report that is also stored with the head."""
    config = config or AttributesConfig()
    config.check()
    start = time.perf_counter()
    images = load_images(collection)
    if not len(images.view_ids):
        raise InvalidInputError("The collection has no indexed images; add some with "
                                "`artscope index SOURCE -c DIR` before training.")
    artworks = list(dict.fromkeys(images.artwork_ids.tolist()))
    records = {r.id: r for r in collection.catalog.get_many(artworks)}
    fields = list(dict.fromkeys(canonical_field(f) for f in config.fields))
    fields, sets, skipped = label_sets(list(records.values()), fields, config)
    if not fields:
        reasons = "; ".join(f"{s.field}: {s.reason}" for s in skipped)
        raise InvalidInputError(f"No field can be learnt ({reasons}). Name fields whose values the catalogue "
                                "holds, e.g. --fields artist,style.")
    labels = encode_labels([records.get(a) for a in images.artwork_ids], fields, sets, config.period_edges)
    images = with_labels(images, labels)
    text = text_vectors(collection, fields, sets)
    head, reports, splits = fit_and_evaluate(images, fields, sets, config, text, on_epoch)
    report = TrainReport(fields=reports, skipped=skipped, images=len(images.view_ids), artworks=len(artworks),
                         split={s: int((splits == s).sum()) for s in SPLITS},
                         epochs=len(head.history), seconds=round(time.perf_counter() - start, 2),
                         embedder=collection.info.spec)
    return _save(collection, head, report, config, images.artwork_ids, splits)


def _save(collection: Collection, head: AttributeHead, report: TrainReport, config: AttributesConfig,
          artwork_ids: np.ndarray, splits: np.ndarray) -> TrainReport:
    """Store the head with its report, period edges and held-out artwork ids; the report gains the
    head's version and folder."""
    directory = head_dir(collection.heads_dir, KIND)
    held_out = {s: sorted({a for a, x in zip(artwork_ids, splits, strict=True) if x == s})
                for s in ("val", "test")}
    envelope = head.save(directory, collection.info, {
        "report": report.model_dump(), "period_edges": config.period_edges,
        "split": {"seed": config.seed, "val_fraction": config.val_fraction,
                  "test_fraction": config.test_fraction, **held_out}})
    log.info("attributes head %s saved in %s", envelope.version, directory)
    return report.model_copy(update={"version": envelope.version, "head_path": str(directory)})


def train_from_dataset(collection: Collection, dataset: AttributeDataset,
                       config: AttributesConfig | None = None,
                       on_epoch: Callable[[int, float], None] | None = None,
                       progress: Callable[[int, int | None], None] | None = None) -> TrainReport:
    """Ingest a labelled dataset (images and labels become records of the collection) and train on it.

    The dataset's own held-out images stay held out (the fractions then only carve validation out of
    its training images), and its full class lists become the label sets, open-set classes included.
    """
    if not dataset.items:
        raise InvalidInputError(f"None of the images the {dataset.name} lists name is on disk "
                                f"({dataset.missing_images} missing); check the --data folder.")
    config = config or AttributesConfig()
    with tempfile.TemporaryDirectory(prefix="artscope-dataset-") as folder:
        catalogue = write_catalogue(dataset, Path(folder) / f"{dataset.name}.csv")
        collection.ingest([str(catalogue)], progress=progress)
    held_out = {artwork_id(dataset, item): item.split for item in dataset.items
                if item.split in ("val", "test")}
    splits = set(held_out.values())
    config = config.model_copy(update={
        "fixed_split": {**held_out, **config.fixed_split},
        "extra_labels": {**dataset.classes, **config.extra_labels},
        "test_fraction": 0.0 if "test" in splits else config.test_fraction,
        "val_fraction": 0.0 if "val" in splits else config.val_fraction,
    })
    return train(collection, config, on_epoch)


__all__ = ["TEXT_TEMPLATES", "fit_and_evaluate", "label_sets", "text_vectors", "train", "train_from_dataset"]
