"""The embedder protocol: every backend turns images and texts into vectors the same way."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
from PIL import Image
from pydantic import BaseModel

from artscope.errors import EmbedderMismatchError


class EmbedderInfo(BaseModel):
    """What a backend produces; stored in the collection manifest and checked on open."""

    spec: str
    image_dim: int
    text_dim: int
    token_dim: int | None = None
    max_tokens: int | None = None
    cross_modal: bool = False
    """True when text vectors live in the image space (CLIP, SigLIP, ColQwen2): text can find pixels."""
    version: str = "1"
    multilingual: bool = False
    """True when a text and its translation get close vectors (the default ``builtin``): a query then meets
    texts written in other languages through their meaning, not their words."""
    images: str | None = None
    """What decides the image vectors, when it is less than the whole spec (``builtin`` for every
    builtin text option): two embedders agreeing on it, on the version and on the sizes make the
    same image vectors, so a collection can change text model without embedding its images again."""

    def same_images(self, other: EmbedderInfo) -> bool:
        """Whether ``other`` makes the image vectors this embedder made."""
        def part(info: EmbedderInfo) -> tuple:
            return (info.spec.partition(":")[0], info.images or info.spec, info.version, info.image_dim,
                    info.token_dim, info.max_tokens, info.cross_modal)
        return part(self) == part(other)

    def check_compatible(self, other: EmbedderInfo, what: str = "collection") -> None:
        """Raise if vectors from ``other`` cannot be compared with vectors from this embedder."""
        same = (self.spec, self.image_dim, self.text_dim, self.token_dim, self.version) == (
            other.spec, other.image_dim, other.text_dim, other.token_dim, other.version)
        if not same:
            raise EmbedderMismatchError(
                f"The {what} was built with embedder {self.spec!r} (version {self.version}, "
                f"image dim {self.image_dim}, text dim {self.text_dim}) but {other.spec!r} "
                f"(version {other.version}, image dim {other.image_dim}, text dim {other.text_dim}) "
                f"is in use. Open it without naming an embedder, or re-embed it with "
                f"`artscope embed -c DIR --embedder {other.spec}`."
            )


@dataclass
class ImageEmbeddings:
    """Vectors of a batch of images: L2-normalised float32."""

    global_vectors: np.ndarray
    """[N, image_dim]"""
    tokens: np.ndarray | None = None
    """[N, t, token_dim], or None for backends without token vectors."""


@runtime_checkable
class Embedder(Protocol):
    """What every backend implements. Inputs are RGB PIL images (already safely loaded)."""

    info: EmbedderInfo

    def embed_images(self, images: list[Image.Image]) -> ImageEmbeddings: ...

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """[N, text_dim], L2-normalised. In the image space when ``info.cross_modal``."""
        ...


@dataclass(frozen=True)
class FoundWord:
    """A word of a query that measured image properties decide ("night", "blue", "not snowy")."""

    name: str
    """The vocabulary entry ("night" for "nocturnal")."""
    written: str
    """How the query wrote it."""
    negated: bool
    meaning: str
    """What it measures, in words."""

    @property
    def label(self) -> str:
        return f"not {self.name}" if self.negated else self.name


@runtime_checkable
class MeasuredWords(Protocol):
    """What an embedder without a learned text-to-image model may offer instead: words of a query that
    the measurements in its image vectors decide (the builtin embedder: night, snow, colours...)."""

    def find(self, text: str) -> list[FoundWord]:
        """The vocabulary words of a text."""
        ...

    def scores(self, found: list[FoundWord], vectors: np.ndarray) -> np.ndarray:
        """[N, len(found)] in 0..1: how far each stored image vector meets each word."""
        ...

    def probe(self, found: list[FoundWord]) -> np.ndarray:
        """A query vector in the image space whose cosine ranks images by the words' measurements."""
        ...

    def unchanged(self, found: list[FoundWord]) -> np.ndarray:
        """A 0/1 mask over the image vector: the parts the words leave alone ("the same" for them)."""
        ...


def measured_words(embedder: Any) -> MeasuredWords | None:
    """The embedder's measured-words vocabulary, or None (cross-modal embedders read text as pixels
    directly; others simply have none)."""
    vocabulary = getattr(embedder, "measured_words", None)
    return vocabulary if isinstance(vocabulary, MeasuredWords) else None


def l2_normalize(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Unit vectors along ``axis`` (zero vectors stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norm = np.linalg.norm(x, axis=axis, keepdims=True)
    return x / np.maximum(norm, 1e-12)


def pool_tokens(tokens: np.ndarray, k: int, iterations: int = 8) -> np.ndarray:
    """A handful of cluster means of one image's token vectors ([t, d] -> [k, d], normalised).

    The first stage of late interaction searches these (cheap); the full tokens only rescore.
    Deterministic: k-means seeded with evenly spaced tokens.
    """
    t = tokens.shape[0]
    if t <= k:
        return l2_normalize(tokens)
    centers = tokens[np.linspace(0, t - 1, k).astype(int)].copy()
    for _ in range(iterations):
        assign = np.argmax(tokens @ centers.T, axis=1)
        for j in range(k):
            members = tokens[assign == j]
            if len(members):
                centers[j] = members.mean(axis=0)
        centers = l2_normalize(centers)
    return centers.astype(np.float32)
