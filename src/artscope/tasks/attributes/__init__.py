"""The attributes task: predict artist, style, genre, medium and period from stored image vectors.

``train`` fits the late-interaction heads on the catalogue's own labels; ``describe`` predicts the
fields of any image with calibrated probabilities; ``describe_all`` stores predictions for every
artwork in the catalogue (as predictions, never over curated metadata).
"""

from artscope.tasks.attributes.describe import describe, describe_all, load_attribute_head
from artscope.tasks.attributes.train import train
from artscope.tasks.attributes.types import (
    AttributesConfig,
    DescribeAllSummary,
    Description,
    FieldPrediction,
    FieldReport,
    LabelProbability,
    TrainReport,
)

__all__ = ["AttributesConfig", "DescribeAllSummary", "Description", "FieldPrediction", "FieldReport",
           "LabelProbability", "TrainReport", "describe", "describe_all", "load_attribute_head", "train"]
