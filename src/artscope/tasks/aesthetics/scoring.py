"""The entry functions: ``score(collection, image)`` and the collection-free ``score_image(image)``.

Flow: load the image safely -> measure it -> (with a collection) measure typicality against the
collection -> builtin dimension scores -> a trained head, where there is one, replaces the total,
the distribution and the dimensions it was trained on -> grounded comments and description.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from artscope.embedders.base import Embedder, EmbedderInfo
from artscope.embedders.registry import create_embedder
from artscope.errors import InvalidInputError
from artscope.heads.aesthetics import KIND, AestheticsHead, trained_with
from artscope.heads.store import META_NAME, head_dir
from artscope.media.images import ImageInput, decode_with_size, load_image, read_bytes
from artscope.tasks.aesthetics.comments import comments, describe
from artscope.tasks.aesthetics.dimensions import (
    builtin_dimensions,
    distribution_around,
    total_from_distribution,
    weighted_mean,
)
from artscope.tasks.aesthetics.features import feature_row
from artscope.tasks.aesthetics.measures import DETAIL_SIZE, measure_image
from artscope.tasks.aesthetics.result import AestheticResult, HeadInfo, Measurement

if TYPE_CHECKING:
    from artscope.collection import Collection
    from artscope.tasks.aesthetics.vlm import VlmScore

CACHE_SUBDIR = "cache/aesthetics"
"""Under ``heads/``: the typicality reference and training features (outside the head's own folder,
which a retrain replaces as a whole)."""
UNCALIBRATED = (
    "Scores are uncalibrated: fixed rules over the measurements, not fitted to human ratings. "
    "Train a head on scored data (`artscope train aesthetics -c DIR`) to calibrate them."
)
_heads: dict[tuple[str, int, str], AestheticsHead] = {}


def read_image(source: ImageInput) -> tuple[Image.Image, tuple[int, int]]:
    """A safely decoded RGB image (JPEGs at reduced scale) and the size of the file as given."""
    if isinstance(source, Image.Image):
        image = load_image(source)
        return image, image.size
    data = bytes(source) if isinstance(source, bytes | bytearray) else read_bytes(source)
    name = str(source) if isinstance(source, str | Path) else "image"
    return decode_with_size(data, draft_size=DETAIL_SIZE, name=name)


def head_for(directory: Path, info: EmbedderInfo) -> AestheticsHead | None:
    """The head saved in ``directory`` (loaded once per file version), or None when there is none."""
    meta = directory / META_NAME
    if not meta.exists():
        return None
    key = (str(meta.resolve()), meta.stat().st_mtime_ns, info.spec)
    if key not in _heads:
        _heads[key] = AestheticsHead.load(directory, info)
    return _heads[key]


@dataclass
class Scoring:
    """What the parts contribute before the result is assembled."""

    measurements: dict[str, Measurement]
    not_measured: dict[str, str]
    global_vector: np.ndarray | None = None
    head: AestheticsHead | None = None
    vlm: VlmScore | None = None
    artwork_id: str | None = None


def _head_prediction(
    parts: Scoring, dimensions: dict[str, float | None], sources: dict[str, str]
) -> tuple[list[float], HeadInfo]:
    """The head's distribution; the dimensions it learned replace the measured ones in place."""
    head = parts.head
    dist, dims = head.predict(feature_row(parts.measurements, parts.global_vector))
    for index, key in enumerate(head.meta.dimensions):
        dimensions[key], sources[key] = round(float(dims[0, index]), 2), "head"
    info = HeadInfo(
        name=f"{KIND}@{head.envelope.version}" if head.envelope else KIND,
        data_source=head.meta.data_source,
        trained_at=head.meta.trained_at,
        dimensions=head.meta.dimensions,
    )
    return dist[0].tolist(), info


