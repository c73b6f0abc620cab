"""Runners for the retrieval benchmarks: text → image, image → text, composed (image + text) and dialogue.

Each runner turns a loaded benchmark into items, asks the predictor for one JSON-serialisable record
per item, and scores the records; composed server splits are also written in the servers' formats.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from artscope.datasets.retrieval import ComposedQuery, ComposedSet, DialogueSet, ImageTextSet
from artscope.errors import InvalidInputError
from artscope.metrics import average_precision_at_k, hits_at_k_per_round, map_at_k, recall_at_k, recall_subset_at_k
from artscope.tasks.eval.benchmarks import BenchmarkSpec
from artscope.tasks.eval.predictor import GalleryImage, GalleryText, Predictor
from artscope.tasks.eval.task import BenchmarkTask, Records

SUBMISSION_SIZE = 50
"""Both CIRR's and CIRCO's servers take the top 50 per query."""
CIRR_SUBSET_SIZE = 3
DIALOGUE_K = 10
_METRIC = re.compile(r"^(recall|recall_subset|map)@(\d+)$")
CIRCO_ASPECT_K = 10
"""CIRCO reports mAP@10 per semantic aspect."""


def _ks(spec: BenchmarkSpec, kind: str) -> list[int]:
    return [int(m.group(2)) for m in map(_METRIC.match, spec.metrics) if m and m.group(1) == kind]


class TextToImage(BenchmarkTask):
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


class ImageToText(BenchmarkTask):
    """Flickr30K / COCO image → text: every image is a query, its own captions (five) the targets; the
    pool is every caption of the split, as ImageScope and CLIP report it."""

    def prepare(self, predictor: Predictor, spec: BenchmarkSpec, data: ImageTextSet) -> None:
        predictor.index_texts([GalleryText(f"{item.image_id}#{n}", caption)
                               for item in data.items for n, caption in enumerate(item.captions)])

    def items(self, data: ImageTextSet) -> list[tuple[str, Any]]:
        return [(item.image_id, item) for item in data.items]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: ImageTextSet, item: Any) -> dict:
        return {"ranking": predictor.rank_texts(item.image, k=max(_ks(spec, "recall")))}

    def score(self, spec: BenchmarkSpec, data: ImageTextSet, records: Records) -> dict[str, float]:
        captions = {item.image_id: {f"{item.image_id}#{n}" for n in range(len(item.captions))} for item in data.items}
        ids = list(records)
        rankings = [records[i]["ranking"] for i in ids]
        return {f"recall@{k}": recall_at_k(rankings, [captions[i] for i in ids], k) for k in _ks(spec, "recall")}


class Composed(BenchmarkTask):
    """CIRR, CIRCO and FashionIQ: reference image + modification text → target image(s)."""

    def gallery(self, data: ComposedSet) -> list[GalleryImage]:
        return [GalleryImage(key, path) for key, path in data.gallery.items()]

    def items(self, data: ComposedSet) -> list[tuple[str, Any]]:
        return [(query.query_id, query) for query in data.queries]

    def predict(self, predictor: Predictor, spec: BenchmarkSpec, data: ComposedSet, query: ComposedQuery) -> dict:
        reference = data.gallery[query.reference]
        # FashionIQ's categories each rank their own gallery
        within = data.pools[query.pool] if query.pool is not None and len(data.pools) > 1 else None
        ranking = predictor.rank(text=query.text, image=reference, k=SUBMISSION_SIZE + 1, within=within)
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
        if any(queries[i].aspects for i in ids):
            metrics |= _aspect_map(rankings, [queries[i] for i in ids])
        if data.pools:
            metrics = _pool_averages(metrics, spec, data, records, ids)
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


def _aspect_map(rankings: list[list[str]], queries: list[ComposedQuery]) -> dict[str, float]:
    """CIRCO's semantic-aspect mAP@10: the mean AP@10 of the queries annotated with each aspect."""
    per_aspect: dict[str, list[float]] = {}
    for ranking, query in zip(rankings, queries, strict=True):
        ap = average_precision_at_k(ranking, set(query.targets), CIRCO_ASPECT_K)
        for aspect in query.aspects:
            per_aspect.setdefault(aspect, []).append(ap)
    return {f"map@{CIRCO_ASPECT_K}/{aspect}": float(np.mean(aps)) for aspect, aps in sorted(per_aspect.items())}


def _pool_averages(metrics: dict[str, float], spec: BenchmarkSpec, data: ComposedSet, records: Records,
                   ids: list[str]) -> dict[str, float]:
    """FashionIQ's headline numbers: Recall@K per category, their mean over the categories, and the mean
    of the averaged Recall@10 and Recall@50 (CLIP4Cir's "average")."""
    queries = {query.query_id: query for query in data.queries}
    out: dict[str, float] = {}
    for k in _ks(spec, "recall"):
        per_pool = {}
        for pool in data.pools:
            members = [i for i in ids if queries[i].pool == pool]
            if members:
                per_pool[pool] = recall_at_k([records[i]["ranking"] for i in members],
                                             [{queries[i].target} for i in members], k)
        out |= {f"recall@{k}/{pool}": value for pool, value in per_pool.items()}
        out[f"recall@{k}"] = float(np.mean(list(per_pool.values())))
    out["average"] = float(np.mean([out[f"recall@{k}"] for k in _ks(spec, "recall")]))
    return out


class Dialogue(BenchmarkTask):
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


def _write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return path
