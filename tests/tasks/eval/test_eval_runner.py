"""The eval runner on tiny benchmarks written in their published layouts: predictions JSONL, resume,
metrics, markdown table and server submission files. ``ScriptedModel`` is a stand-in model under
evaluation (it answers from fixed tables), so each expected number can be worked out by hand."""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from artscope.datasets.retrieval import fashioniq_text
from artscope.errors import EmbedderMismatchError
from artscope.metrics import bleu, cider_d, rouge_l
from artscope.tasks.eval import AestheticPrediction, GalleryImage, run_benchmark
from artscope.tasks.eval.text_tasks import answer_value

DATA = Path(__file__).resolve().parents[2] / "data"


@dataclass
class ScriptedModel:
    """Ranks by a fixed table keyed by query text (default: the gallery in order)."""

    rankings: dict[str, list[str]] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)
    indexed: list[str] = field(default_factory=list)
    calls: int = 0

    def index(self, images: Sequence[GalleryImage], progress=None) -> None:
        self.indexed = [image.key for image in images]

    def rank(self, text=None, image=None, k=50, within=None) -> list[str]:
        self.calls += 1
        ranking = self.rankings.get(text, self.indexed)
        return [key for key in ranking if within is None or key in within][:k]

    def describe(self, image, attribute: str) -> dict[str, float]:
        raise NotImplementedError

    def score(self, image) -> AestheticPrediction:
        raise NotImplementedError

    def answer(self, question: str, image=None) -> str:
        self.calls += 1
        return self.answers.get(question, "")


