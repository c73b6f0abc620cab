"""The shapes of an answer: its text, what it cites, how sure it is, and the steps that led to it.

Shared by the Python API, the CLI and the HTTP service (pydantic, so all three speak JSON alike).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

NOT_IN_RECORDS = "Not in the collection's records."
"""What an answer says when nothing in the collection supports one."""


class QuestionKind(StrEnum):
    """What a question asks for: MUSEUM-65's attribute categories plus collection-level questions."""

    TITLE = "title"
    CREATOR = "creator"
    DATE = "date"
    PLACE = "place"
    MATERIAL = "material"
    TYPE = "type"
    SUBJECT = "subject"
    COLLECTION = "collection"
    DIMENSIONS = "dimensions"
    LANGUAGE = "language"
    LICENSE = "license"
    STYLE = "style"
    VISUAL = "visual"
    """About what the picture looks like (colour, light, composition): records rarely say."""
    DESCRIPTION = "description"
    """Open questions, answered from passages."""
    COUNT = "count"
    LIST = "list"


class Flag(StrEnum):
    """Marks on an answer that a reader (or a client) should see."""

    CITATIONS_REMOVED = "citations-removed"
    """The model cited record fields or passages that do not exist; they were taken out."""
    UNSUPPORTED = "unsupported-claims-removed"
    """Sentences whose cited evidence does not say what they claim were taken out."""
    UNCHECKED = "partly-unchecked"
    """Part of the question could not be checked against the collection (a list's condition for works
    with no text about it, whose pictures the embedder cannot read for it)."""
    UNGROUNDED = "ungrounded"
    """No claim of the answer is backed by a valid citation."""
    FELL_BACK = "fell-back-to-model-free"
    """The language model was unavailable; the model-free answerer answered instead."""
    MALFORMED_TOOL_CALLS = "malformed-tool-calls"
    """The model made tool calls that could not be run (bad JSON, unknown tool, bad arguments)."""
    STEP_LIMIT = "step-limit-reached"
    NOT_IN_COLLECTION = "probably-not-in-collection"
    """The query image matched no artwork of the collection well."""
    PREDICTION = "uses-predictions"
    """Part of the answer is a model's prediction or a measurement, not a catalogue statement."""
    NO_ANSWER = "no-answer"


WARNINGS: dict[Flag, str] = {
    Flag.CITATIONS_REMOVED: "Some sources the answer named do not exist and were left out.",
    Flag.UNSUPPORTED: "Some sentences were not backed by the sources they cited and were left out.",
    Flag.UNGROUNDED: "Nothing in this answer is backed by the collection's records: treat it with care.",
    Flag.FELL_BACK: "The language model was not available; the answer comes straight from the records.",
    Flag.MALFORMED_TOOL_CALLS: "Some look-ups could not be made; the answer may be incomplete.",
    Flag.STEP_LIMIT: "The answer was given before every look-up was done; it may be incomplete.",
    Flag.NOT_IN_COLLECTION: "The pictured work is probably not in the collection.",
    Flag.PREDICTION: "Part of this answer is a model's prediction or a measurement of the image, not a "
                     "statement of the records.",
    Flag.UNCHECKED: "Part of the question could not be checked against the collection.",
    Flag.NO_ANSWER: "The collection's records do not answer this.",
}
"""What each flag means, in words a visitor understands."""


class Citation(BaseModel):
    """Where a claim comes from: a field of a catalogue record, a passage, or a prediction."""

    kind: Literal["record-field", "passage", "prediction"]
    artwork_id: str | None = None
    field: str | None = None
    """The record field (``artists``, ``date``...), or for predictions the attribute or measurement."""
    passage_id: str | None = None
    source: str | None = None
    """Provenance: the passage's source, the catalogue the record came from, or the predicting model."""
    quote: str | None = None
    """The cited value or sentence."""
    probability: float | None = None
    """For predictions: the model's probability for the predicted value."""

    @property
    def marker(self) -> str:
        """The marker an answer text uses for this citation."""
        if self.kind == "passage":
            return f"[passage:{self.passage_id}]"
        if self.kind == "record-field":
            return f"[record:{self.artwork_id}.{self.field}]"
        return f"[prediction:{self.artwork_id or 'image'}.{self.field}]"


class Step(BaseModel):
    """One thing the answerer did: a tool call with its arguments and a short account of its result."""

    tool: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    result: str = ""
    error: str | None = None


class Identified(BaseModel):
    """For a question with an image: the artwork the image was matched to, and how well."""

    artwork_id: str | None = None
    title: str | None = None
    similarity: float = 0.0
    match: str | None = None
    """``exact`` (same file), ``near-duplicate``, ``similar``, or None when nothing matched."""
    in_collection: bool = False
    """False when the best match is too weak: the pictured work is probably not in the collection."""


class Answer(BaseModel):
    """An answer grounded in the collection. For field questions ``text`` starts with the bare value
    ("Vincent van Gogh."), then the supporting sentence, so exact-match scoring works."""

    question: str
    text: str
    kind: QuestionKind
    citations: list[Citation] = Field(default_factory=list)
    confidence: float = Field(ge=0.0, le=1.0)
    steps: list[Step] = Field(default_factory=list)
    identified: Identified | None = None
    artwork_id: str | None = None
    """The artwork the answer is about, when it is about one."""
    answerer: str = "model-free"
    """``model-free`` or ``llm:<model>``."""
    flags: list[Flag] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    """Plain-language remarks (why the model was not used, what was assumed)."""
    language: str | None = None
    """The question's language (ISO 639-1, e.g. ``fr``) when it can be told. Evidence is quoted in its
    own language, untranslated; a question in another language than English says so in ``notes``."""

    @property
    def answered(self) -> bool:
        return Flag.NO_ANSWER not in self.flags

    @computed_field  # type: ignore[prop-decorator]
    @property
    def warnings(self) -> list[str]:
        """The flags in plain words, for visitors (who never see the flag names)."""
        return [WARNINGS[f] for f in self.flags if f in WARNINGS]


class AskEvent(BaseModel):
    """One event of a streamed answer: a step, a piece of provisional text, or the final answer.

    Streamed text is provisional; the final ``answer`` event carries the checked text.
    """

    type: Literal["step", "delta", "answer"]
    step: Step | None = None
    text: str | None = None
    answer: Answer | None = None
