"""Loaders for attribute-prediction datasets in their published layouts.

- ``wikiart``: the ArtGAN split of WikiArt (cs-chan/ArtGAN, "WikiArt Dataset"): for each of the
  tasks style (27 classes), genre (10) and artist (23), ``<task>_class.txt`` (one "index name" line
  per class), ``<task>_train.csv`` and ``<task>_val.csv`` (header-less rows ``relative/path.jpg,index``),
  in the folder itself or in ``wikiart_csv/``; the images under ``wikiart/`` (or the folder itself).
  A task's files may be absent (not every download has all three). ArtGAN's ``val`` lists are the
  sets papers report on, so they become artscope's test split; an image in any task's val list is
  kept out of training for all tasks, so no test image is ever trained on.
- ``artgraph``: an ArtGraph-style CSV export of artworks and their attribute nodes (one row per
  artwork): an image column (``image``, ``file``, ``path``, ``name``, ``image_url``), attribute
  columns among ``artist``, ``style``, ``genre``, ``media``/``medium`` and ``period``, and
  optionally ``date``/``year`` and ``split`` (train, val or test). Several values in a cell are
  separated by ``|`` or ``;`` and the first one is the label. Images are resolved against
  ``images/`` when it exists, else the CSV's folder.

WikiArt file names usually end with the year ("...-1884.jpg"); that year becomes the date, so the
period field can be learnt too.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from artscope.datasets import existing, read_csv
from artscope.errors import SourceFormatError
from artscope.registry import Registry

WIKIART_TASKS = ("style", "genre", "artist")
ARTGRAPH_IMAGE_COLUMNS = ("image", "file", "path", "name", "file_name", "filename", "image_url")
ARTGRAPH_FIELDS = {"artist": "artist", "style": "style", "genre": "genre", "media": "medium",
                   "medium": "medium", "period": "period"}
ARTGRAPH_DATE_COLUMNS = ("date", "year")
_YEAR_IN_NAME = re.compile(r"[-_](\d{4})(?:[-_.]\d+)?$")
_SEPARATORS = re.compile(r"\s*[|;]\s*")


@dataclass
class LabelledImage:
    """One image of a dataset with its labels."""

    key: str
    """Stable id within the dataset (its relative path)."""
    path: Path
    labels: dict[str, str] = field(default_factory=dict)
    split: str | None = None
    """The dataset's own split (train, val, test), or None to let artscope split."""
    date: str | None = None


@dataclass
class AttributeDataset:
    """A dataset's images, and for each field every class it names (some may have no image here)."""

    name: str
    items: list[LabelledImage]
    classes: dict[str, list[str]]
    missing_images: int = 0
    """Listed images that are not on disk (partial downloads are common; they are skipped)."""


DatasetLoader = Callable[[Path], AttributeDataset]
attribute_datasets: Registry[DatasetLoader] = Registry("attribute datasets")


def load_attribute_dataset(root: Path, format_name: str) -> AttributeDataset:
    """Load ``root`` in the layout ``format_name`` names (``wikiart``, ``artgraph``)."""
    root = existing(Path(root), f"the {format_name} dataset folder")
    return attribute_datasets.get(format_name)(root)


# -- WikiArt (ArtGAN split) ----------------------------------------------------------------------
def _read_classes(path: Path) -> list[str]:
    """``<task>_class.txt``: "index name" lines with indices 0..n-1 in order."""
    names = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        index, _, name = line.strip().partition(" ")
        if not index.isdigit() or not name.strip() or int(index) != len(names):
            raise SourceFormatError(f"{path} line {number}: expected '{len(names)} ClassName', got {line!r}.")
        names.append(name.strip())
    if not names:
        raise SourceFormatError(f"{path} lists no classes; expected 'index name' lines.")
    return names


def _read_split_rows(path: Path, n_classes: int) -> Iterator[tuple[str, int]]:
    """``<task>_<split>.csv``: header-less ``relative/path.jpg,class_index`` rows."""
    with path.open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.reader(handle), start=1):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) != 2 or not row[1].strip().isdigit():
                raise SourceFormatError(f"{path} line {number}: the class index (second field) must be a "
                                        f"whole number after the image path; got {row!r}.")
            index = int(row[1])
            if index >= n_classes:
                raise SourceFormatError(f"{path} line {number}: class index {index} is not in the "
                                        f"{n_classes} classes of its class list.")
            yield row[0].strip(), index


def _year_from_name(relative: str) -> str | None:
    match = _YEAR_IN_NAME.search(Path(relative).stem)
    return match.group(1) if match else None