def assemble(parts: Scoring) -> AestheticResult:
    """Dimension scores, total, distribution, comments and description from the measured parts."""
    ms = parts.measurements
    dimensions = builtin_dimensions(ms)
    sources = {key: "measured" for key, value in dimensions.items() if value is not None}
    notes, head_info, backend = [], None, "builtin"
    if parts.head is not None and parts.global_vector is not None:
        distribution, head_info = _head_prediction(parts, dimensions, sources)
    elif parts.vlm is not None:
        distribution, backend, head_info = parts.vlm.distribution, parts.vlm.backend, parts.vlm.head
        for key, value in parts.vlm.dimensions.items():
            dimensions[key], sources[key] = value, backend
        rest = "the other dimension scores are" if parts.vlm.dimensions else "the dimension scores are"
        notes.append(f"Total and distribution from {backend} ({parts.vlm.method}); {rest} uncalibrated rules "
                     "over the measurements.")
    else:
        present = [v for v in dimensions.values() if v is not None]
        distribution = distribution_around(weighted_mean(dimensions), 1.0 + float(np.std(present)) / 25)
        notes.append(UNCALIBRATED)
    notes += [f"{key} was not measured: {why}." for key, why in parts.not_measured.items()]
    return AestheticResult(
        total=round(total_from_distribution(distribution), 2),
        dimensions=dimensions,
        distribution=[round(p, 5) for p in distribution],
        comments=comments(ms),
        description=describe(ms),
        measurements=ms,
        calibrated=head_info is not None,
        head=head_info,
        dimension_sources=sources,
        backend=backend,
        not_measured=parts.not_measured,
        notes=notes,
        artwork_id=parts.artwork_id,
    )


def _base_parts(image: Image.Image, size: tuple[int, int], vlm: str | None) -> Scoring:
    measurements = measure_image(image, size)
    not_measured = {}
    if "composition.subject_x" not in measurements:
        not_measured["composition.subject"] = "no bounded region stands out from the rest of the image"
    vlm_score = None
    if vlm:
        from artscope.tasks.aesthetics.vlm import score_with_vlm

        vlm_score = score_with_vlm(vlm, image)
    return Scoring(measurements=measurements, not_measured=not_measured, vlm=vlm_score)


@functools.lru_cache(maxsize=2)
def _embedder(spec: str) -> Embedder:
    """Embedders for heads used without a collection, loaded once per process."""
    return create_embedder(spec)


def _head_with_embedder(directory: Path) -> tuple[AestheticsHead | None, Embedder]:
    """A head saved outside a collection, and the embedder it was trained with."""
    embedder = _embedder(trained_with(directory).spec)
    return head_for(directory, embedder.info), embedder


def score_image(
    image: ImageInput, head_dir: str | Path | None = None, vlm: str | None = None
) -> AestheticResult:
    """Score any image without a collection (originality is then not measured).

    ``head_dir``: a trained head's directory; the embedder it was trained with is loaded to use it.
    ``vlm``: a vision-language backend spec (``hf:ID_OR_PATH`` or ``artimuse:PATH``) for the total.
    """
    picture, size = read_image(image)
    parts = _base_parts(picture, size, vlm)
    parts.not_measured["originality"] = "it is measured against a collection; none was given"
    if head_dir is not None and not vlm:
        parts.head, embedder = _head_with_embedder(Path(head_dir))
        parts.global_vector = embedder.embed_images([picture]).global_vectors[0]
    return assemble(parts)


def score(
    collection: Collection,
    image: ImageInput | None = None,
    artwork_id: str | None = None,
    vlm: str | None = None,
    use_head: bool = True,
) -> AestheticResult:
    """Score an image (or a stored artwork's first image) against a collection.

    The collection supplies the typicality reference (originality), its embedder's global vector,
    and its trained head (``heads/aesthetics``), if any; ``use_head=False`` ignores the head, and so
    does naming a ``vlm`` (then the VLM gives the total and the distribution).
    """
    from artscope.tasks.aesthetics.originality import IMAGES, originality_measures

    if (image is None) == (artwork_id is None):
        raise InvalidInputError(
            "Score either an image or a stored artwork (artwork_id=...), not both or neither."
        )
    view_id = None
    if artwork_id is not None:
        record = collection.catalog.get(artwork_id)
        if not record.views:
            raise InvalidInputError(f"Artwork {artwork_id!r} has no image to score.")
        view_id, image = record.views[0].id, record.views[0].uri
    picture, size = read_image(image)
    parts = _base_parts(picture, size, vlm)
    parts.artwork_id = artwork_id
    stored = collection.index.retrieve(IMAGES, [view_id], vectors=["image"]) if view_id is not None else []
    if stored:
        parts.global_vector = np.asarray(stored[0].vectors["image"], dtype=np.float32)
    else:
        parts.global_vector = collection.embedder.embed_images([picture]).global_vectors[0]
    found, why = originality_measures(collection, parts.global_vector, view_id)
    parts.measurements.update(found)
    if why:
        parts.not_measured["originality"] = why
    if use_head and not vlm:  # an explicitly asked-for VLM gives the total; the head is not mixed in
        parts.head = head_for(head_dir(collection.heads_dir, KIND), collection.info)
    return assemble(parts)
