"""Attribute dataset loaders on ArtGAN's own WikiArt lists (tests/data/artgan-wikiart) and on artscope's
ArtGraph CSV export, and their malformed variants."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from PIL import Image

from artscope.datasets.attributes import (
    artwork_id,
    load_artgraph,
    load_artgraph_benchmark,
    load_attribute_dataset,
    load_wikiart,
    load_wikiart_benchmark,
    write_catalogue,
)
from artscope.errors import SourceFormatError, UnknownNameError

ARTGAN = Path(__file__).resolve().parents[1] / "data" / "artgan-wikiart"


def _image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), "red").save(path)


def _listed(root: Path) -> set[str]:
    """Every image path the ArtGAN lists under ``root`` name."""
    names = set()
    for path in root.rglob("*_train*"):
        names |= {line.split(",")[0] for line in path.read_text().splitlines() if ".jpg" in line}
    for path in root.rglob("*_val*"):
        names |= {line.split(",")[0] for line in path.read_text().splitlines() if ".jpg" in line}
    return names


def _wikiart(tmp_path: Path, missing: int = 0) -> Path:
    """ArtGAN's real 'WikiArt Dataset' lists, with tiny images drawn at the paths they name."""
    root = tmp_path / "WikiArt Dataset"
    shutil.copytree(ARTGAN, root)
    for name in sorted(_listed(root))[missing:]:
        _image(root / "wikiart" / name)
    return root


def test_wikiart_reads_artgans_own_files(tmp_path: Path) -> None:
    dataset = load_attribute_dataset(_wikiart(tmp_path, missing=1), "wikiart")
    assert len(dataset.classes["style"]) == 27 and dataset.classes["style"][12] == "Impressionism"
    assert len(dataset.classes["artist"]) == 23 and len(dataset.classes["genre"]) == 10
    assert dataset.missing_images == 1
    items = {item.key: item for item in dataset.items}
    # artist_train: "(Path to image),, (Groundtruth class)" header, a blank line, then ",," rows
    gogh = items["Realism/vincent-van-gogh_pine-trees-in-the-fen-1884.jpg"]
    assert gogh.labels == {"artist": "Vincent_van_Gogh"} and gogh.split == "train" and gogh.date == "1884"
    # style_val.csv (CRLF rows): ArtGAN's val list is the test split
    degas = items["Impressionism/edgar-degas_dancers-on-set-1880.jpg"]
    assert degas.labels["style"] == "Impressionism" and degas.split == "test"
    assert degas.path == tmp_path / "WikiArt Dataset" / "wikiart" / degas.key


def test_one_task_as_a_benchmark_keeps_its_own_split(tmp_path: Path) -> None:
    benchmark = load_wikiart_benchmark(_wikiart(tmp_path), "artist")
    assert benchmark.attribute == "artist" and len(benchmark.labels) == 23
    assert (len(benchmark.train), len(benchmark.items)) == (12, 6)
    assert {item.labels["artist"] for item in benchmark.items} == {"Claude_Monet", "Rembrandt", "Vincent_van_Gogh"}


def test_wikiart_lists_may_sit_flat_with_csv_names(tmp_path: Path) -> None:
    root = tmp_path / "flat"
    root.mkdir()
    for path in ARTGAN.rglob("*"):
        if path.is_file() and path.parent.name == "Style":
            shutil.copy(path, root / path.name)
    (root / "style_val.csv").rename(root / "style_val")  # with or without the extension
    _image(root / "Baroque" / "x.jpg")
    dataset = load_wikiart(root)
    assert set(dataset.classes) == {"style"} and dataset.missing_images == 18


