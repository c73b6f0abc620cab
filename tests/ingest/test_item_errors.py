"""Errors per item, never per run; ids that never overwrite another source's artworks; nothing dropped
without a message. (Text embedding is left for later, ``embed=False``: these are catalog questions.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import artscope
from artscope.ingest.pipeline import batches
from artscope.ingest.sources.base import SourceItem, SourceOptions
from artscope.types import ArtworkRecord, ImageView


def write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def collection(tmp_path: Path):
    with artscope.create(tmp_path / "c") as made:
        yield made


def test_out_of_range_years_fail_their_row_only(collection, tmp_path: Path) -> None:
    rows = "".join(f"{i},Work {i},{1800 + i}\n" for i in range(1, 31))
    csv_path = write(tmp_path / "works.csv", "id,title,year start\n" + rows.replace(
        "7,Work 7,1807", "7,Work 7,12345678901234567890"))
    summary = collection.ingest([csv_path], embed=False)
    assert (summary.added, summary.failed) == (29, 1)
    [error] = summary.errors
    assert error.error == (f"{csv_path}: line 8: 'year start' is '12345678901234567890', outside the years "
                           "-3000000 to 9999")
    items = [{"id": f"j{i}", "title": f"J {i}", "year_start": 1900 + i} for i in range(5)]
    items[2]["year_start"] = 1e30
    json_path = write(tmp_path / "works.json", json.dumps(items) + "\n")
    summary = collection.ingest([json_path], embed=False)
    assert (summary.added, summary.failed) == (4, 1)
    assert summary.errors[0].error.startswith(f"{json_path}: item 3: 'year_start' is 1e+30, not a whole year")


def test_a_year_range_written_backwards_is_turned_round_with_a_warning(collection, tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", "id,title,year start,year end,date\na,A,1890,1850,\nb,B,,,-500\nc,C,,,500 BC\n"
                                     "d,D,,,3rd century BCE\n")
    summary = collection.ingest([path], embed=False)
    assert (summary.added, summary.failed) == (4, 0)
    years = {r.id: (r.year_start, r.year_end) for r in collection.catalog.iter_records()}
    assert years == {"a": (1850, 1890), "b": (-500, -500), "c": (-500, -500), "d": (-300, -201)}
    [warning] = summary.warnings
    assert warning.error == "the year range 1890 to 1850 runs backwards; stored as 1850 to 1890"
    assert collection.catalog.job(summary.job_id)["warnings"][0]["warning"] == warning.error


def test_ids_of_two_catalogues_never_overwrite_each_other(collection, tmp_path: Path) -> None:
    first = write(tmp_path / "paintings.csv", "id,title\n1,Painting one\n2,Painting two\n")
    second = write(tmp_path / "prints.csv", "id,title\n1,Print one\n3,Print three\n")
    collection.ingest([first], embed=False)
    summary = collection.ingest([second], embed=False)
    assert (summary.added, summary.updated) == (2, 0)
    titles = {r.id: r.title for r in collection.catalog.iter_records()}
    assert titles == {"1": "Painting one", "2": "Painting two", "prints:1": "Print one", "3": "Print three"}
    [warning] = summary.warnings
    assert warning.error.startswith(f"id '1' already belongs to an artwork from csv:{first}; this record is stored "
                                    "as 'prints:1'")
    again = collection.ingest([first, second], embed=False)  # the same ids every time, nothing new
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    # a mapped id column says that the ids name the same artworks everywhere: an update, with a warning
    mapped = collection.ingest([write(tmp_path / "fix.csv", "inv,title\n2,Painting two (restored)\n")],
                               options=SourceOptions(mapping={"inv": "id"}), embed=False)
    assert mapped.updated == 1 and "also comes from csv:" in mapped.warnings[0].error
    assert collection.catalog.get("2").title == "Painting two (restored)"


def test_an_id_given_twice_in_one_source_keeps_the_first_row_every_time(collection, tmp_path: Path) -> None:
    path = write(tmp_path / "w.csv", "id,title\n7,First\n8,Other\n7,Second\n")
    for _ in range(2):
        summary = collection.ingest([path], embed=False)
        assert collection.catalog.get("7").title == "First" and summary.failed == 1
        assert "id '7' was already given by item '7' of this source; the first one is kept" in summary.errors[0].error
    assert collection.catalog.count() == 2


def test_duplicate_passage_ids_keep_the_first_and_name_both_lines(collection, tmp_path: Path) -> None:
    lines = [{"id": "p1", "text": "The first text."}, {"id": "p2", "text": "Another."},
             {"id": "p1", "text": "A second text under the same id."}]
    path = write(tmp_path / "p.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    for _ in range(2):
        summary = collection.ingest([path], embed=False)
        assert collection.catalog.get_passage("p1").text == "The first text."
        [error] = summary.errors
        assert error.error == f"{path}: line 3: passage id 'p1' was already given on line 1; the first one is kept"


def test_unpaired_surrogates_and_huge_numbers_fail_their_item(collection, tmp_path: Path) -> None:
    path = write(tmp_path / "w.jsonl", '{"id": "a", "title": "ok"}\n{"id": "b", "title": "bad \\ud800"}\n'
                                       '{"id": "c", "title": "big", "accession": 123456789012345678901234567890}\n'
                                       '{"id": "d", "title": "nan", "weight": NaN}\n{"id": "e", "title": "fine"}\n')
    summary = collection.ingest([path], embed=False)
    assert sorted(r.id for r in collection.catalog.iter_records()) == ["a", "e"]
    messages = [e.error for e in summary.errors]
    assert "unpaired surrogate" in messages[0] and "too large to store" in messages[1]
    assert "'weight' is nan, not a finite number" in messages[2]


def test_batches_start_with_one_image_and_double() -> None:
    image = [SourceItem(key=str(i), record=ArtworkRecord(id=str(i), views=[ImageView(uri=f"/{i}.jpg")]))
             for i in range(40)]
    assert [len(b) for b in batches(image, 8)] == [1, 2, 4, 8, 8, 8, 8, 1]
    records = [SourceItem(key=str(i), record=ArtworkRecord(id=str(i))) for i in range(300)]
    assert [len(b) for b in batches(records, 8)] == [32, 64, 128, 76]
