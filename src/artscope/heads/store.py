"""Where trained heads and their predictions live.

A head is one folder under ``collection.heads_dir`` (``heads/attributes``, ``heads/aesthetics``):
``weights.safetensors`` (its tensors) and ``head.json`` (a :class:`HeadEnvelope`: which kind of head,
which embedder's vectors it was trained on, its version, and the head's own metadata). A folder is
replaced atomically, so a crash while saving leaves the previous head intact, and a reader gets the
files of one version (a head replaced while it is read is read again). A head is refused when the
collection's embedder is not the one it was trained on: its weights would score vectors of another
space.

Predictions that heads make for the collection's artworks go to the catalogue's ``predictions``
table (artwork, task, field, value, probability, model, version), never over curated metadata.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from time import sleep
from typing import Any, TypeVar

import numpy as np
from pydantic import BaseModel, Field, ValidationError
from safetensors.numpy import load, save_file

from artscope.catalog import Catalog
from artscope.embedders.base import EmbedderInfo
from artscope.embedders.registry import current_info
from artscope.errors import EmbedderMismatchError, HeadNotTrainedError

WEIGHTS_NAME = "weights.safetensors"
META_NAME = "head.json"
REREADS = 20
"""Reads of a head that is being replaced (between the two renames of ``swap_in``, or its two files read
from two versions), ``REREAD_PAUSE_S`` apart, before a reader gives up."""
REREAD_PAUSE_S = 0.05
T = TypeVar("T")


class HeadEnvelope(BaseModel):
    """What ``head.json`` holds around a head's own metadata."""

    kind: str
    """The head's kind, also its folder name: ``attributes``, ``aesthetics``."""
    embedder: EmbedderInfo
    version: str
    """The first 12 hex digits of the weights' SHA-256: names this exact head in predictions."""
    created_at: str
    meta: dict[str, Any] = Field(default_factory=dict)


def head_dir(heads_dir: Path, kind: str) -> Path:
    """The folder of a head kind inside a collection's ``heads/``."""
    return Path(heads_dir) / kind


def save_head(directory: Path, kind: str, embedder: EmbedderInfo, tensors: Mapping[str, np.ndarray],
              meta: Mapping[str, Any]) -> HeadEnvelope:
    """Write a head folder (replacing any previous one atomically); returns its envelope."""
    with replacing(Path(directory)) as staging:
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()}, str(staging / WEIGHTS_NAME))
        envelope = HeadEnvelope(kind=kind, embedder=embedder,
                                version=weights_version((staging / WEIGHTS_NAME).read_bytes()),
                                created_at=datetime.now(UTC).isoformat(timespec="seconds"), meta=dict(meta))
        (staging / META_NAME).write_text(envelope.model_dump_json(indent=2), encoding="utf-8")
    return envelope


@contextlib.contextmanager
def replacing(directory: Path) -> Iterator[Path]:
    """A new folder beside ``directory`` to write a head (or an adapter) into: it replaces ``directory``
    (``swap_in``) when the block ends, and is removed when the block fails (the old one stays)."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{directory.name}-", dir=directory.parent))
    try:
        yield staging
        swap_in(staging, directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def swap_in(staging: Path, directory: Path) -> None:
    """Make the fully written folder ``staging`` the head folder ``directory``, replacing any old one.

    Two renames: the old folder steps aside, the new one takes its name; a reader never sees a
    half-written head (one that comes between the two reads again: ``read_while_replaced``), and a crash
    between the two leaves the old one beside an empty name.
    """
    old = _stepped_aside(directory)
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(staging, directory)
    shutil.rmtree(old, ignore_errors=True)


def read_envelope(directory: Path, kind: str, train_hint: str) -> HeadEnvelope:
    """A head's ``head.json``; ``HeadNotTrainedError`` (with ``train_hint``) when there is none."""
    path = Path(directory) / META_NAME
    if not path.exists() or not (Path(directory) / WEIGHTS_NAME).exists():
        raise HeadNotTrainedError(f"This collection has no {kind} head yet; {train_hint}.")
    try:
        envelope = HeadEnvelope.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, json.JSONDecodeError) as exc:
        raise HeadNotTrainedError(f"The {kind} head in {directory} is damaged ({exc}); "
                                  f"{train_hint}.") from exc
    envelope.embedder = current_info(envelope.embedder)
    if envelope.kind != kind:
        raise HeadNotTrainedError(f"{directory} holds a {envelope.kind!r} head, not {kind!r}; {train_hint}.")
    return envelope


