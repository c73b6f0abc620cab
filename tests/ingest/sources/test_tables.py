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


def test_rows_that_are_not_utf8_are_row_problems_and_the_others_are_read(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,place\nCaf\xe9,Arles\nNight,Paris\n".encode("latin-1"))
    rows = list(read_table(latin))
    assert rows[0].problem == (f"{latin}: line 2: column 'title' is not UTF-8 text (byte 0xe9); "
                               "re-save the file as UTF-8")
    assert rows[1].values == {"title": "Night", "place": "Paris"}
    header = tmp_path / "header.csv"
    header.write_bytes("t\xeftre\nA\n".encode("latin-1"))
    with pytest.raises(SourceFormatError, match=r"not UTF-8 text \(its header line\); re-save it as UTF-8"):
        read_header(header)


def test_the_met_rows_a_spreadsheet_re_saved_as_windows_1252(data_dir: Path) -> None:
    """A real copy of MetObjects.csv re-saved by a spreadsheet: semicolons, Windows-1252 dashes."""
    path = data_dir / "met" / "MetObjects-excel-cp1252.csv"
    rows = list(read_table(path))
    assert len(rows) == 40 == count_rows(path)
    assert rows[0].problem == (f"{path}: line 2: column 'Artist Display Bio' is not UTF-8 text (byte 0x96); "
                               "re-save the file as UTF-8")
    readable = [r for r in rows if not r.problem]
    assert [r.values["Object ID"] for r in readable][:3] == ["17", "18", "19"]
    assert readable[0].values["Title"] == "Coin, 1/4 Peso" and readable[0].values["Object Date"] == "1867"


def test_an_unclosed_quote_is_reported_where_it_opens_and_swallows_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text('id,title,date\n1,A,1888\n2,"B is never closed,1889\n3,C,1890\n4,"D\nwith a line break",1891\n'
                    '5,E,1892\n', encoding="utf-8")
    rows = list(read_table(path))
    assert rows[1].position == "line 3" and rows[1].problem.startswith(
        f"{path}: line 3: a quote opened in this row is not closed")
    assert [(r.position, r.values.get("id")) for r in rows if not r.problem] == [
        ("line 2", "1"), ("line 4", "3"), ("line 5", "4"), ("line 7", "5")]
    assert rows[3].values["title"] == "D\nwith a line break"  # a quoted line break is not the error
    last = tmp_path / "last.csv"
    last.write_text('id,title\n1,A\n2,"B\n', encoding="utf-8")
    assert [r.problem is None for r in read_table(last)] == [True, False]
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
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops")
    with pytest.raises(SourceFormatError, match=r"x\.json is not valid JSON \(line 1"):
        list(read_table(not_json))
    broken = tmp_path / "broken.json"
    broken.write_text('[{"title": "A"}, {"title": "B"')
    rows = list(read_table(broken))
    assert rows[0].values == {"title": "A"}
    assert rows[1].problem.startswith(f"{broken}: item 2: not valid JSON (line 1")
    assert "the rest of the file was not read" in rows[1].problem


def test_a_json_item_nested_too_deeply_is_its_own_problem(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "deep.json"
    path.write_text(f'[{{"title": "A"}}, {{"title": {deep}}}, {{"title": "C", "year_start": 1e30}}]')
    rows = list(read_table(path))
    assert rows[0].values == {"title": "A"} and rows[2].values["title"] == "C"
    assert rows[1].problem == f"{path}: item 2: nested too deeply to be a catalogue row"
    lines = tmp_path / "deep.jsonl"
    lines.write_text(f'{{"title": "A"}}\n{{"title": {deep}}}\n{{"title": "C"}}\n')
    assert [r.problem for r in read_table(lines)] == [None, f"{lines}: line 2: nested too deeply to be a catalogue row",
                                                      None]


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
