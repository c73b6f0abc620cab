"""What every benchmark runner does: the pool to index, the items, one prediction per item, the scores,
and any server submission files. Runners override what their task needs; the rest does nothing."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from artscope.tasks.eval.benchmarks import BenchmarkSpec
from artscope.tasks.eval.predictor import GalleryImage, Predictor

Records = Mapping[str, Mapping[str, Any]]
"""Item id → the JSON record predicted for it."""


class BenchmarkTask:
    """The steps ``run_benchmark`` calls, in order: gallery → prepare → items → predict → score → submissions."""

    def gallery(self, data: Any) -> list[GalleryImage]:
        """The images the model indexes before predicting (none by default)."""
        return []

    def prepare(self, predictor: Predictor, spec: BenchmarkSpec, data: Any) -> None:
        """Anything the model must learn from the indexed pool before it predicts (nothing by default)."""

    def items(self, data: Any) -> list[tuple[str, Any]]:
        """(item id, item) pairs, in the benchmark's order."""
        raise NotImplementedError

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: Any, item: Any) -> dict:
        """One JSON-serialisable record for one item."""
        raise NotImplementedError

    def score(self, spec: BenchmarkSpec, data: Any, records: Records) -> dict[str, float]:
        """The benchmark's metrics over the predicted records."""
        raise NotImplementedError

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        """Files for a benchmark's server (none by default)."""
        return []
