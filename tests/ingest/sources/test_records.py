"""Column names -> fields, cells -> values, rows -> records."""

from __future__ import annotations

import pytest

from artscope.errors import InvalidInputError
from artscope.ingest.sources.records import (
    ColumnPlan,
    extra_key,
    list_value,
    normalise_name,
    read_row,
    slugify,
    target_of,
    title_from_filename,
    year_value,
)


@pytest.mark.parametrize(("name", "target"), [
    ("Title", "title"), ("ARTIST", "artists"), ("creator", "artists"), ("Maker", "artists"),
    ("dc:creator", "artists"), ("dcterms:created", "date"), ("Dublin Core:Date", "date"),
    ("dcterms:format", "medium"), ("dcterms:extent", "dimensions"), ("dcterms:spatial", "place"),
    ("dcterms:subject", "subjects"), ("dcterms:rights", "license"), ("dcterms:license", "license"),
    ("dcterms:identifier", "id"), ("dcterms:publisher", "institution"), ("Credit Line", "credit"),
    ("credit_line", "credit"), ("Object Type", "type"), ("Classification", "type"),
    ("Materials", "medium"), ("Tags", "subjects"), ("keywords", "subjects"), ("Repository", "institution"),
    ("filename", "image"), ("image_url", "image"), ("Begin Year", "year_start"), ("endyear", "year_end"),
    ("Style", None), ("Provenance", None),
])
def test_common_and_dublin_core_names_map_to_fields(name: str, target: str | None) -> None:
    assert target_of(name) == target


def test_names_normalise_without_namespace_and_punctuation() -> None:
    assert normalise_name(" dcterms:Credit_Line ") == "credit line"
    assert extra_key("Object Name") == "object_name"
    assert extra_key("Dublin Core:Contributor") == "contributor"


def test_the_best_alias_wins_and_the_others_stay_in_extra() -> None:
    plan = ColumnPlan.build(["origin", "place", "caption", "description", "name", "title", "style"])
    assert plan.targets == {"place": "place", "origin": "extra:origin", "description": "description",
                            "caption": "extra:caption", "title": "title", "name": "extra:name",
                            "style": "extra:style"}


def test_explicit_mapping_overrides_and_targets_any_name() -> None:
    plan = ColumnPlan.build(["Maker Name", "Artist", "Stijl"], {"Maker Name": "artist", "stijl": "Style"})
    assert plan.targets == {"Maker Name": "artists", "Stijl": "extra:style", "Artist": "extra:artist"}


def test_mapping_a_missing_column_names_the_columns_there_are() -> None:
    with pytest.raises(InvalidInputError, match=r"--map names column 'Painter', which catalog\.csv does not "
                                                r"have\. Its columns are: title, artist"):
        ColumnPlan.build(["title", "artist"], {"Painter": "artists"}, where="catalog.csv")
    # JSON rows differ in their keys: there a mapped key that is absent is not an error
    assert ColumnPlan.build(["title"], {"Painter": "artists"}, strict=False).targets == {"title": "title"}


def test_list_cells_split_on_the_bar_with_padding_dropped() -> None:
    assert list_value(" Claude Monet | Pierre-Auguste Renoir |") == ["Claude Monet", "Pierre-Auguste Renoir"]
    assert list_value(["a|b", "c", None, ""]) == ["a", "b", "c"]
    assert list_value(None) == []


def test_years_must_be_whole_numbers() -> None:
    assert year_value(" 1888 ", "year") == 1888
    assert year_value(-200, "year") == -200
    assert year_value(1888.0, "year") == 1888
    assert year_value("", "year") is None
    with pytest.raises(InvalidInputError, match="'Begin' is 'about 1888', not a whole year"):
        year_value("about 1888", "Begin")


def test_a_row_becomes_a_record_with_years_from_its_date() -> None:
    row = {"ID": "A-1", "Title": " Sunflowers ", "Artist": "Vincent van Gogh|Paul Gauguin", "Date": "1887-8",
           "Tags": "flowers | still life", "File": "a.jpg|b.jpg", "Style": "Post-Impressionism", "Notes": ""}
    fields = read_row(row, ColumnPlan.build(list(row)))
    record = fields.record("fallback", views=[])
    assert fields.images == ["a.jpg", "b.jpg"]
    assert (record.id, record.title, record.artists) == ("A-1", "Sunflowers", ["Vincent van Gogh", "Paul Gauguin"])
    assert (record.date, record.year_start, record.year_end) == ("1887-8", 1887, 1888)
    assert record.subjects == ["flowers", "still life"]
    assert record.extra == {"style": "Post-Impressionism"}


def test_explicit_year_columns_win_over_the_parsed_date() -> None:
    row = {"date": "about 1500", "begin year": "1495", "end year": "1505"}
    record = read_row(row, ColumnPlan.build(list(row))).record("x", views=[], fallback_title="x")
    assert (record.year_start, record.year_end, record.title) == (1495, 1505, "x")


def test_slugs_and_titles_from_paths() -> None:
    assert slugify("images/Van Gogh/The Night Café") == "images-van-gogh-the-night-café"
    assert slugify("https://example.org/iiif/1") == "https-example-org-iiif-1"
    assert title_from_filename("sub/the-night_cafe.jpg") == "the night cafe"
