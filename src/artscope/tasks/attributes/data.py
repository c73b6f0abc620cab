"""What the attribute heads learn from: the collection's stored vectors, its labels, and the split.

Fields are the catalogue's categorical fields: the well-known ``artist`` (the first-named artist of
a record; ``artists`` is accepted), ``type`` and ``medium``, any user field such as ``style`` or
``genre``, and ``period``, derived from the date. Images (views) are the training items; the split
is made by artwork, so two views of one work never land on both sides of it.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from artscope.embedders.base import l2_normalize
from artscope.heads.attributes import HeadData
from artscope.index import IMAGES
from artscope.index.base import Hit
from artscope.types import ArtworkRecord

if TYPE_CHECKING:
    from artscope.collection import Collection

PERIOD = "period"
DEFAULT_FIELDS = ("artist", "style", "genre", "medium", PERIOD)
DEFAULT_PERIOD_EDGES = (1400, 1500, 1600, 1700, 1800, 1850, 1900, 1945)
"""Turning points of Western painting that art-historical style periods cluster on: the Renaissance
(1400), High Renaissance and Mannerism (1500), Baroque (1600), Rococo (1700), Neoclassicism and
Romanticism (1800), Realism to Impressionism (1850), modernism (1900), post-war art (1945). Labels
are year spans ("1850-1899"), not period names, which differ between regions and media."""
SPLITS = ("train", "val", "test")


def canonical_field(name: str) -> str:
    """A field as the heads name it (``artists`` -> ``artist``)."""
    name = name.strip()
    return "artist" if name == "artists" else name


def period_labels(edges: Sequence[int]) -> list[str]:
    """The bucket names of sorted ``edges``: "before 1400", "1400-1499", ..., "1945 and later"."""
    spans = [f"{a}-{b - 1}" for a, b in itertools.pairwise(edges)]
    return [f"before {edges[0]}", *spans, f"{edges[-1]} and later"]


def period_of(record: ArtworkRecord, edges: Sequence[int]) -> str | None:
    """The period bucket of a record's date. The middle of its year range decides, so "late 15th
    century" (1466-1499) and "1480" agree, and a range across an edge goes where most of it lies."""
    if record.year_start is None:
        return None
    end = record.year_end if record.year_end is not None else record.year_start
    middle = (record.year_start + end) // 2
    return period_labels(edges)[int(np.searchsorted(np.asarray(edges), middle, side="right"))]


def field_value(record: ArtworkRecord, field: str, edges: Sequence[int]) -> str | None:
    """A record's label for a field, or None when the catalogue has none. ``period`` is the record's
    own period value when it has one (a dataset's period names), else the bucket of its date."""
    value = record.field(field)
    if field == PERIOD and not value:
        return period_of(record, edges)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None or isinstance(value, dict):
        return None
    text = str(value).strip()
    return text or None


def encode_labels(records: Sequence[ArtworkRecord | None], fields: Sequence[str],
                  label_sets: Sequence[Sequence[str]], edges: Sequence[int]) -> np.ndarray:
    """[N, fields] class indices of each record's values (-1: no value, or one outside the label set)."""
    out = np.full((len(records), len(fields)), -1, dtype=np.int64)
    lookups = [{label: i for i, label in enumerate(labels)} for labels in label_sets]
    for row, record in enumerate(records):
        if record is None:
            continue
        for column, field in enumerate(fields):
            value = field_value(record, field, edges)
            out[row, column] = lookups[column].get(value, -1) if value is not None else -1
    return out


@dataclasses.dataclass
class StoredImages:
    """Every indexed image of a collection: ids and vectors (labels empty until encoded)."""

    view_ids: np.ndarray
    artwork_ids: np.ndarray
    data: HeadData


def images_from_hits(hits: Iterable[Hit], token_budget: int, token_dim: int | None) -> StoredImages:
    """Stored points (with their ``image`` and ``tokens`` vectors) as arrays; tokens kept as float16,
    zero-padded to ``token_budget`` rows with a mask (``token_dim`` None: the embedder has none)."""
    view_ids, artwork_ids, globals_, tokens, masks = [], [], [], [], []
    for hit in hits:
        vectors = hit.vectors or {}
        view_ids.append(hit.id)
        artwork_ids.append(str(hit.payload.get("artwork_id")))
        globals_.append(np.asarray(vectors["image"], dtype=np.float32))
        if token_dim:
            stored = vectors.get("tokens")
            matrix = np.asarray(stored if stored is not None else [], np.float32).reshape(-1, token_dim)
            matrix = matrix[:token_budget]
            padded = np.zeros((token_budget, token_dim), dtype=np.float16)
            padded[: len(matrix)] = l2_normalize(matrix)
            tokens.append(padded)
            masks.append(np.arange(token_budget) < len(matrix))
    width = len(globals_[0]) if globals_ else 0
    glob = l2_normalize(np.stack(globals_)) if globals_ else np.zeros((0, width), np.float32)
    if token_dim:
        token_array = np.stack(tokens) if tokens else np.zeros((0, token_budget, token_dim), np.float16)
        mask_array = np.stack(masks) if masks else np.zeros((0, token_budget), bool)
    else:
        token_array = mask_array = None
    data = HeadData(glob, token_array, mask_array, np.zeros((len(view_ids), 0), dtype=np.int64))
    return StoredImages(np.asarray(view_ids, dtype=np.int64), np.asarray(artwork_ids, dtype=object), data)


def load_images(collection: Collection, view_ids: Sequence[int] | None = None) -> StoredImages:
    """The collection's indexed images (all of them, or the views named), with their vectors."""
    token_dim = collection.info.token_dim
    wanted = ["image", "tokens"] if token_dim else ["image"]
    if view_ids is None:
        hits = collection.index.scroll(IMAGES, vectors=wanted)
    else:
        hits = collection.index.retrieve(IMAGES, list(view_ids), vectors=wanted)
    return images_from_hits(hits, collection.manifest.token_budget, token_dim)


def with_labels(images: StoredImages, labels: np.ndarray) -> StoredImages:
    """The same images carrying ``labels`` [N, fields]."""
    return dataclasses.replace(images, data=dataclasses.replace(images.data, labels=labels))


def split_artworks(artwork_ids: Sequence[str], strata: Sequence[str], val_fraction: float,
                   test_fraction: float, seed: int) -> dict[str, str]:
    """Artwork id -> "train" / "val" / "test", stratified by ``strata`` (one label per artwork).

    Within each stratum the counts are rounded at random (so many small strata still add up to the
    fractions) but never leave a stratum without a training item: a class seen once goes to train.
    """
    rng = np.random.default_rng(seed)
    members: dict[str, list[str]] = defaultdict(list)
    for artwork, stratum in zip(artwork_ids, strata, strict=True):
        members[stratum].append(artwork)
    split: dict[str, str] = {}
    for stratum in sorted(members):
        group = sorted(members[stratum])
        rng.shuffle(group)
        n_test = min(int(len(group) * test_fraction + rng.random()), len(group) - 1)
        n_val = min(int(len(group) * val_fraction + rng.random()), len(group) - 1 - n_test)
        for position, artwork in enumerate(group):
            split[artwork] = "test" if position < n_test else "val" if position < n_test + n_val else "train"
    return split


__all__ = ["DEFAULT_FIELDS", "DEFAULT_PERIOD_EDGES", "PERIOD", "SPLITS", "StoredImages", "canonical_field",
           "encode_labels", "field_value", "images_from_hits", "load_images", "period_labels", "period_of",
           "split_artworks", "with_labels"]
