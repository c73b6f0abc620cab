"""What the runner asks of a model, and the implementation that asks an artscope collection.

The runner never touches another task's internals: ``CollectionPredictor`` indexes a benchmark's
image pool into a collection of its own with ``artscope.create`` and ``Collection.ingest``, trains
what it must with ``Collection.train_attributes``, and answers through the public ``search``,
``describe``, ``score`` and ``ask`` methods and, for image → text retrieval, the collection's embedder.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from artscope.errors import ArtscopeError, EmbedderMismatchError, HeadNotTrainedError, InvalidInputError
from artscope.media.images import load_image

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
SEARCH_LIMIT = 500
"""The most hits one search returns; rankings are cut here (every benchmark needs ≤ 50)."""
TEXT_BATCH = 256


@dataclass(frozen=True)
class GalleryImage:
    """One image of a benchmark's pool, with the catalogue fields it is indexed with (labels)."""

    key: str
    image: Path | str
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GalleryText:
    """One text of a benchmark's caption pool (image → text retrieval)."""

    key: str
    text: str


@dataclass(frozen=True)
class AestheticPrediction:
    total: float
    """0–100."""
    distribution: list[float]
    """Probabilities of the scores 1..10."""


class Predictor(Protocol):
    """The model under evaluation, as the benchmark runners see it."""

    def index(self, images: Sequence[GalleryImage], progress: Progress | None = None) -> None:
        """Make ``images`` the pool that :meth:`rank` ranks and :meth:`describe` learns from."""
        ...

    def rank(self, text: str | None = None, image: Path | str | None = None, k: int = 50,
             within: Sequence[str] | None = None) -> list[str]:
        """Keys of the pool, best first (at most ``k``; only ``within`` when given)."""
        ...

    def learn(self, attribute: str, labels: Sequence[str]) -> None:
        """Learn ``attribute`` (whose classes are ``labels``) from the labels of the indexed pool."""
        ...

    def describe(self, image: Path | str, attribute: str) -> dict[str, float]:
        """Label → probability for one attribute (artist, style, genre...)."""
        ...

    def index_texts(self, texts: Sequence[GalleryText], progress: Progress | None = None) -> None:
        """Make ``texts`` the pool that :meth:`rank_texts` ranks."""
        ...

    def rank_texts(self, image: Path | str, k: int = 10) -> list[str]:
        """Keys of the text pool, best match for ``image`` first (at most ``k``)."""
        ...

    def score(self, image: Path | str) -> AestheticPrediction: ...

    def answer(self, question: str, image: Path | str | None = None) -> str: ...


