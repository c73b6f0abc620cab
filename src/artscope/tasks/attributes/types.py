"""Request and result types of the attributes task (the CLI, the Python API and HTTP speak these)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from artscope.errors import InvalidInputError
from artscope.heads.attributes import HeadConfig
from artscope.tasks.attributes.calibration import FieldMetrics
from artscope.tasks.attributes.data import DEFAULT_FIELDS, DEFAULT_PERIOD_EDGES

MODEL_NAME = "artscope-attributes-licn"
DEFAULT_THRESHOLD = 0.25
"""Below this calibrated probability the answer is "unknown" (the user sets their own)."""
UNKNOWN = "unknown"
Split = Literal["train", "val", "test"]


class AttributesConfig(BaseModel):
    """What ``train`` learns and how it holds data out."""

    fields: list[str] = Field(default_factory=lambda: list(DEFAULT_FIELDS))
    """Categorical fields to predict; fields with fewer than two labels in the catalogue are skipped."""
    period_edges: list[int] = Field(default_factory=lambda: list(DEFAULT_PERIOD_EDGES))
    head: HeadConfig = Field(default_factory=HeadConfig)
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    seed: int = 0
    """Seeds the split (the head's own seed is ``head.seed``)."""
    extra_labels: dict[str, list[str]] = Field(default_factory=dict)
    """Field -> class names known beyond the catalogue's (a dataset's class list): open-set classes."""
    fixed_split: dict[str, Split] = Field(default_factory=dict)
    """Artwork id -> split, for benchmarks with an official one; other artworks are split by ``seed``."""

    def check(self) -> None:
        """Raise ``InvalidInputError`` on settings no training run can use."""
        if not self.fields:
            raise InvalidInputError("Name at least one field to predict, e.g. --fields artist,style,genre.")
        if not (0 <= self.val_fraction < 1 and 0 <= self.test_fraction < 1
                and self.val_fraction + self.test_fraction < 1):
            raise InvalidInputError("val_fraction and test_fraction must be in [0, 1) and sum to less "
                                    "than 1.")
        if sorted(set(self.period_edges)) != list(self.period_edges) or not self.period_edges:
            raise InvalidInputError(f"Period edges must be increasing years, e.g. 1400,1600,1800,1900; "
                                    f"got {self.period_edges}.")
        if self.head.prototypes < 1 or self.head.epochs < 1 or self.head.batch_size < 1:
            raise InvalidInputError("prototypes, epochs and batch_size must each be at least 1.")


class FieldReport(BaseModel):
    """One field of a training run: its data and its held-out metrics against two baselines."""

    field: str
    classes: int
    open_set_classes: int
    """Classes without any training image (scored through their names only, when cross-modal)."""
    train: int
    val: int
    test: int
    head: FieldMetrics | None = None
    majority: FieldMetrics | None = None
    knn: FieldMetrics | None = None
    fusion_weight: float
    temperature: float


class SkippedField(BaseModel):
    field: str
    reason: str


class TrainReport(BaseModel):
    """What ``artscope train attributes`` prints and stores in the head's JSON."""

    fields: list[FieldReport]
    skipped: list[SkippedField] = Field(default_factory=list)
    images: int
    artworks: int
    split: dict[str, int]
    """Images per split."""
    epochs: int
    seconds: float
    embedder: str
    model: str = MODEL_NAME
    version: str = ""
    head_path: str = ""


class LabelProbability(BaseModel):
    label: str
    probability: float


class FieldPrediction(BaseModel):
    """A predicted value of one field: always a prediction, never the catalogue's own metadata."""

    field: str
    label: str
    """The most probable label, or "unknown" when its probability is below the threshold."""
    probability: float
    """Calibrated probability of the most probable label."""
    unknown: bool
    top_k: list[LabelProbability]
    curated: str | None = None
    """The catalogue's own value, when the image is an artwork of the collection that has one."""
    kind: Literal["prediction"] = "prediction"


class Description(BaseModel):
    """The predicted attributes of one image."""

    artwork_id: str | None = None
    """Set when the image is (a view of) an artwork of the collection."""
    fields: list[FieldPrediction]
    model: str = MODEL_NAME
    version: str
    embedder: str
    threshold: float
    took_ms: float = 0.0

    def field(self, name: str) -> FieldPrediction:
        """The prediction of one field."""
        for prediction in self.fields:
            if prediction.field == name:
                return prediction
        raise KeyError(name)


class DescribeAllSummary(BaseModel):
    """What ``artscope describe --all`` wrote to the catalogue's predictions."""

    artworks: int
    predictions: int
    fields: list[str]
    model: str = MODEL_NAME
    version: str
    seconds: float


__all__ = ["DEFAULT_THRESHOLD", "MODEL_NAME", "UNKNOWN", "AttributesConfig", "DescribeAllSummary",
           "Description", "FieldPrediction", "FieldReport", "LabelProbability", "SkippedField", "Split",
           "TrainReport"]
