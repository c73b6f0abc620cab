"""``artscope describe`` and ``artscope train attributes`` through the commands that ``register`` adds,
including training on a dataset in WikiArt's ArtGAN layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from artscope.cli.attributes import register
from artscope.testing import copy_collection

STYLES = ["stripes", "dots", "smooth", "checks", "Ukiyo_e"]  # the last has no image: an open-set class


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    main, train = typer.Typer(), typer.Typer()
    main.add_typer(train, name="train")
    register(main, train)
    return main


@pytest.fixture(scope="module")
def collection_dir(trained, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the trained collection for the commands to open and change."""
    path = tmp_path_factory.mktemp("cli") / "collection"
    copy_collection(trained[0], path)
    return path


def _run(app: typer.Typer, *args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_describe_an_image_as_text_and_json(app: typer.Typer, collection_dir: Path,
                                            labelled_folder: Path) -> None:
    image = str(labelled_folder / "images" / "art-0006.png")
    text = _run(app, "describe", image, "-c", str(collection_dir), "--top-k", "2")
    assert "artwork art-0006" in text and "catalogue: Cai Verde" in text
    data = json.loads(_run(app, "describe", "-c", str(collection_dir), "--artwork", "art-0006", "--json",
                           "--fields", "artist,genre"))
    assert [f["field"] for f in data["fields"]] == ["artist", "genre"]
    assert data["fields"][0]["label"] == "Cai Verde" and data["fields"][0]["kind"] == "prediction"


def test_describe_all_and_its_errors(app: typer.Typer, collection_dir: Path) -> None:
    assert "predictions for 120 artworks" in _run(app, "describe", "-c", str(collection_dir), "--all")
    result = CliRunner().invoke(app, ["describe", "-c", str(collection_dir)])
    assert result.exit_code == 2 and "either an image or an artwork id" in result.output
    result = CliRunner().invoke(app, ["describe", "-c", str(collection_dir), "--artwork", "nope"])
    assert result.exit_code == 2 and "No artwork with id 'nope'" in result.output


def test_train_prints_the_metrics_table(app: typer.Typer, collection_dir: Path) -> None:
    text = _run(app, "train", "attributes", "-c", str(collection_dir), "--fields", "genre,period",
                "--periods", "1850,1900", "--epochs", "3")
    for word in ("genre", "period", "head", "knn", "majority", "macro-F1", "ECE", "head saved in"):
        assert word in text
    data = json.loads(_run(app, "train", "attributes", "-c", str(collection_dir), "--fields", "artist",
                           "--epochs", "2", "--json"))
    assert [f["field"] for f in data["fields"]] == ["artist"] and data["epochs"] <= 2
    result = CliRunner().invoke(app, ["train", "attributes", "-c", str(collection_dir), "--periods", "x"])
    assert result.exit_code == 2 and "--periods takes years" in result.output


def _wikiart(root: Path, images: Path) -> Path:
    """ArtGAN's layout over the synthetic images: 24 training and 8 validation images of each task."""
    import csv

    with (images.parent / "catalog.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["style"]][:32]
    genres = sorted({r["genre"] for r in rows})
    lists = root / "wikiart_csv"
    lists.mkdir(parents=True)
    (root / "wikiart").symlink_to(images)
    (lists / "style_class.txt").write_text("".join(f"{i} {s}\n" for i, s in enumerate(STYLES)))
    (lists / "genre_class.txt").write_text("".join(f"{i} {g}\n" for i, g in enumerate(genres)))
    for task, names in (("style", STYLES), ("genre", genres)):
        for split, part in (("train", rows[:24]), ("val", rows[24:])):
            (lists / f"{task}_{split}.csv").write_text(
                "".join(f"{Path(r['file']).name},{names.index(r[task])}\n" for r in part))
    return root


def test_train_on_a_wikiart_folder(app: typer.Typer, tmp_path: Path, labelled_folder: Path,
                                   builtin_embedder) -> None:
    import artscope

    data = _wikiart(tmp_path / "wikiart", labelled_folder / "images")
    artscope.create(tmp_path / "fresh", embedder=builtin_embedder).close()
    report = json.loads(_run(app, "train", "attributes", "-c", str(tmp_path / "fresh"), "--data", str(data),
                             "--format", "wikiart", "--fields", "style,genre", "--epochs", "3", "--json"))
    assert report["images"] == 32 and report["split"]["test"] == 8  # ArtGAN's val lists are the test split
    style = next(f for f in report["fields"] if f["field"] == "style")
    assert style["classes"] == 5 and style["open_set_classes"] == 1 and style["test"] == 8
    with artscope.open(tmp_path / "fresh", embedder=builtin_embedder) as collection:
        record = collection.catalog.get("wikiart/art-0000.png")  # the dataset's labels are its record
        assert record.extra == {"style": "stripes", "genre": "landscape"}
    result = CliRunner().invoke(app, ["train", "attributes", "-c", str(tmp_path / "fresh"), "--data",
                                      str(data)])
    assert result.exit_code == 2 and "--data and --format go together" in result.output