class CollectionPredictor:
    """A :class:`Predictor` over an artscope collection kept in ``workdir`` (reused when resuming)."""

    def __init__(self, workdir: Path, model: str = "builtin") -> None:
        import artscope

        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        path = self.workdir / "collection"
        self.collection = artscope.create(path, embedder=model, exist_ok=True)
        if self.collection.info.spec != model:
            spec = self.collection.info.spec
            self.collection.close()
            raise EmbedderMismatchError(f"{path} was indexed with {spec!r}, not {model!r}; pass --model {spec} "
                                        "or a new --out to evaluate another model.")
        self._keys: list[str] = []
        self._text_keys: list[str] = []
        self._text_vectors = np.zeros((0, 0))

    def close(self) -> None:
        self.collection.close()

    def index(self, images: Sequence[GalleryImage], progress: Progress | None = None) -> None:
        # artwork ids are positions ("g0000042"): benchmark keys may hold slashes or clash after slugging
        self._keys = [image.key for image in images]
        marker = self.workdir / "indexed.json"
        if marker.exists() and json.loads(marker.read_text()) == {"count": len(images)}:
            return
        catalogue = self.workdir / "gallery.csv"
        names = sorted({name for image in images for name in image.fields})
        with catalogue.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "image", *names])
            for position, image in enumerate(images):
                location = str(image.image.absolute()) if isinstance(image.image, Path) else image.image
                writer.writerow([self._artwork_id(position), location,
                                 *(image.fields.get(name, "") for name in names)])
        summary = self.collection.ingest([catalogue], kind="csv", progress=progress)
        if summary.failed:
            log.warning("%d of %d benchmark images could not be indexed (first: %s)", summary.failed,
                        len(images), summary.errors[0].error if summary.errors else "?")
        self.collection.optimize()
        marker.write_text(json.dumps({"count": len(images)}))

    def rank(self, text: str | None = None, image: Path | str | None = None, k: int = 50,
             within: Sequence[str] | None = None) -> list[str]:
        filters = {}
        if within is not None:
            positions = {key: n for n, key in enumerate(self._keys)}
            filters["artwork_id"] = [self._artwork_id(positions[key]) for key in within if key in positions]
            if not filters["artwork_id"]:
                return []
        result = self.collection.search(text, image=str(image) if image is not None else None,
                                        limit=min(k, SEARCH_LIMIT), filters=filters)
        return [self._keys[int(hit.artwork.id[1:])] for hit in result.hits]

    def learn(self, attribute: str, labels: Sequence[str]) -> None:
        """Train the collection's attribute head on the indexed pool's labels (once: a resumed run reuses it).
        All of the pool is for training; the head carves its own validation images out of it."""
        marker = self.workdir / f"trained-{attribute}.json"
        if marker.exists():
            return
        report = self.collection.train_attributes(fields=[attribute], extra_labels={attribute: list(labels)},
                                                  test_fraction=0.0)
        marker.write_text(report.model_dump_json(indent=1), encoding="utf-8")

    def describe(self, image: Path | str, attribute: str) -> dict[str, float]:
        try:
            prediction = self.collection.describe(str(image), top_k=10_000, fields=[attribute]).field(attribute)
        except KeyError:
            raise HeadNotTrainedError(f"The attribute head of {self.collection.path} does not predict "
                                      f"{attribute!r}; delete {self.workdir} and rerun to train it.") from None
        return {choice.label: float(choice.probability) for choice in prediction.top_k}

    def index_texts(self, texts: Sequence[GalleryText], progress: Progress | None = None) -> None:
        """Embed the texts with the collection's embedder (kept in memory: a caption pool is small)."""
        if not self.collection.info.cross_modal:
            raise InvalidInputError(f"{self.collection.info.spec!r} has no shared image-text space, so it cannot "
                                    "rank texts for an image; evaluate a cross-modal model (--model hf:...).")
        self._text_keys = [text.key for text in texts]
        vectors = []
        for start in range(0, len(texts), TEXT_BATCH):
            vectors.append(self.collection.embedder.embed_texts([t.text for t in texts[start:start + TEXT_BATCH]]))
            if progress:
                progress(min(start + TEXT_BATCH, len(texts)), len(texts))
        self._text_vectors = np.concatenate(vectors) if vectors else np.zeros((0, self.collection.info.text_dim))

    def rank_texts(self, image: Path | str, k: int = 10) -> list[str]:
        """Texts by cosine similarity to the image's global vector (as CLIP's image → text retrieval)."""
        vector = self.collection.embedder.embed_images([load_image(image)]).global_vectors[0]
        order = np.argsort(-(self._text_vectors @ vector), kind="stable")[:k]
        return [self._text_keys[i] for i in order]

    def score(self, image: Path | str) -> AestheticPrediction:
        result = self.collection.score(str(image))
        return AestheticPrediction(float(result.total), [float(p) for p in result.distribution])

    def answer(self, question: str, image: Path | str | None = None) -> str:
        try:
            result = self.collection.ask(question, image=str(image) if image is not None else None)
        except ArtscopeError as exc:  # an unanswerable item scores 0; the run goes on
            log.warning("ask failed on %r: %s", question, exc)
            return ""
        return result.text if result.answered else ""

    @staticmethod
    def _artwork_id(position: int) -> str:
        return f"g{position:07d}"


