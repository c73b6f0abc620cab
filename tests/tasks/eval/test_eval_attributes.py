"""``artscope eval wikiart-style --data DIR`` end to end on ArtGAN's own lists (tests/data/artgan-wikiart)
with tiny drawn images: ingest the training split, train the attribute head, predict the test split,
report top-1, macro-F1 and ECE, with no step in between; a rerun resumes without training again."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import typer
from PIL import Image
from typer.testing import CliRunner

from artscope.cli.eval import register
from artscope.metrics import accuracy, expected_calibration_error, macro_f1

ARTGAN = Path(__file__).resolve().parents[2] / "data" / "artgan-wikiart"
PALETTE = {"Impressionism": (90, 140, 210), "Baroque": (60, 30, 10), "Ukiyo_e": (230, 200, 150)}


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.command()
    def version() -> None:
        """Unused."""

    return app


def _wikiart(root: Path) -> Path:
    """ArtGAN's style lists, each listed image drawn in a colour and pattern of its style folder."""
    shutil.copytree(ARTGAN, root)
    rng = np.random.default_rng(0)
    for path in (root / "Style").glob("style_*.csv"):
        for line in path.read_text().splitlines():
            relative = line.split(",")[0]
            style = relative.split("/")[0]
            base = np.array(PALETTE.get(style, (128, 128, 128)), dtype=np.float64)
            pixels = np.clip(base + rng.normal(0, 12, size=(48, 48, 3)), 0, 255).astype(np.uint8)
            target = root / "wikiart" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(pixels).save(target)
    return root


def test_wikiart_style_runs_end_to_end(tmp_path: Path) -> None:
    data = _wikiart(tmp_path / "WikiArt Dataset")
    out = tmp_path / "runs" / "style.json"
    result = CliRunner().invoke(_app(), ["eval", "wikiart-style", "--data", str(data), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output[result.output.index("{"):])
    assert payload["items"] == 6 and set(payload["metrics"]) == {"accuracy", "macro_f1", "top5_accuracy", "ece"}
    records = [json.loads(line) for line in out.with_name("style.predictions.jsonl").read_text().splitlines()]
    truth = {line.split(",")[0]: int(line.split(",")[1]) for line in
             (data / "Style" / "style_val.csv").read_text().splitlines()}
    classes = (data / "Style" / "style_class.txt").read_text().split("\n")
    names = [line.split(" ", 1)[1] for line in classes if line.strip()]
    # the reported numbers are the metrics of the written predictions over ArtGAN's 27 classes
    probs = np.array([[r["probabilities"].get(name, 0.0) for name in names] for r in records])
    y_true = np.array([truth[r["id"]] for r in records])
    assert payload["metrics"]["accuracy"] == accuracy(y_true, probs.argmax(axis=1))
    assert payload["metrics"]["macro_f1"] == macro_f1(y_true, probs.argmax(axis=1))
    assert payload["metrics"]["ece"] == expected_calibration_error(y_true, probs)
    # colour tells these three styles apart: the trained head gets most test images right
    assert payload["metrics"]["accuracy"] >= 4 / 6
    trained = out.with_name("style.work") / "trained-style.json"
    assert json.loads(trained.read_text())["fields"][0]["field"] == "style"
    again = CliRunner().invoke(_app(), ["eval", "wikiart-style", "--data", str(data), "--out", str(out), "--json"])
    assert again.exit_code == 0 and json.loads(again.output[again.output.index("{"):])["metrics"] == payload["metrics"]
