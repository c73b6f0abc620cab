"""Aesthetics: a total score (0–100), seven dimensions, a 1–10 distribution and grounded comments.

``score(collection, image)`` (what ``Collection.score`` calls) and the collection-free
``score_image(image)``; training lives in ``artscope.tasks.aesthetics.training``.
"""

from artscope.tasks.aesthetics.result import (
    DIMENSION_KEYS,
    DIMENSIONS,
    AestheticResult,
    Measurement,
    Sentence,
)
from artscope.tasks.aesthetics.scoring import score, score_image

__all__ = [
    "DIMENSIONS",
    "DIMENSION_KEYS",
    "AestheticResult",
    "Measurement",
    "Sentence",
    "score",
    "score_image",
]
