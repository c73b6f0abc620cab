"""The shapes of an aesthetic assessment: measurements, grounded sentences, dimension scores.

Every sentence of a comment or description names the measurement keys it rests on (``cites``), and
every cited key is in ``AestheticResult.measurements``: a reader (or a test) can check each claim
against the number behind it.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

# The seven dimensions, in ArtiMuse's order: short keys for the API, ArtiMuse's exact names for
# its ``/infer`` shape (``to_artimuse``).
DIMENSIONS: dict[str, str] = {
    "composition": "Composition & Design",
    "visual_elements": "Visual Elements & Structure",
    "technical": "Technical Execution",
    "originality": "Originality & Creativity",
    "theme": "Theme & Communication",
    "emotion": "Emotion & Viewer Response",
    "gestalt": "Overall Gestalt",
}
DIMENSION_KEYS: tuple[str, ...] = tuple(DIMENSIONS)
BINS = 10
"""The score distribution has ten bins, for the scores 1..10 (AVA's scale)."""

MeasuredValue = float | str | list[float] | list[str]


class Measurement(BaseModel):
    """One measured quantity, with its unit and how it was measured."""

    value: MeasuredValue
    unit: str
    about: str
    """What was measured, and how (one line)."""


class Sentence(BaseModel):
    """One claim, with the keys of the measurements it states."""

    text: str
    """The claim with its measured numbers."""
    cites: list[str]
    plain: str | None = None
    """The same claim in plain words for visitors (no numbers, no jargon); the web page shows it and
    keeps ``text`` and the cited measurements one click away."""


class Description(BaseModel):
    """ArtQuant's three levels: what is seen, how it is organised, what it evokes."""

    perception: list[Sentence] = Field(default_factory=list)
    cognition: list[Sentence] = Field(default_factory=list)
    emotion: list[Sentence] = Field(default_factory=list)

    def sentences(self) -> list[Sentence]:
        """All three levels' sentences, in order."""
        return [*self.perception, *self.cognition, *self.emotion]


class HeadInfo(BaseModel):
    """Which trained head calibrated the scores."""

    name: str
    data_source: str
    trained_at: str
    dimensions: list[str] = Field(default_factory=list)
    """The dimensions the head predicts (the others stay measured and uncalibrated)."""


class AestheticResult(BaseModel):
    """Total (0–100), seven dimensions (0–100), a distribution over 1..10, grounded comments."""

    total: float
    dimensions: dict[str, float | None]
    """Keyed by ``DIMENSION_KEYS``; None where the dimension could not be measured."""
    distribution: list[float]
    """Probabilities of the scores 1..10; ``total = (Σ k·p_k − 1) / 9 × 100``."""
    comments: dict[str, list[Sentence]]
    description: Description
    measurements: dict[str, Measurement]
    calibrated: bool
    """False until a head trained on scored data produced the total and distribution."""
    head: HeadInfo | None = None
    dimension_sources: dict[str, str] = Field(default_factory=dict)
    """Per dimension: ``measured`` (uncalibrated rules over the measurements) or ``head``."""
    backend: str = "builtin"
    not_measured: dict[str, str] = Field(default_factory=dict)
    """Dimension or measurement -> why it was not measured."""
    notes: list[str] = Field(default_factory=list)
    artwork_id: str | None = None

    def cited_keys(self) -> set[str]:
        """Every measurement key that some sentence cites."""
        sentences = [s for items in self.comments.values() for s in items] + self.description.sentences()
        return {key for sentence in sentences for key in sentence.cites}

    def to_artimuse(self) -> dict[str, Any]:
        """ArtiMuse's ``/infer`` response: ``total_score`` and, per dimension name, a score and a comment.

        A dimension that was not measured has a null score and an empty comment.
        """
        scores = {DIMENSIONS[k]: (None if v is None else round(v, 3)) for k, v in self.dimensions.items()}
        comments = {DIMENSIONS[k]: " ".join(s.text for s in self.comments.get(k, [])) for k in DIMENSIONS}
        return {"total_score": round(self.total, 3), "aspect_scores": scores, "aspect_comments": comments}
