"""What the runner asks of a model, and the implementation that asks an artscope collection.

The runner never touches another task's internals: ``CollectionPredictor`` indexes a benchmark's
image pool into a collection of its own with ``artscope.create`` and ``Collection.ingest``, and
answers through the public ``search``, ``describe``, ``score`` and ``ask`` methods.
"""

from __future__ import annotations

import csv
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from artscope.errors import ArtscopeError, EmbedderMismatchError, HeadNotTrainedError

log = logging.getLogger(__name__)

Progress = Callable[[int, int | None], None]
SEARCH_LIMIT = 500
"""The most hits one search returns; rankings are cut here (every benchmark needs ≤ 50)."""


@dataclass(frozen=True)
class GalleryImage:
    """One image of a benchmark's pool, with the catalogue fields it is indexed with (labels)."""

    key: str
    image: Path | str
    fields: dict[str, str] = field(default_factory=dict)


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

    def describe(self, image: Path | str, attribute: str) -> dict[str, float]:
        """Label → probability for one attribute (artist, style, genre...)."""
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

    def describe(self, image: Path | str, attribute: str) -> dict[str, float]:
        hint = (f"train it on the indexed training split with `artscope train attributes -c "
                f"{self.collection.path} --fields {attribute}`, then rerun the same eval command (it resumes)")
        try:
            result = self.collection.describe(str(image))
            prediction = result.field(attribute)
        except HeadNotTrainedError as exc:
            raise HeadNotTrainedError(f"{exc} For this benchmark, {hint}.") from exc
        except KeyError:
            raise HeadNotTrainedError(f"The attribute head does not predict {attribute!r}: {hint}.") from None
        return {choice.label: float(choice.probability) for choice in prediction.top_k}

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
