"""``run_benchmark``: load a benchmark, predict item by item into a JSONL file (resumable), score,
and write the metrics (JSON), a markdown table and any server submission files."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from artscope.errors import EmbedderMismatchError, InvalidInputError
from artscope.tasks.eval.benchmarks import BenchmarkSpec, benchmarks
from artscope.tasks.eval.image_tasks import Aesthetics, Attributes
from artscope.tasks.eval.predictor import CollectionPredictor, Predictor
from artscope.tasks.eval.retrieval_tasks import Composed, Dialogue, ImageToText, TextToImage
from artscope.tasks.eval.task import BenchmarkTask
from artscope.tasks.eval.text_tasks import Captioning, QuestionAnswering

log = logging.getLogger(__name__)

TASKS: dict[str, BenchmarkTask] = {
    "text_to_image": TextToImage(), "image_to_text": ImageToText(), "composed": Composed(), "dialogue": Dialogue(),
    "attributes": Attributes(), "aesthetics": Aesthetics(), "captioning": Captioning(), "qa": QuestionAnswering(),
}
Progress = Callable[[str, int, int | None], None]
"""``progress(stage, done, total)`` with stage ``"indexing"`` or ``"predicting"``."""


class EvalResult(BaseModel):
    """What a run produced: the metrics and where every output file is."""

    benchmark: str
    model: str
    items: int
    """Items scored (all predicted items of the benchmark, after ``limit``)."""
    metrics: dict[str, float] = Field(default_factory=dict)
    predictions: Path
    metrics_file: Path
    table_file: Path
    submissions: list[Path] = Field(default_factory=list)
    seconds: float = 0.0


class OutputPaths(BaseModel):
    """``results.json`` → ``results.predictions.jsonl``, ``results.md``, ``results.work/``."""

    metrics: Path

    @property
    def predictions(self) -> Path:
        return self.metrics.with_name(f"{self.metrics.stem}.predictions.jsonl")

    @property
    def table(self) -> Path:
        return self.metrics.with_suffix(".md")

    @property
    def workdir(self) -> Path:
        return self.metrics.with_name(f"{self.metrics.stem}.work")


def read_predictions(path: Path, model: str) -> dict[str, dict]:
    """Records already written by an earlier run of the same model, keyed by item id.

    A run killed mid-write leaves a partial last line: it is cut off so that appending goes on cleanly.
    """
    if not path.exists():
        return {}
    records: dict[str, dict] = {}
    good_bytes = 0
    with path.open("rb") as f:
        for line in f:
            try:
                record = json.loads(line)
            except (json.JSONDecodeError, UnicodeDecodeError):
                break
            if not line.endswith(b"\n"):
                break
            if record.get("model") != model:
                raise EmbedderMismatchError(
                    f"{path} holds predictions of {record.get('model')!r}, not {model!r}: pass "
                    f"--model {record.get('model')} to resume it, or another --out.")
            records[record["id"]] = record
            good_bytes += len(line)
    if good_bytes < path.stat().st_size:
        log.warning("dropping a partial last line of %s (the previous run was interrupted)", path)
        with path.open("r+b") as f:
            f.truncate(good_bytes)
    return records


def run_benchmark(name: str, data_dir: Path, model: str = "builtin", out: Path | None = None,
                  limit: int | None = None, predictor: Predictor | None = None,
                  progress: Progress | None = None, options: dict[str, Any] | None = None) -> EvalResult:
    """Evaluate ``model`` on benchmark ``name`` read from ``data_dir`` (see ``artscope eval --list``).

    ``predictor`` replaces the default :class:`CollectionPredictor` (a collection built with ``model``
    under ``<out>.work/``); ``model`` still labels the predictions. ``options`` are the loader options
    the benchmark takes (``scale`` for ``artimuse-10k``).
    """
    started = time.perf_counter()
    spec = benchmarks.get(name)
    if limit is not None and limit < 1:
        raise InvalidInputError(f"--limit must be at least 1, got {limit}.")
    paths = OutputPaths(metrics=Path(out) if out else Path(f"{name}.results.json"))
    paths.metrics.parent.mkdir(parents=True, exist_ok=True)
    task = TASKS[spec.task]
    data = spec.load(Path(data_dir).absolute(), options)
    items = task.items(data)[:limit]
    done = read_predictions(paths.predictions, model)
    pending = [(item_id, item) for item_id, item in items if item_id not in done]
    if pending:
        owned = predictor is None
        active = CollectionPredictor(paths.workdir, model) if owned else predictor
        try:
            _predict(task, spec, data, active, pending, paths.predictions, model, done, progress)
        finally:
            if owned:
                active.close()
    records = {item_id: done[item_id] for item_id, _ in items if item_id in done}
    metrics = task.score(spec, data, records) if spec.metrics and records else {}
    submissions = task.submissions(spec, data, records, paths.metrics)
    result = EvalResult(benchmark=name, model=model, items=len(records), metrics=metrics,
                        predictions=paths.predictions, metrics_file=paths.metrics, table_file=paths.table,
                        submissions=submissions, seconds=time.perf_counter() - started)
    paths.metrics.write_text(result.model_dump_json(indent=2), encoding="utf-8")
    paths.table.write_text(markdown_table(spec, result), encoding="utf-8")
    return result


def _predict(task: BenchmarkTask, spec: BenchmarkSpec, data: Any, predictor: Predictor,
             pending: list[tuple[str, Any]], predictions: Path, model: str, done: dict[str, dict],
             progress: Progress | None) -> None:
    """Index the benchmark's pool if it has one and learn what the task needs from it, then append one
    record per item, flushed as it goes."""
    gallery = task.gallery(data)
    if gallery:
        predictor.index(gallery, progress=(lambda n, total: progress("indexing", n, total)) if progress else None)
    task.prepare(predictor, spec, data)
    with predictions.open("a", encoding="utf-8") as f:
        for count, (item_id, item) in enumerate(pending, start=1):
            record = {"id": item_id, "model": model, **task.predict(predictor, spec, data, item)}
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            f.flush()  # each finished item survives a kill: the next run resumes after it
            done[item_id] = record
            if progress:
                progress("predicting", count, len(pending))


def markdown_table(spec: BenchmarkSpec, result: EvalResult) -> str:
    """The metrics as papers print them (×100, two decimals), with the run's provenance."""
    lines = [f"## {spec.name} — {result.model}", "",
             f"Task: {spec.task}; {result.items} items; predictions: `{result.predictions.name}`.", ""]
    if result.metrics:
        lines += ["| metric | value (×100) |", "|---|---:|"]
        lines += [f"| {metric} | {value * 100:.2f} |" for metric, value in result.metrics.items()]
    else:
        lines.append("No ground truth for this split: submit the files below to the benchmark's server.")
    for path in result.submissions:
        lines.append(f"- submission: `{path.name}`")
    return "\n".join(lines) + "\n"