def load_head(directory: Path, kind: str, embedder: EmbedderInfo,
              train_hint: str) -> tuple[dict[str, np.ndarray], HeadEnvelope]:
    """A head's tensors and envelope, refused when it was trained on another embedder's vectors. Heads
    read image vectors only (text too where text lives in the image space), so a collection whose
    texts were embedded again by another text model keeps its heads."""
    def read() -> tuple[dict[str, np.ndarray], HeadEnvelope] | None:  # None: weights of another version
        envelope = read_envelope(directory, kind, train_hint)
        weights = (Path(directory) / WEIGHTS_NAME).read_bytes()
        return (load(weights), envelope) if weights_version(weights) == envelope.version else None

    tensors, envelope = read_while_replaced(Path(directory), read, f"The {kind} head", train_hint)
    try:
        if not (envelope.embedder.same_images(embedder) and not embedder.cross_modal):
            envelope.embedder.check_compatible(embedder, what=f"{kind} head")
    except EmbedderMismatchError:
        raise EmbedderMismatchError(
            f"The {kind} head in {directory} was trained on vectors of embedder {envelope.embedder.spec!r} "
            f"(version {envelope.embedder.version}, image dim {envelope.embedder.image_dim}), but this "
            f"collection uses {embedder.spec!r} (version {embedder.version}, image dim "
            f"{embedder.image_dim}). Retrain it on this collection: {train_hint}."
        ) from None
    return tensors, envelope


def read_while_replaced(directory: Path, read: Callable[[], T | None], what: str, train_hint: str) -> T:
    """``read()`` of a folder that ``swap_in`` may be replacing meanwhile, again while the old folder stands
    aside (``read`` then fails: its files are gone) or while ``read`` returns None (what it read came from
    two versions). A folder that is not being replaced fails as ``read`` fails (missing, damaged)."""
    for _ in range(REREADS):
        try:
            value = read()
        except Exception:
            if not _stepped_aside(directory).exists():
                raise
        else:
            if value is not None:
                return value
        sleep(REREAD_PAUSE_S)
    raise HeadNotTrainedError(f"{what} in {directory} could not be read as one version: it was being replaced "
                              "(try again), or its files do not match the version its metadata names (a save cut "
                              f"off between its two renames, files changed by hand: {train_hint}).")


def _stepped_aside(directory: Path) -> Path:
    """Where ``swap_in`` puts the old head folder while the new one takes its name."""
    return directory.with_name(f".{directory.name}-old")


def weights_version(weights: bytes) -> str:
    """A head's (or an adapter's) version: the first 12 hex digits of its weights file's SHA-256."""
    return hashlib.sha256(weights).hexdigest()[:12]


# -- predictions in the catalogue ---------------------------------------------------------------
class StoredPrediction(BaseModel):
    """One predicted value of one field of one artwork, as the catalogue keeps it."""

    artwork_id: str
    task: str
    field: str
    value: str
    probability: float | None = None
    model: str
    version: str
    created_at: str | None = None


def write_predictions(catalog: Catalog, predictions: Iterable[StoredPrediction]) -> int:
    """Store predictions; each (artwork, task, field) written replaces that field's older values.

    One transaction for the lot, so a reader never sees a field half replaced. Returns the rows written.
    """
    rows = list(predictions)
    cleared = {(p.artwork_id, p.task, p.field) for p in rows}
    with catalog.transaction() as conn:
        conn.executemany("DELETE FROM predictions WHERE artwork_id = ? AND task = ? AND field = ?",
                         sorted(cleared))
        conn.executemany(
            "INSERT OR REPLACE INTO predictions "
            "(artwork_id, task, field, value, probability, model, version) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(p.artwork_id, p.task, p.field, p.value, p.probability, p.model, p.version) for p in rows])
    return len(rows)


def read_predictions(catalog: Catalog, artwork_id: str, task: str | None = None) -> list[StoredPrediction]:
    """An artwork's stored predictions (of one task, or all), most probable first within a field."""
    query = "SELECT * FROM predictions WHERE artwork_id = ?" + (" AND task = ?" if task else "")
    params = (artwork_id, task) if task else (artwork_id,)
    rows = catalog.conn.execute(query + " ORDER BY task, field, probability DESC", params)
    return [StoredPrediction(**dict(row)) for row in rows]


__all__ = ["HeadEnvelope", "StoredPrediction", "head_dir", "load_head", "read_envelope", "read_predictions",
           "save_head", "swap_in", "write_predictions"]
