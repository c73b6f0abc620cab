"""``artscope eval``: the benchmark list (with tasks, metrics and data sources) and a real run of a
tiny CIRR-layout benchmark through the default, collection-backed model."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

import artscope.metrics
from artscope.cli.eval import register
from artscope.tasks.eval import benchmarks

EXPECTED = {"flickr30k", "mscoco-5k", "cirr-val", "cirr-test1", "circo-val", "circo-test", "fashioniq-dress",
            "fashioniq-shirt", "fashioniq-toptee", "visdial-chatir", "wikiart-style", "wikiart-artist",
            "wikiart-genre", "artgraph-style", "ava", "tad66k", "para", "flickr-aes", "apddv2", "artimuse-10k",
            "flickr30k-i2t", "mscoco-5k-i2t", "fashioniq", "apddv2-descriptions",
            "artpedia", "semart", "paintingform", "museum-qa"}


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:  # a second command, so that "eval" stays a named sub-command
        """Unused."""

    return app


def test_list_shows_every_benchmark_with_task_metrics_and_source() -> None:
    result = CliRunner().invoke(_app(), ["eval", "--list", "--json"])
    assert result.exit_code == 0, result.output
    rows = {row["name"]: row for row in json.loads(result.output)}
    assert set(rows) == EXPECTED == set(benchmarks.names())
    for row in rows.values():
        assert row["task"] and row["metrics"] and row["layout"] and row["source"]
        assert "not_implemented" in row
    assert "PlugIR" in rows["visdial-chatir"]["layout"] and "SPICE" in rows["artpedia"]["not_implemented"]
    assert rows["circo-test"]["submission"] == "circo"
    listing = CliRunner().invoke(_app(), ["eval", "--list"]).output
    assert all(name in listing for name in EXPECTED) and "hits@10_round0" in listing
    assert "not done" in listing and "reads" in listing


def test_unknown_benchmark_and_missing_data_are_reported(tmp_path: Path) -> None:
    result = CliRunner().invoke(_app(), ["eval", "cirr-vall", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "Did you mean 'cirr-val'" in result.output
    result = CliRunner().invoke(_app(), ["eval", "cirr-val", "--data", str(tmp_path)])
    assert result.exit_code == 2 and "cap.rc2.val.json is missing" in result.output.replace("\n", "")


def test_real_run_on_a_tiny_cirr(tmp_path: Path) -> None:
    from artscope.testing import draw_artwork, synthetic_artworks

    root = tmp_path / "cirr"
    (root / "img_raw" / "dev").mkdir(parents=True)
    arts = synthetic_artworks(6)
    names = [f"dev-{n}-0-img0" for n in range(6)]
    for n, art in enumerate(arts):
        draw_artwork(art, size=64, seed=n).save(root / "img_raw" / "dev" / f"{names[n]}.png")
    (root / "image_splits").mkdir()
    (root / "image_splits" / "split.rc2.val.json").write_text(json.dumps({n: f"./dev/{n}.png" for n in names}))
    (root / "captions").mkdir()
    queries = [{"pairid": 1, "reference": names[0], "target_hard": names[4], "target_soft": {names[4]: 1.0},
                "caption": "the same painting", "img_set": {"id": 0, "members": names, "reference_rank": 0}}]
    (root / "captions" / "cap.rc2.val.json").write_text(json.dumps(queries))
    out = tmp_path / "results" / "cirr.json"
    result = CliRunner().invoke(_app(), ["eval", "cirr-val", "--data", str(root), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{"):])
    assert payload["items"] == 1 and 0.0 <= payload["metrics"]["recall@1"] <= 1.0
    record = json.loads(out.with_name("cirr.predictions.jsonl").read_text())
    assert names[0] not in record["ranking"] and set(record["ranking"]) <= set(names)
    assert len(record["subset_ranking"]) == 5


def test_docs_name_every_benchmark_and_metric() -> None:
    docs = (Path(__file__).resolve().parents[3] / "docs" / "eval.md").read_text()
    assert all(f"`{name}`" in docs for name in benchmarks.names())
    assert [name for name in artscope.metrics.__all__ if f"`{name}`" not in docs] == []
