"""Runners for the retrieval benchmarks: text → image, composed (image + text) and dialogue.

Each runner turns a loaded benchmark into items, asks the predictor for one JSON-serialisable record
per item, and scores the records; composed server splits are also written in the servers' formats.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from artscope.datasets.retrieval import ComposedQuery, ComposedSet, DialogueSet, ImageTextSet
from artscope.errors import InvalidInputError
from artscope.metrics import hits_at_k_per_round, map_at_k, recall_at_k, recall_subset_at_k
from artscope.tasks.eval.benchmarks import BenchmarkSpec
from artscope.tasks.eval.predictor import GalleryImage, Predictor

SUBMISSION_SIZE = 50
"""Both CIRR's and CIRCO's servers take the top 50 per query."""
CIRR_SUBSET_SIZE = 3
DIALOGUE_K = 10
_METRIC = re.compile(r"^(recall|recall_subset|map)@(\d+)$")

Records = Mapping[str, Mapping[str, Any]]


def _ks(spec: BenchmarkSpec, kind: str) -> list[int]:
    return [int(m.group(2)) for m in map(_METRIC.match, spec.metrics) if m and m.group(1) == kind]


class TextToImage:
    """Flickr30K / COCO text → image: every caption is a query, its own image the one target."""

    def gallery(self, data: ImageTextSet) -> list[GalleryImage]:
        return [GalleryImage(item.image_id, item.image) for item in data.items]

    def items(self, data: ImageTextSet) -> list[tuple[str, Any]]:
        return [(f"{item.image_id}#{n}", (caption, item.image_id))
                for item in data.items for n, caption in enumerate(item.captions)]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: ImageTextSet, item: Any) -> dict:
        caption, _ = item
        return {"ranking": predictor.rank(text=caption, k=max(_ks(spec, "recall")))}

    def score(self, spec: BenchmarkSpec, data: ImageTextSet, records: Records) -> dict[str, float]:
        truth = dict(self.items(data))
        ids = list(records)
        rankings = [records[i]["ranking"] for i in ids]
        relevant = [{truth[i][1]} for i in ids]
        return {f"recall@{k}": recall_at_k(rankings, relevant, k) for k in _ks(spec, "recall")}

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        return []


class Composed:
    """CIRR, CIRCO and FashionIQ: reference image + modification text → target image(s)."""

    def gallery(self, data: ComposedSet) -> list[GalleryImage]:
        return [GalleryImage(key, path) for key, path in data.gallery.items()]

    def items(self, data: ComposedSet) -> list[tuple[str, Any]]:
        return [(query.query_id, query) for query in data.queries]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: ComposedSet, query: ComposedQuery) -> dict:
        reference = data.gallery[query.reference]
        ranking = predictor.rank(text=query.text, image=reference, k=SUBMISSION_SIZE + 1)
        if spec.exclude_reference:
            ranking = [key for key in ranking if key != query.reference]
        record: dict[str, Any] = {"ranking": ranking[:SUBMISSION_SIZE]}
        if query.subset:
            # CIRR ranks the subset itself, so members beyond the global top 50 still count
            members = [key for key in query.subset if key != query.reference]
            record["subset_ranking"] = predictor.rank(text=query.text, image=reference, k=len(members),
                                                      within=members)
        return record

    def score(self, spec: BenchmarkSpec, data: ComposedSet, records: Records) -> dict[str, float]:
        queries = {query.query_id: query for query in data.queries}
        ids = [i for i in records if queries[i].target is not None]
        if not ids:
            raise InvalidInputError(f"{spec.name} has no ground truth to score; submit the written file to "
                                    "the benchmark's server instead.")
        rankings = [records[i]["ranking"] for i in ids]
        # Recall counts the single target (CIRCO's target_img_id); mAP counts every ground truth
        targets = [{queries[i].target} for i in ids]
        metrics = {f"recall@{k}": recall_at_k(rankings, targets, k) for k in _ks(spec, "recall")}
        metrics |= {f"map@{k}": map_at_k(rankings, [set(queries[i].targets) for i in ids], k)
                    for k in _ks(spec, "map")}
        subsets = [records[i].get("subset_ranking", []) for i in ids]
        members = [set(queries[i].subset) for i in ids]
        metrics |= {f"recall_subset@{k}": recall_subset_at_k(subsets, targets, members, k)
                    for k in _ks(spec, "recall_subset")}
        return metrics

    def submissions(self, spec: BenchmarkSpec, data: ComposedSet, records: Records, out: Path) -> list[Path]:
        ids = [query.query_id for query in data.queries if query.query_id in records]
        if spec.submission == "cirr":
            recall = {"version": "rc2", "metric": "recall"} | {i: records[i]["ranking"][:SUBMISSION_SIZE]
                                                              for i in ids}
            subset = {"version": "rc2", "metric": "recall_subset"} | {
                i: records[i].get("subset_ranking", [])[:CIRR_SUBSET_SIZE] for i in ids}
            return [_write_json(out.with_name(f"{out.stem}.cirr_recall.json"), recall),
                    _write_json(out.with_name(f"{out.stem}.cirr_recall_subset.json"), subset)]
        if spec.submission == "circo":
            # CIRCO's server expects integer COCO image ids, as in its submission examples
            submission = {i: [int(key) for key in records[i]["ranking"][:SUBMISSION_SIZE]] for i in ids}
            return [_write_json(out.with_name(f"{out.stem}.circo_submission.json"), submission)]
        return []


class Dialogue:
    """ChatIR's protocol: after round t the query is the caption and the first t rounds joined by ", "."""

    def gallery(self, data: DialogueSet) -> list[GalleryImage]:
        return [GalleryImage(key, path) for key, path in data.gallery.items()]

    def items(self, data: DialogueSet) -> list[tuple[str, Any]]:
        return [(query.query_id, query) for query in data.queries]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: DialogueSet, query: Any) -> dict:
        rankings = [predictor.rank(text=", ".join(query.turns[: rounds + 1]), k=DIALOGUE_K)
                    for rounds in range(len(query.turns))]
        return {"rankings": rankings}

    def score(self, spec: BenchmarkSpec, data: DialogueSet, records: Records) -> dict[str, float]:
        targets = {query.query_id: query.target for query in data.queries}
        ids = list(records)
        hits = hits_at_k_per_round([records[i]["rankings"] for i in ids], [targets[i] for i in ids], DIALOGUE_K)
        return {f"hits@{DIALOGUE_K}_round{r}": value for r, value in enumerate(hits)}

    def submissions(self, spec: BenchmarkSpec, data: Any, records: Records, out: Path) -> list[Path]:
        return []


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path