@pytest.mark.parametrize(("name", "text", "message"), [
    ("Style/style_class.txt", "0 Baroque\n2 Rococo\n", "line 2"),
    ("Style/style_class.txt", "Baroque\n", "expected '0 ClassName'"),
    ("Style/style_train.csv", "Baroque/a.jpg,1\nBaroque/b.jpg\n", "style_train.csv line 2: expected"),
    ("Style/style_train.csv", "Baroque/a.jpg,1\nBaroque/b.jpg,70\n", "line 2: class index 70"),
])
def test_malformed_wikiart_files_are_named(tmp_path: Path, name: str, text: str, message: str) -> None:
    root = _wikiart(tmp_path)
    (root / name).write_text(text)
    with pytest.raises(SourceFormatError, match=message):
        load_wikiart(root)


def test_wikiart_without_its_files(tmp_path: Path) -> None:
    root = _wikiart(tmp_path)
    (root / "Genre" / "genre_val.csv").unlink()
    with pytest.raises(SourceFormatError, match=r"genre_val\.csv is missing"):
        load_wikiart(root)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceFormatError, match=r"Style/style_class"):
        load_wikiart(empty)


def _artgraph(root: Path, rows: list[dict[str, str]]) -> Path:
    with (root / "artworks.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    for row in rows:
        _image(root / "images" / row["image"])
    return root


def test_artgraph_export_columns(tmp_path: Path) -> None:
    rows = [{"image": "a.jpg", "Artist": "Rembrandt", "style": "Baroque", "media": "oil | canvas",
             "year": "1642", "split": "train"},
            {"image": "b.jpg", "Artist": "Monet", "style": "", "media": "oil", "year": "", "split": "TEST"}]
    dataset = load_attribute_dataset(_artgraph(tmp_path, rows), "artgraph")
    first, second = dataset.items
    assert first.labels == {"artist": "Rembrandt", "style": "Baroque", "medium": "oil"}
    assert first.date == "1642"
    assert second.labels == {"artist": "Monet", "medium": "oil"} and second.split == "test"
    assert dataset.classes == {"artist": ["Monet", "Rembrandt"], "style": ["Baroque"], "medium": ["oil"]}
    assert first.path == tmp_path / "images" / "a.jpg"


@pytest.mark.parametrize(("row", "message"), [
    ({"picture": "a.jpg", "style": "Baroque"}, "no image column"),
    ({"image": "a.jpg", "colour": "red"}, "no attribute column"),
    ({"image": "a.jpg", "style": "Baroque", "split": "holdout"}, "line 2: the split field is 'holdout'"),
])
def test_malformed_artgraph_exports_are_named(tmp_path: Path, row: dict[str, str], message: str) -> None:
    with (tmp_path / "export.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    with pytest.raises(SourceFormatError, match=message):
        load_artgraph(tmp_path / "export.csv")


def test_artgraph_needs_one_csv(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match="found 0"):
        load_artgraph(tmp_path)


def test_unknown_formats_get_a_suggestion(tmp_path: Path) -> None:
    with pytest.raises(UnknownNameError, match="Did you mean 'wikiart'"):
        load_attribute_dataset(tmp_path, "wikiarts")


def test_a_dataset_as_a_catalogue(tmp_path: Path) -> None:
    dataset = load_wikiart(_wikiart(tmp_path))
    path = write_catalogue(dataset, tmp_path / "catalogue.csv")
    with path.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["id", "file", "title", "date", "style", "genre", "artist"]
    first = dataset.items[0]
    assert rows[0]["id"] == artwork_id(dataset, first) == f"wikiart/{first.key}"
    assert Path(rows[0]["file"]).is_absolute() and rows[0]["style"] == first.labels["style"]


def test_artgraph_benchmark_splits_unsplit_rows_by_hash(tmp_path: Path) -> None:
    rows = [{"image": f"{n}.jpg", "style": "Baroque" if n % 2 else "Rococo"} for n in range(20)]
    benchmark = load_artgraph_benchmark(_artgraph(tmp_path, rows), "style")
    assert len(benchmark.train) + len(benchmark.items) == 20 and benchmark.items and benchmark.train
    assert sorted(benchmark.labels) == ["Baroque", "Rococo"]