def _flickr(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    rows = [("a.jpg", ["red boat", "a red boat at sea"]), ("b.jpg", ["blue house"]), ("c.jpg", ["green field"])]
    with (root / "flickr_annotations_30k.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["raw", "sentids", "split", "filename", "img_id"])
        for n, (name, captions) in enumerate(rows):
            writer.writerow([json.dumps(captions), "[]", "test", name, n])
    (root / "flickr30k-images").mkdir(exist_ok=True)
    return root


def test_text_to_image_metrics_and_outputs(tmp_path: Path) -> None:
    model = ScriptedModel(rankings={"red boat": ["a", "b", "c"], "a red boat at sea": ["b", "a", "c"],
                                    "blue house": ["c", "a", "b"], "green field": ["c", "b", "a"]})
    result = run_benchmark("flickr30k", _flickr(tmp_path / "data"), out=tmp_path / "out" / "r.json",
                           predictor=model)
    # rank of the target per caption: 1, 2, 3, 1
    assert result.metrics == {"recall@1": 0.5, "recall@5": 1.0, "recall@10": 1.0}
    lines = result.predictions.read_text().splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["a#0", "a#1", "b#0", "c#0"]
    assert json.loads(result.metrics_file.read_text())["metrics"]["recall@1"] == 0.5
    assert "| recall@1 | 50.00 |" in result.table_file.read_text()


def test_resume_skips_done_items_and_repairs_a_cut_line(tmp_path: Path) -> None:
    data, out = _flickr(tmp_path / "data"), tmp_path / "r.json"
    first = ScriptedModel()
    run_benchmark("flickr30k", data, out=out, predictor=first, limit=2)
    predictions = out.with_name("r.predictions.jsonl")
    with predictions.open("a") as f:
        f.write('{"id": "b#0", "model": "builtin", "rank')  # a run killed mid-write
    second = ScriptedModel()
    result = run_benchmark("flickr30k", data, out=out, predictor=second)
    assert second.calls == 2 and result.items == 4
    ids = [json.loads(line)["id"] for line in predictions.read_text().splitlines()]
    assert ids == ["a#0", "a#1", "b#0", "c#0"]
    with pytest.raises(EmbedderMismatchError, match="--model builtin"):
        run_benchmark("flickr30k", data, out=out, model="hf:other", predictor=ScriptedModel())


def _cirr(root: Path, split: str) -> Path:
    prefix = "dev" if split == "val" else "test1"
    members = [f"{prefix}-{n}" for n in range(6)]
    queries = []
    for pair_id, (reference, target) in enumerate([(members[0], members[1]), (members[2], members[3])]):
        entry = {"pairid": 100 + pair_id, "reference": reference, "caption": f"query {pair_id}",
                 "img_set": {"id": 1, "members": members, "reference_rank": 0}}
        if split == "val":
            entry |= {"target_hard": target, "target_soft": {target: 1.0}}
        queries.append(entry)
    (root / "captions").mkdir(parents=True)
    (root / "image_splits").mkdir()
    (root / "captions" / f"cap.rc2.{split}.json").write_text(json.dumps(queries))
    gallery = {name: f"./{prefix}/{name}.png" for name in [*members, f"{prefix}-x"]}
    (root / "image_splits" / f"split.rc2.{split}.json").write_text(json.dumps(gallery))
    return root


def test_cirr_val_recall_and_subset(tmp_path: Path) -> None:
    # query 0: reference dev-0 ranked first (dropped), target dev-1 second → rank 1 after the drop
    # query 1: target dev-3 behind the non-member dev-x → global rank 2, subset rank 1
    model = ScriptedModel(rankings={"query 0": ["dev-0", "dev-1", "dev-2"],
                                    "query 1": ["dev-x", "dev-3", "dev-2"]})
    result = run_benchmark("cirr-val", _cirr(tmp_path / "d", "val"), out=tmp_path / "r.json", predictor=model)
    assert result.metrics["recall@1"] == 0.5 and result.metrics["recall@5"] == 1.0
    assert result.metrics["recall_subset@1"] == 1.0
    record = json.loads(result.predictions.read_text().splitlines()[0])
    assert "dev-0" not in record["ranking"] and "dev-0" not in record["subset_ranking"]


def test_cirr_test1_writes_the_server_files(tmp_path: Path) -> None:
    result = run_benchmark("cirr-test1", _cirr(tmp_path / "d", "test1"), out=tmp_path / "r.json",
                           predictor=ScriptedModel())
    assert result.metrics == {}
    recall, subset = (json.loads(path.read_text()) for path in result.submissions)
    assert recall["version"] == "rc2" and recall["metric"] == "recall"
    assert recall["100"][:2] == ["test1-1", "test1-2"] and len(recall["100"]) <= 50
    assert subset["metric"] == "recall_subset" and len(subset["101"]) == 3
    assert "test1-2" not in subset["101"]  # the reference is never a candidate
    assert "submit the files" in result.table_file.read_text()


def test_circo_test_submission_uses_integer_ids(tmp_path: Path) -> None:
    root = tmp_path / "circo"
    (root / "annotations").mkdir(parents=True)
    (root / "annotations" / "test.json").write_text(json.dumps(
        [{"id": 0, "reference_img_id": 5, "relative_caption": "has a hat", "shared_concept": "a dog"}]))
    info = root / "COCO2017_unlabeled" / "annotations" / "image_info_unlabeled2017.json"
    info.parent.mkdir(parents=True)
    info.write_text(json.dumps({"images": [{"id": i, "file_name": f"{i:012d}.jpg"} for i in (5, 7, 9)]}))
    result = run_benchmark("circo-test", root, out=tmp_path / "r.json", predictor=ScriptedModel())
    assert json.loads(result.submissions[0].read_text()) == {"0": [5, 7, 9]}


def test_dialogue_hits_per_round_on_plugirs_files(tmp_path: Path) -> None:
    data = tmp_path / "plugir"
    shutil.copytree(DATA / "plugir", data)
    dialogues = json.loads((data / "dialogues" / "VisDial_v1.0_queries_val.json").read_text())
    first = dialogues[0]
    # the round-1 query is the caption and the first answer joined by ", " (ChatIR's and PlugIR's protocol)
    round1 = ", ".join(first["dialog"][:2])
    model = ScriptedModel(rankings={first["dialog"][0]: ["unlabeled2017/000000000008.jpg"], round1: [first["img"]]})
    result = run_benchmark("visdial-chatir", data, out=tmp_path / "r.json", predictor=model)
    # dialogues 2 and 3 fall back to the gallery order (12 images): their targets sit beyond the top 10
    assert result.metrics["hits@10_round0"] == 0.0
    assert result.metrics["hits@10_round1"] == pytest.approx(1 / 3)
    assert result.metrics["hits@10_round10"] == pytest.approx(1 / 3)


def test_fashioniq_average_over_the_three_categories(tmp_path: Path) -> None:
    data = tmp_path / "fiq"
    shutil.copytree(DATA / "fashioniq", data)
    (data / "images").mkdir()
    captions = {c: json.loads((data / "captions" / f"cap.{c}.val.json").read_text())
                for c in ("dress", "shirt", "toptee")}
    # the model finds every dress target, one shirt target and no toptee target
    rankings = {}
    for c, entries in captions.items():
        for n, entry in enumerate(entries):
            hit = c == "dress" or (c == "shirt" and n == 0)
            rankings[fashioniq_text(entry["captions"])] = [entry["target"]] if hit else ["nothing"]
    result = run_benchmark("fashioniq", data, out=tmp_path / "r.json", predictor=ScriptedModel(rankings=rankings))
    assert result.metrics["recall@10/dress"] == 1.0 and result.metrics["recall@10/shirt"] == pytest.approx(1 / 3)
    assert result.metrics["recall@10/toptee"] == 0.0
    assert result.metrics["recall@10"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert result.metrics["average"] == pytest.approx((result.metrics["recall@10"] + result.metrics["recall@50"]) / 2)


def test_circo_metrics_equal_the_official_evaluation(tmp_path: Path) -> None:
    official = json.loads((DATA / "circo" / "official_metrics.json").read_text())
    root = tmp_path / "circo"
    shutil.copytree(DATA / "circo", root)
    queries = json.loads((root / "annotations" / "val.json").read_text())
    ids = {i for ranking in official["rankings"].values() for i in ranking} | {q["reference_img_id"] for q in queries}
    info = root / "COCO2017_unlabeled" / "annotations" / "image_info_unlabeled2017.json"
    info.parent.mkdir(parents=True)
    info.write_text(json.dumps({"images": [{"id": i, "file_name": f"{i:012d}.jpg"} for i in sorted(ids)]}))
    by_text = {q["relative_caption"]: [str(i) for i in official["rankings"][str(q["id"])]] for q in queries}
    result = run_benchmark("circo-val", root, out=tmp_path / "r.json", predictor=ScriptedModel(rankings=by_text))
    for k in (5, 10, 25, 50):
        assert result.metrics[f"map@{k}"] == pytest.approx(official["map"][str(k)], abs=1e-12)
        assert result.metrics[f"recall@{k}"] == pytest.approx(official["recall"][str(k)], abs=1e-12)
    aspects = {key.split("/")[1]: value for key, value in result.metrics.items() if key.startswith("map@10/")}
    assert aspects == pytest.approx(official["semantic_map_at10"], abs=1e-12)


def test_captioning_scores_match_the_metrics(tmp_path: Path) -> None:
    samples = [{"id": str(n), "image": f"images/{n}.png", "conversations": [
        {"from": "human", "value": f"<image>\nDescribe painting {n}."},
        {"from": "gpt", "value": f"a calm landscape with a river number {n}"}]} for n in range(3)]
    (tmp_path / "train_samples_tuning.json").write_text(json.dumps(samples))
    answers = {f"Describe painting {n}.": f"a landscape with a river {n}" for n in range(3)}
    result = run_benchmark("paintingform", tmp_path, out=tmp_path / "r.json", predictor=ScriptedModel(answers=answers))
    refs = {f"{n}:{n}": [f"a calm landscape with a river number {n}"] for n in range(3)}
    hyps = {f"{n}:{n}": f"a landscape with a river {n}" for n in range(3)}
    assert result.metrics["bleu2"] == pytest.approx(bleu(refs, hyps)[1], abs=1e-12)
    assert result.metrics["rouge_l"] == pytest.approx(rouge_l(refs, hyps), abs=1e-12)
    assert result.metrics["cider_d"] == pytest.approx(cider_d(refs, hyps), abs=1e-12)


def test_museum_qa_exact_match_and_token_f1_per_kind(tmp_path: Path) -> None:
    lines = [{"id": "q1", "question": "Who made it?", "answer": "Rembrandt van Rijn", "category": "creator"},
             {"id": "q2", "question": "What material?", "answers": ["oil on canvas", "oil"], "category": "material"},
             {"id": "q3", "question": "When?", "answer": "1642", "category": "date"}]
    (tmp_path / "qa.jsonl").write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    # artscope's answers give the bare value first, then the supporting sentence
    model = ScriptedModel(answers={"Who made it?": "Rembrandt. The catalogue names him.", "What material?": "Oil.",
                                   "When?": "In 1642."})
    result = run_benchmark("museum-qa", tmp_path, out=tmp_path / "r.json", predictor=model)
    first = json.loads(result.predictions.read_text().splitlines()[0])
    assert first["answer"] == "Rembrandt" and first["text"] == "Rembrandt. The catalogue names him."
    # SQuAD v1.1: "Rembrandt" vs "Rembrandt van Rijn" F1 = 2·(1·1/3)/(1 + 1/3) = 0.5; "Oil" = "oil";
    # "In 1642" vs "1642": P = 1/2, R = 1, F1 = 2/3
    assert result.metrics["exact_match/creator"] == 0.0 and result.metrics["token_f1/creator"] == 0.5
    assert result.metrics["exact_match/material"] == 1.0 and result.metrics["token_f1/date"] == pytest.approx(2 / 3)
    assert result.metrics["exact_match"] == pytest.approx(1 / 3)
    assert result.metrics["token_f1"] == pytest.approx((0.5 + 1 + 2 / 3) / 3)
    assert "vqa_accuracy" not in result.metrics  # needs several human answers per question


def test_answer_value_keeps_initials_and_abbreviations() -> None:
    assert answer_value("J. M. W. Turner. He painted it in 1839.") == "J. M. W. Turner"
    assert answer_value("St. Ives harbour. Seen from the east.") == "St. Ives harbour"
    assert answer_value("oil on canvas.") == "oil on canvas"
