"""Attribute dataset loaders on tiny copies of the published layouts, and their malformed variants."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PIL import Image

from artscope.datasets.attributes import (
    artwork_id,
    load_artgraph,
    load_attribute_dataset,
    load_wikiart,
    write_catalogue,
)
from artscope.errors import SourceFormatError, UnknownNameError

STYLES = ["Abstract_Expressionism", "Baroque", "Impressionism"]
GENRES = ["landscape", "portrait"]


def _image(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), "red").save(path)


def _wikiart(root: Path, lists: str = "wikiart_csv") -> Path:
    """ArtGAN's layout: class lists and header-less split CSVs in ``wikiart_csv/``, images in ``wikiart/``."""
    folder = root / lists
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "style_class.txt").write_text("".join(f"{i} {name}\n" for i, name in enumerate(STYLES)))
    (folder / "genre_class.txt").write_text("".join(f"{i} {name}\n" for i, name in enumerate(GENRES)))
    (folder / "style_train.csv").write_text("Baroque/rembrandt_night-watch-1642.jpg,1\n"
                                            "Impressionism/monet_water-lilies-1906.jpg,2\n"
                                            "Impressionism/monet_missing-1900.jpg,2\n")
    (folder / "style_val.csv").write_text("Baroque/rubens_untitled.jpg,1\n")
    (folder / "genre_train.csv").write_text("Baroque/rembrandt_night-watch-1642.jpg,1\n"
                                            "Baroque/rubens_untitled.jpg,0\n")
    (folder / "genre_val.csv").write_text("Impressionism/monet_water-lilies-1906.jpg,0\n")
    for name in ("Baroque/rembrandt_night-watch-1642.jpg", "Impressionism/monet_water-lilies-1906.jpg",
                 "Baroque/rubens_untitled.jpg"):
        _image(root / "wikiart" / name)
    return root


def test_wikiart_merges_the_tasks_of_each_image(tmp_path: Path) -> None:
    dataset = load_attribute_dataset(_wikiart(tmp_path), "wikiart")
    items = {item.key: item for item in dataset.items}
    assert dataset.classes == {"style": STYLES, "genre": GENRES} and dataset.missing_images == 1
    watch = items["Baroque/rembrandt_night-watch-1642.jpg"]
    assert watch.labels == {"style": "Baroque", "genre": "portrait"} and watch.split == "train"
    assert watch.date == "1642" and watch.path == tmp_path / "wikiart" / watch.key
    # in a val list of any task: held out from all of them
    assert items["Impressionism/monet_water-lilies-1906.jpg"].split == "test"
    rubens = items["Baroque/rubens_untitled.jpg"]
    assert rubens.split == "test" and rubens.date is None


def test_wikiart_lists_may_sit_beside_the_images(tmp_path: Path) -> None:
    dataset = load_wikiart(_wikiart(tmp_path, lists="."))
    assert len(dataset.items) == 3


@pytest.mark.parametrize(("name", "text", "message"), [
    ("style_class.txt", "0 Baroque\n2 Rococo\n", "line 2"),
    ("style_class.txt", "Baroque\n", "expected '0 ClassName'"),
    ("style_train.csv", "Baroque/a.jpg,one\n", "style_train.csv line 1: the class index"),
    ("style_train.csv", "Baroque/a.jpg,1\nBaroque/b.jpg,7\n", "line 2: class index 7"),
])
def test_malformed_wikiart_files_are_named(tmp_path: Path, name: str, text: str, message: str) -> None:
    root = _wikiart(tmp_path)
    (root / "wikiart_csv" / name).write_text(text)
    with pytest.raises(SourceFormatError, match=message):
        load_wikiart(root)


def test_wikiart_without_its_files(tmp_path: Path) -> None:
    root = _wikiart(tmp_path)
    (root / "wikiart_csv" / "genre_val.csv").unlink()
    with pytest.raises(SourceFormatError, match=r"genre_val\.csv is missing"):
        load_wikiart(root)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(SourceFormatError, match=r"style_class\.txt"):
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
    assert list(rows[0]) == ["id", "file", "title", "date", "style", "genre"]
    first = dataset.items[0]
    assert rows[0]["id"] == artwork_id(dataset, first) == f"wikiart/{first.key}"
    assert Path(rows[0]["file"]).is_absolute() and rows[0]["style"] == first.labels["style"]
