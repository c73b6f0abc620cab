"""Evaluation metrics, each matching a reference implementation or a paper's definition (see docs/eval.md).

Inputs are plain Python sequences or numpy arrays; outputs are floats in the units the reference
implementations use (fractions, not percentages; CIDEr-D on its own scale).
"""

from artscope.metrics.answers import (
    exact_match,
    museum_precision_recall,
    squad_normalize,
    token_f1,
    vqa_accuracy,
    vqa_normalize,
)
from artscope.metrics.classification import (
    accuracy,
    expected_calibration_error,
    macro_f1,
    top_k_accuracy,
)
from artscope.metrics.correlation import binary_accuracy, emd, plcc, plcc_logistic, srcc
from artscope.metrics.retrieval import (
    average_precision_at_k,
    hits_at_k_per_round,
    map_at_k,
    ndcg_at_k,
    recall_at_k,
    recall_subset_at_k,
)
from artscope.metrics.text import bleu, cider_d, meteor, ptb_tokenize, rouge_l

__all__ = [
    "accuracy",
    "average_precision_at_k",
    "binary_accuracy",
    "bleu",
    "cider_d",
    "emd",
    "exact_match",
    "expected_calibration_error",
    "hits_at_k_per_round",
    "macro_f1",
    "map_at_k",
    "meteor",
    "museum_precision_recall",
    "ndcg_at_k",
    "plcc",
    "plcc_logistic",
    "ptb_tokenize",
    "recall_at_k",
    "recall_subset_at_k",
    "rouge_l",
    "squad_normalize",
    "srcc",
    "token_f1",
    "top_k_accuracy",
    "vqa_accuracy",
    "vqa_normalize",
]
