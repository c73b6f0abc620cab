"""The Met's MetObjects.csv in its published layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from artscope.errors import SourceFormatError
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.met import MetSource

from .layouts import MET_HEADER, met_row, write_csv


def write_met(path: Path) -> Path:
    return write_csv(path, MET_HEADER, [
        met_row(**{
            "Object Number": "1993.132", "Is Highlight": "True", "Is Timeline Work": "True",
            "Is Public Domain": "True", "Object ID": "436535", "Gallery Number": "822",
            "Department": "European Paintings", "AccessionYear": "1993", "Object Name": "Painting",
            "Title": "Wheat Field with Cypresses", "Constituent ID": "161947", "Artist Role": "Artist",
            "Artist Display Name": "Vincent van Gogh", "Artist Display Bio": "Dutch, Zundert 1853–1890 Auvers",
            "Artist Nationality": "Dutch", "Artist ULAN URL": "http://vocab.getty.edu/page/ulan/500115588",
            "Object Date": "1889", "Object Begin Date": "1889", "Object End Date": "1889",
            "Medium": "Oil on canvas", "Dimensions": "28 7/8 × 36 3/4 in. (73.2 × 93.4 cm)",
            "Credit Line": "Purchase, The Annenberg Foundation Gift, 1993", "Classification": "Paintings",
            "Link Resource": "http://www.metmuseum.org/art/collection/search/436535",
            "Metadata Date": "", "Repository": "Metropolitan Museum of Art, New York, NY",
            "Tags": "Landscapes|Cypresses|Wheat"}),
        met_row(**{
            "Object Number": "JP1278", "Is Highlight": "False", "Is Timeline Work": "False",
            "Is Public Domain": "False", "Object ID": "36491", "Department": "Asian Art",
            "Object Name": "Print", "Title": "Portrait of a Woman,\nthree-quarter view", "Culture": "Japan",
            "Period": "Edo period (1615–1868)", "Artist Role": "Artist|Publisher",
            "Artist Display Name": "Kitagawa Utamaro | Tsutaya Jūzaburō ",
            "Artist Nationality": "Japanese|Japanese", "Object Date": "ca. 1795",
            "Object Begin Date": "1790", "Object End Date": "1800",
            "Medium": "Polychrome woodblock print; ink and color on paper", "City": "Edo", "Country": "Japan",
            "Classification": "Prints", "Repository": "Metropolitan Museum of Art, New York, NY",
            "Tags": "Women|Portraits"}),
        met_row(**{"Object Number": "X.1", "Is Highlight": "False", "Is Timeline Work": "False",
                   "Is Public Domain": "Yes", "Object ID": "99", "Title": "Bad flag"}),
        met_row(**{"Object Number": "X.2", "Is Highlight": "False", "Is Timeline Work": "False",
                   "Is Public Domain": "False", "Object ID": "100", "Title": "No date",
                   "Object Begin Date": "0", "Object End Date": "0"}),
        met_row(**{"Object Number": "X.3", "Is Public Domain": "False", "Object ID": "101",
                   "Object Begin Date": "about 1500"}),
    ], bom=True)


def test_met_objects_csv_with_its_quirks(tmp_path: Path) -> None:
    path = write_met(tmp_path / "MetObjects.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b'"Portrait of a Woman,\r\nthree-quarter view"' not in raw
    assert b'"Portrait of a Woman,\nthree-quarter view"' in raw  # a quoted line break inside a field
    source = open_source(str(path))
    assert isinstance(source, MetSource) and len(source) == 5
    wheat, print_, bad_flag, no_date, bad_year = list(source)
    assert wheat.key == "436535"
    assert wheat.record.model_dump(exclude={"views"}) == {
        "id": "436535", "title": "Wheat Field with Cypresses", "artists": ["Vincent van Gogh"], "date": "1889",
        "year_start": 1889, "year_end": 1889, "type": "Painting", "medium": "Oil on canvas",
        "dimensions": "28 7/8 × 36 3/4 in. (73.2 × 93.4 cm)", "place": None,
        "institution": "Metropolitan Museum of Art, New York, NY", "description": None,
        "subjects": ["Landscapes", "Cypresses", "Wheat"], "license": "CC0-1.0",
        "credit": "Purchase, The Annenberg Foundation Gift, 1993",
        "extra": {"object_number": "1993.132", "department": "European Paintings", "accession_year": "1993",
                  "classification": "Paintings", "gallery_number": "822",
                  "link": "http://www.metmuseum.org/art/collection/search/436535",
                  "artist_roles": ["Artist"], "artist_nationality": ["Dutch"],
                  "artist_ulan": ["http://vocab.getty.edu/page/ulan/500115588"],
                  "is_highlight": True, "is_timeline_work": True, "is_public_domain": True}}
    assert wheat.record.views == []  # the CSV has no images
    record = print_.record
    assert record.title == "Portrait of a Woman,\nthree-quarter view"
    assert record.artists == ["Kitagawa Utamaro", "Tsutaya Jūzaburō"]
    assert (record.date, record.year_start, record.year_end) == ("ca. 1795", 1790, 1800)
    assert (record.license, record.place, record.extra["culture"]) == (None, "Edo, Japan", "Japan")
    assert record.extra["artist_roles"] == ["Artist", "Publisher"]
    # line 5, not 4: the quoted line break of the row before is inside a field
    assert bad_flag.error == f"{path}: line 5: 'Is Public Domain' is 'Yes', expected True or False"
    assert bad_flag.key == "MetObjects.csv: line 5"
    assert (no_date.record.year_start, no_date.record.year_end) == (None, None)
    assert bad_year.error == f"{path}: line 7: 'Object Begin Date' is 'about 1500', not a whole year"


def test_a_primary_image_column_becomes_a_view(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "met.csv", [*MET_HEADER, "primaryImage"], [
        [*met_row(**{"Object ID": "1", "Title": "T", "Is Public Domain": "True"}),
         "https://images.metmuseum.org/CRDImages/ep/original/DT1567.jpg"]])
    [item] = list(open_source(str(path)))
    assert [v.uri for v in item.record.views] == ["https://images.metmuseum.org/CRDImages/ep/original/DT1567.jpg"]


def test_a_csv_without_the_met_columns_is_refused_by_kind(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "other.csv", ["title", "artist"], [["A", "B"]])
    with pytest.raises(SourceFormatError, match="lacks the column\\(s\\) 'Object ID', 'Title', 'Is Public Domain'"):
        open_source(str(path), SourceOptions(), kind="met")


def test_real_met_rows_field_by_field(data_dir: Path) -> None:
    """The Met's own rows (tests/data/met/README: the first 300 of MetObjects.csv, in the published layout)."""
    source = open_source(str(data_dir / "met" / "MetObjects-excerpt.csv"))
    assert isinstance(source, MetSource) and len(source) == 300
    items = list(source)
    assert not [i.error for i in items if i.error] and len({i.record.id for i in items}) == 300
    by_id = {i.record.id: i.record for i in items}
    coin = by_id["1"]
    assert (coin.title, coin.artists, coin.date, coin.year_start, coin.year_end, coin.type, coin.medium) == (
        "One-dollar Liberty Head Coin", ["James Barton Longacre"], "1853", 1853, 1853, "Coin", "Gold")
    assert (coin.credit, coin.license, coin.extra["object_number"]) == (
        "Gift of Heinz L. Stoppelmann, 1979", None, "1979.486.1")
    vase = by_id["35"]  # two makers, bar-separated with padding, a highlight, a range written "1893–95"
    assert (vase.artists, vase.extra["artist_roles"], vase.extra["is_highlight"]) == (
        ["Paulding Farnham", "Tiffany & Co."], ["Designer", "Manufacturer"], True)
    assert (vase.date, vase.year_start, vase.year_end) == ("1893–95", 1893, 1895)
    assert vase.dimensions == "Overall: 19 7/16 x 13 x 9 1/4 in. (49.4 x 33 x 23.5 cm); 352 oz. 18 dwt. (10977 g)"
    clock = by_id["34"]
    assert (clock.license, clock.place, clock.subjects) == (
        "CC0-1.0", "Bristol, United States", ["Landscapes", "Boats"])
