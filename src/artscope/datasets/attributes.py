"""Loaders for attribute-prediction datasets in their published layouts.

- ``wikiart``: the ArtGAN split of WikiArt (cs-chan/ArtGAN, "WikiArt Dataset"), as its repository
  lays it out: one folder per task (``Style/``, ``Genre/``, ``Artist/``) holding the class list
  (``style_class.txt``; ``genre_class`` and ``artist_class`` have no extension) with "index name"
  lines, and the ``train`` and ``val`` lists (``style_train.csv``; ``artist_train`` has no extension)
  with ``relative/path.jpg,index`` rows. The artist lists open with a header line
  ``(Path to image),, (Groundtruth class)`` and a blank line and separate the fields with ``,,``; the
  style and genre lists end their lines with CRLF. The folder may also hold the lists flat, or in
  ``wikiart_csv/`` (the CSV download). Images sit under ``wikiart/`` (or the folder itself). A task's
  files may be absent (not every download has all three). ArtGAN's ``val`` lists are the sets papers
  report on, so they become artscope's test split; when several tasks are loaded together, an image
  in any task's val list is kept out of training for all of them, so no test image is trained on.
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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from artscope.datasets import existing, hash_split, read_csv
from artscope.errors import InvalidInputError, SourceFormatError
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
_TASK_FOLDERS = {"style": "Style", "genre": "Genre", "artist": "Artist"}
_SPLIT_ROW = re.compile(r"^(?P<path>.+?)\s*,+\s*(?P<index>\d+)\s*$")


def _list_file(folders: list[Path], stem: str, suffix: str) -> Path | None:
    """``stem`` + ``suffix`` or bare ``stem`` (ArtGAN ships both spellings), in the first folder that has it."""
    for folder in folders:
        for name in (f"{stem}{suffix}", stem):
            if (folder / name).is_file():
                return folder / name
    return None


def _read_classes(path: Path) -> list[str]:
    """A class list: "index name" lines with indices 0..n-1 in order."""
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
    """A split list: ``relative/path.jpg,class_index`` rows (``,,`` in the artist lists), after an
    optional header line such as ``(Path to image),, (Groundtruth class)``; blank lines skipped."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        match = _SPLIT_ROW.match(line.strip())
        if match is None:
            if number == 1 and "," in line:  # the header line of ArtGAN's artist lists
                continue
            raise SourceFormatError(f"{path} line {number}: expected 'path/to/image.jpg,class_index', got "
                                    f"{line.strip()!r}.")
        index = int(match["index"])
        if index >= n_classes:
            raise SourceFormatError(f"{path} line {number}: class index {index} is not in the "
                                    f"{n_classes} classes of its class list.")
        yield match["path"], index


def _year_from_name(relative: str) -> str | None:
    match = _YEAR_IN_NAME.search(Path(relative).stem)
    return match.group(1) if match else None


def _task_folders(root: Path, task: str) -> list[Path]:
    return [root / _TASK_FOLDERS[task], root / "wikiart_csv", root]


@attribute_datasets.register("wikiart")
def load_wikiart(root: Path, tasks: Sequence[str] = WIKIART_TASKS) -> AttributeDataset:
    """WikiArt in the ArtGAN split, for some or all of its tasks (see the module docstring)."""
    unknown = [t for t in tasks if t not in WIKIART_TASKS]
    if unknown:
        raise InvalidInputError(f"WikiArt's ArtGAN tasks are {', '.join(WIKIART_TASKS)}, not {', '.join(unknown)}.")
    images = root / "wikiart" if (root / "wikiart").is_dir() else root
    items: dict[str, LabelledImage] = {}
    classes: dict[str, list[str]] = {}
    for task in tasks:
        folders = _task_folders(root, task)
        class_file = _list_file(folders, f"{task}_class", ".txt")
        if class_file is None:
            continue
        classes[task] = _read_classes(class_file)
        for split in ("train", "val"):
            path = _list_file(folders, f"{task}_{split}", ".csv")
            if path is None:
                raise SourceFormatError(f"{class_file.parent / f'{task}_{split}.csv'} is missing: expected the "
                                        f"{task} {split} list of the ArtGAN split (with or without .csv).")
            for relative, index in _read_split_rows(path, len(classes[task])):
                item = items.setdefault(relative, LabelledImage(key=relative, path=images / relative,
                                                                date=_year_from_name(relative)))
                item.labels[task] = classes[task][index]
                item.split = "test" if split == "val" or item.split == "test" else "train"
    if not classes:
        wanted = ", ".join(f"{_TASK_FOLDERS[t]}/{t}_class[.txt]" for t in tasks)
        raise SourceFormatError(f"{root} has none of {wanted}: expected ArtGAN's 'WikiArt Dataset' folder.")
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


@dataclass(frozen=True)
class AttributeBenchmark:
    """One field of a dataset as a classification benchmark: its classes, the training images and the
    test images (each labelled for that field)."""

    name: str
    attribute: str
    labels: list[str]
    train: list[LabelledImage]
    items: list[LabelledImage]
    """The test split: what a model is scored on."""
    missing_images: int = 0


def attribute_benchmark(dataset: AttributeDataset, attribute: str) -> AttributeBenchmark:
    """``dataset``'s ``attribute`` as a benchmark: the published split where there is one (a dataset's
    ``val`` list is what papers report on), a stable 80/20 hash of the image key otherwise."""
    if attribute not in dataset.classes:
        raise SourceFormatError(f"The {dataset.name} data has no {attribute!r} labels (it has: "
                                f"{', '.join(dataset.classes) or 'none'}).")
    labelled = [item for item in dataset.items if attribute in item.labels]
    split = {item.key: item.split if item.split in ("train", "test") else
             "test" if item.split == "val" else hash_split(item.key) for item in labelled}
    train = [item for item in labelled if split[item.key] == "train"]
    test = [item for item in labelled if split[item.key] == "test"]
    if not train or not test:
        raise SourceFormatError(f"The {dataset.name} {attribute} data on disk has {len(train)} training and "
                                f"{len(test)} test images ({dataset.missing_images} listed images missing); "
                                "a benchmark needs both.")
    return AttributeBenchmark(f"{dataset.name}-{attribute}", attribute, dataset.classes[attribute], train, test,
                              dataset.missing_images)


def load_wikiart_benchmark(root: Path, task: str) -> AttributeBenchmark:
    """One ArtGAN task of WikiArt (style, genre or artist): its own train and val lists only."""
    return attribute_benchmark(load_wikiart(existing(Path(root), "the WikiArt folder"), (task,)), task)


def load_artgraph_benchmark(root: Path, attribute: str) -> AttributeBenchmark:
    """One field of an ArtGraph-style CSV export as a benchmark."""
    return attribute_benchmark(load_artgraph(existing(Path(root), "the ArtGraph export")), attribute)


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


__all__ = ["ARTGRAPH_FIELDS", "WIKIART_TASKS", "AttributeBenchmark", "AttributeDataset", "LabelledImage",
           "artwork_id", "attribute_benchmark", "attribute_datasets", "load_artgraph", "load_artgraph_benchmark",
           "load_attribute_dataset", "load_wikiart", "load_wikiart_benchmark", "write_catalogue"]
