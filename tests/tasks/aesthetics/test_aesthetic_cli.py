"""``artscope score`` and ``artscope train aesthetics`` through the commands that ``register`` adds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from artscope.cli.aesthetics import register
from artscope.tasks.aesthetics.synthetic import disc_image


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    main, train = typer.Typer(), typer.Typer()
    main.add_typer(train, name="train")
    register(main, train)
    return main


def test_score_prints_dimensions_distribution_and_comments(app: typer.Typer, tmp_path: Path) -> None:
    path = tmp_path / "disc.png"
    disc_image(centre=(1 / 3, 0.5)).save(path)
    result = CliRunner().invoke(app, ["score", str(path)])
    assert result.exit_code == 0, result.output
    for text in (
        "Total",
        "Composition & Design",
        "Distribution over 1..10",
        "left thirds line",
        "uncalibrated",
    ):
        assert text in result.output
    data = json.loads(CliRunner().invoke(app, ["score", str(path), "--json"]).output)
    assert set(data["dimensions"]) >= {"composition", "gestalt"} and len(data["distribution"]) == 10


def test_score_errors_are_one_line(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["score", str(tmp_path / "missing.jpg")])
    assert (
        result.exit_code == 2 and "Image file not found" in result.output and "Traceback" not in result.output
    )


def test_score_and_train_against_a_collection(app: typer.Typer, synthetic_collection) -> None:
    path = str(synthetic_collection.path)
    synthetic_collection.close()  # the command opens the collection itself
    scored = CliRunner().invoke(app, ["score", "-c", path, "--artwork", "art-0001", "--json"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.output)["measurements"]["originality.typicality_percentile"]["unit"].startswith(
        "percentile"
    )
    trained = CliRunner().invoke(
        app,
        [
            "train",
            "aesthetics",
            "-c",
            path,
            "--score-field",
            "year_start",
            "--scale",
            "1800,1960",
            "--epochs",
            "60",
            "--json",
        ],
    )
    assert trained.exit_code == 0, trained.output
    report = json.loads(trained.output[trained.output.index("{") :])
    assert report["data_source"] == "collection:year_start" and "srcc" in report["metrics"]
    bad = CliRunner().invoke(app, ["train", "aesthetics", "-c", path, "--data", path])
    assert bad.exit_code != 0 and "--data and --format go together" in bad.output
