"""Fine-tuning a vision-language model to score (``artscope train vlm --task aesthetics``), on CPU with the
suite's tiny random-init Llava: on data in APDDv2's published layout whose scores are planted in the
pixels (brighter paintings score higher), the loss falls, the held-out ranking follows the plant, the
adapter lands in ``heads/vlm-aesthetics`` with its record, serves ``score`` as the ``adapter:`` backend,
and scores the same after a restart."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import artscope
from artscope.tasks.aesthetics import score_image
from artscope.tasks.aesthetics.training import from_dataset
from artscope.tasks.aesthetics.vlm_training import train_aesthetics_vlm
from artscope.vlm.store import read_adapter
from artscope.vlm.training import TrainOptions

pytestmark = pytest.mark.usefixtures("one_torch_thread")

APDD_HEADER = (
    "filename,Artistic Categories,Score,Theme and logic,Creativity,Layout and composition,"
    "Space and perspective,The sense of order,Light and shadow,Color,Details and texture,The overall,Mood"
)
FAST = TrainOptions(epochs=12, batch_size=8, learning_rate=2e-2, lora_rank=8, lora_alpha=16, lora_dropout=0.0)


def _painting(brightness: float, seed: int) -> Image.Image:
    rng = np.random.default_rng(seed)
    return Image.fromarray(np.clip(rng.normal(255 * brightness, 20, (32, 32, 3)), 0, 255).astype(np.uint8))


def write_planted_apddv2(root: Path, train: int = 32, test: int = 12) -> dict[str, float]:
    """APDDv2's split CSVs where Score (0–10) and "Light and shadow" follow each image's brightness."""
    rng = np.random.default_rng(1)
    (root / "APDDv2image").mkdir(parents=True)
    (root / "csvfiles").mkdir()
    brightness = {}
    for split, count in (("train", train), ("test", test)):
        rows = [APDD_HEADER]
        for i in range(count):
            name, level = f"{split}-{i}.png", float(rng.uniform(0.05, 0.95))
            _painting(level, len(brightness)).save(root / "APDDv2image" / name)
            brightness[name] = level
            score = f"{10 * level:.2f}"
            rows.append(f"{name},oil painting,{score},,,,,,{score},,,,")
        (root / "csvfiles" / f"{split}.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return brightness


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_llava_dir: Path):
    import torch

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("planted-apddv2")
    write_planted_apddv2(root)
    with artscope.create(root / "collection") as collection:
        report = train_aesthetics_vlm(collection, f"hf:{tiny_llava_dir}", from_dataset(root, "apddv2"), FAST)
    return root, report


def test_the_loss_falls_and_the_held_out_ranking_follows_the_plant(trained) -> None:
    _, report = trained
    assert report.train_examples == 64 and report.test_examples == 24  # the score and one dimension each
    assert report.epoch_losses[-1] < 0.6 * report.epoch_losses[0]
    assert report.metrics["srcc"] > 0.8 and report.metrics["plcc"] > 0.7
    assert report.metrics["srcc.visual_elements"] > 0.7  # "Light and shadow" informs visual elements


def test_the_adapter_is_recorded_in_heads(trained, tiny_llava_dir: Path) -> None:
    root, report = trained
    directory = root / "collection" / "heads" / "vlm-aesthetics"
    assert Path(report.adapter_dir) == directory
    meta = read_adapter(directory)
    assert meta.base == f"hf:{tiny_llava_dir}" and meta.base_type == "llava" and meta.task == "aesthetics"
    assert meta.hyperparameters["lora_rank"] == 8 and meta.hyperparameters["learning_rate"] == 2e-2
    assert meta.data["train_examples"] == 64 and meta.data["source"].startswith("apddv2:")
    assert meta.metrics == report.metrics and len(meta.version) == 12
    assert meta.training["precision"] == "fp32" and meta.training["steps"] == 12 * 8
    assert meta.scoring is not None and list(meta.scoring.dimensions) == ["visual_elements"]
    assert {"adapter_config.json", "adapter_model.safetensors", "adapter.json"} <= {
        p.name for p in directory.iterdir()}


def _scores(spec: str, images: list[Path]) -> list[tuple[float, float | None]]:
    results = [score_image(image, vlm=spec) for image in images]
    return [(r.total, r.dimensions["visual_elements"]) for r in results]


def test_the_adapter_scores_brighter_paintings_higher_and_the_same_after_a_restart(trained) -> None:
    root, _ = trained
    spec = f"adapter:{root / 'collection' / 'heads' / 'vlm-aesthetics'}"
    dark, bright = root / "dark.png", root / "bright.png"
    _painting(0.1, 90).save(dark)
    _painting(0.9, 91).save(bright)
    result = score_image(bright, vlm=spec)
    assert result.backend == spec and result.calibrated and result.head.name.startswith("vlm-aesthetics@")
    assert result.dimension_sources["visual_elements"] == spec
    here = _scores(spec, [dark, bright])
    assert here[1][0] > here[0][0] + 10 and here[1][1] > here[0][1] + 10
    code = ("import json, sys; from artscope.tasks.aesthetics import score_image; "
            "rs = [score_image(p, vlm=sys.argv[1]) for p in sys.argv[2:]]; "
            "print(json.dumps([(r.total, r.dimensions['visual_elements']) for r in rs]))")
    out = subprocess.run([sys.executable, "-c", code, spec, str(dark), str(bright)], capture_output=True, text=True,
                         check=True, env={"OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "PATH": ""})
    again = json.loads(out.stdout.strip().splitlines()[-1])
    assert np.allclose(np.array(again, dtype=float), np.array(here, dtype=float), atol=0.01)


DATA = Path(__file__).resolve().parents[2] / "data"


def test_train_vlm_reads_artquants_layout_with_its_descriptions(tmp_path: Path, tiny_llava_dir: Path) -> None:
    """`artscope train vlm` on ArtQuant's files (tests/data/artquant-apdd): the scores of score.json outside
    the test list train, with the level-3 description of each training image as a text target."""
    from typer.testing import CliRunner

    from artscope.cli.main import app

    root = Path(shutil.copytree(DATA / "artquant-apdd", tmp_path / "APDD"))
    names = [entry["image"] for entry in json.loads((root / "meta" / "score.json").read_text())]
    for i, name in enumerate(names):
        (root / "images").mkdir(exist_ok=True)
        _painting(i / len(names), i).save(root / "images" / name)
    with artscope.create(tmp_path / "collection"):
        pass
    result = CliRunner().invoke(app, [
        "train", "vlm", "-c", str(tmp_path / "collection"), "--base", str(tiny_llava_dir), "--task", "aesthetics",
        "--data", str(root), "--format", "apddv2", "--epochs", "1", "--batch-size", "4", "--lora-rank", "4",
        "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["train_examples"] == 6 + 6 and report["test_examples"] == 6 + 6
    meta = read_adapter(Path(report["adapter_dir"]))
    assert meta.data["descriptions"] == 6 and meta.base == f"hf:{tiny_llava_dir}"
    assert set(meta.metrics) >= {"srcc", "plcc", "emd"}  # score.json's level probabilities give EMD
    assert meta.hyperparameters["epochs"] == 1 and meta.training["steps"] == 3