@attribute_datasets.register("wikiart")
def load_wikiart(root: Path) -> AttributeDataset:
    """WikiArt in the ArtGAN split (see the module docstring for the layout)."""
    lists = root / "wikiart_csv" if (root / "wikiart_csv").is_dir() else root
    images = root / "wikiart" if (root / "wikiart").is_dir() else root
    items: dict[str, LabelledImage] = {}
    classes: dict[str, list[str]] = {}
    for task in WIKIART_TASKS:
        if not (lists / f"{task}_class.txt").exists():
            continue
        classes[task] = _read_classes(lists / f"{task}_class.txt")
        for split in ("train", "val"):
            path = existing(lists / f"{task}_{split}.csv", f"the {task} {split} list of the ArtGAN split")
            for relative, index in _read_split_rows(path, len(classes[task])):
                item = items.setdefault(relative, LabelledImage(key=relative, path=images / relative,
                                                                date=_year_from_name(relative)))
                item.labels[task] = classes[task][index]
                item.split = "test" if split == "val" or item.split == "test" else "train"
    if not classes:
        raise SourceFormatError(f"{lists} has none of {', '.join(t + '_class.txt' for t in WIKIART_TASKS)}: "
                                "expected the ArtGAN split files of WikiArt.")
    return _on_disk("wikiart", list(items.values()), classes)


# -- ArtGraph-style CSV export ------------------------------------------------------------------
def _artgraph_file(root: Path) -> Path:
    if root.is_file():
        return root
    candidates = sorted(root.glob("*.csv"))
    if len(candidates) != 1:
        raise SourceFormatError(f"{root} should hold one CSV export of artworks (found {len(candidates)}); "
                                "pass the CSV file itself as --data.")
    return candidates[0]


def _first_value(cell: str | None) -> str | None:
    values = [v for v in _SEPARATORS.split(cell or "") if v.strip()]
    return values[0].strip() if values else None


def _artgraph_columns(path: Path, header: list[str]) -> tuple[str, dict[str, str], str | None, str | None]:
    """(image column, attribute column -> field, date column, split column) of an export's header."""
    by_name = {name.strip().lower(): name for name in header}
    image_column = next((by_name[c] for c in ARTGRAPH_IMAGE_COLUMNS if c in by_name), None)
    if image_column is None:
        raise SourceFormatError(f"{path} has no image column; name one of "
                                f"{', '.join(ARTGRAPH_IMAGE_COLUMNS)}.")
    fields = {by_name[c]: f for c, f in ARTGRAPH_FIELDS.items() if c in by_name}
    if not fields:
        raise SourceFormatError(f"{path} has no attribute column; expected some of "
                                f"{', '.join(sorted(ARTGRAPH_FIELDS))}.")
    date_column = next((by_name[c] for c in ARTGRAPH_DATE_COLUMNS if c in by_name), None)
    return image_column, fields, date_column, by_name.get("split")


@attribute_datasets.register("artgraph")
def load_artgraph(root: Path) -> AttributeDataset:
    """An ArtGraph-style CSV export (see the module docstring for the columns)."""
    path = _artgraph_file(root)
    rows = read_csv(path, "an ArtGraph-style export of artworks", columns=[])
    if not rows:
        raise SourceFormatError(f"{path} has no artwork rows under its header.")
    image_column, fields, date_column, split_column = _artgraph_columns(path, list(rows[0]))
    images = path.parent / "images" if (path.parent / "images").is_dir() else path.parent
    items = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        reference = (row.get(image_column) or "").strip()
        if not reference:
            raise SourceFormatError(f"{path} line {number}: the {image_column!r} field is empty.")
        split = (row.get(split_column) or "").strip().lower() or None if split_column else None
        if split not in (None, "train", "val", "test"):
            raise SourceFormatError(f"{path} line {number}: the split field is {split!r}, not train, val "
                                    "or test.")
        labels = {f: v for c, f in fields.items() if (v := _first_value(row.get(c)))}
        date = (row.get(date_column) or "").strip() or None if date_column else None
        items.append(LabelledImage(key=reference, path=images / reference, labels=labels, split=split,
                                   date=date))
    classes = {f: sorted({i.labels[f] for i in items if f in i.labels})
               for f in dict.fromkeys(fields.values())}
    return _on_disk("artgraph", items, classes)


def _on_disk(name: str, items: list[LabelledImage], classes: dict[str, list[str]]) -> AttributeDataset:
    present = [item for item in items if item.path.is_file()]
    return AttributeDataset(name=name, items=present, classes=classes,
                            missing_images=len(items) - len(present))


def write_catalogue(dataset: AttributeDataset, path: Path) -> Path:
    """The dataset as a CSV catalogue that ``collection.ingest`` reads (absolute image paths; the
    labels in the columns artscope maps to artist, medium and the user fields style, genre, period).
    Artwork ids are ``<dataset>/<key>``, as :func:`artwork_id` gives them."""
    fields = list(dict.fromkeys(dataset.classes))
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "file", "title", "date", *fields])
        for item in dataset.items:
            writer.writerow([artwork_id(dataset, item), str(item.path.resolve()), item.path.stem,
                             item.date or "", *(item.labels.get(f, "") for f in fields)])
    return Path(path)


def artwork_id(dataset: AttributeDataset, item: LabelledImage) -> str:
    """The collection id of a dataset image."""
    return f"{dataset.name}/{item.key}"


__all__ = ["ARTGRAPH_FIELDS", "WIKIART_TASKS", "AttributeDataset", "LabelledImage", "artwork_id",
           "attribute_datasets", "load_artgraph", "load_attribute_dataset", "load_wikiart", "write_catalogue"]
