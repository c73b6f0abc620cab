"""The evaluation task: standard benchmarks, read from their own layouts, run through artscope's public
task methods and scored with ``artscope.metrics`` (see docs/eval.md)."""

from artscope.tasks.eval.benchmarks import BenchmarkSpec, benchmarks
from artscope.tasks.eval.predictor import AestheticPrediction, CollectionPredictor, GalleryImage, Predictor
from artscope.tasks.eval.runner import EvalResult, read_predictions, run_benchmark

__all__ = ["AestheticPrediction", "BenchmarkSpec", "CollectionPredictor", "EvalResult", "GalleryImage", "Predictor",
           "benchmarks", "read_predictions", "run_benchmark"]
