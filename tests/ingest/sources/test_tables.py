"""Reading CSV, JSON and JSONL catalogue files: quirks per row, wrong formats per file."""

from __future__ import annotations

from pathlib import Path

import pytest

from artscope.errors import SourceFormatError
from artscope.ingest.sources.tables import count_rows, read_header, read_table

from .layouts import write_csv, write_json


def test_csv_with_bom_quoted_newlines_and_a_short_row(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "c.csv", ["id", "title", "note"],
                     [["1", "A, with comma", "line one\nline two"], ["2", "B", "x"]], bom=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("3,only two\r\n\r\n4,D,ok\r\n")
    rows = list(read_table(path))
    assert read_header(path) == ["id", "title", "note"]  # no BOM glued to "id"
    assert rows[0].values == {"id": "1", "title": "A, with comma", "note": "line one\nline two"}
    assert rows[1].position == "line 4"  # the quoted line break counts
    assert rows[2].problem == f"{path}: line 5: 2 cells where the header has 3 columns " \
                              "(a comma or line break inside an unquoted field?)"
    assert rows[3].values["id"] == "4" and rows[3].position == "line 7"
    assert count_rows(path) == 4


def test_semicolon_separated_csv_and_repeated_columns(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ["titel", "tag", "tag"], [["Nachtwacht", "a", "b"]], delimiter=";")
    assert next(read_table(path)).values == {"titel": "Nachtwacht", "tag": "a", "tag (2)": "b"}


def test_tsv_by_suffix(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("title\tartist\nA, B\tC\n", encoding="utf-8")
    assert next(read_table(path)).values == {"title": "A, B", "artist": "C"}


def test_not_utf8_empty_and_headerless_csv_raise(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceFormatError, match=r"not UTF-8 text.*re-save it as UTF-8"):
        list(read_table(latin))
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SourceFormatError, match=r"empty\.csv is empty"):
        list(read_table(empty))
    blank_header = tmp_path / "blank.csv"
    blank_header.write_text(",,\n1,2,3\n")
    with pytest.raises(SourceFormatError, match="no column names"):
        read_header(blank_header)


def test_json_array_items_and_wrong_json_shapes(tmp_path: Path) -> None:
    path = write_json(tmp_path / "c.json", [{"title": "A", "year": 1888}, "not an object"])
    rows = list(read_table(path))
    assert rows[0].values == {"title": "A", "year": 1888} and rows[0].position == "item 1"
    assert rows[1].problem == f"{path}: item 2: a JSON str, not an object"
    with pytest.raises(SourceFormatError, match="expected a JSON array"):
        list(read_table(write_json(tmp_path / "o.json", {"title": "A"})))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "A"')
    with pytest.raises(SourceFormatError, match=r"broken.json is not valid JSON \(line 1"):
        list(read_table(broken))


def test_jsonl_bad_line_is_a_row_problem_but_a_bad_first_line_is_the_file(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"title": "A"}\n\n{oops\n[1]\n{"title": "B"}\n', encoding="utf-8")
    rows = list(read_table(path))
    assert [r.position for r in rows] == ["line 1", "line 3", "line 4", "line 5"]
    assert rows[1].problem.startswith(f"{path}: line 3: not valid JSON")
    assert rows[2].problem == f"{path}: line 4: a JSON list, not an object"
    assert count_rows(path) == 4
    not_jsonl = tmp_path / "n.jsonl"
    not_jsonl.write_text("title,artist\nA,B\n")
    with pytest.raises(SourceFormatError, match="line 1 is not JSON"):
        list(read_table(not_jsonl))
