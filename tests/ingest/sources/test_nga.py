"""The National Gallery of Art's open-data CSVs, joined."""

from __future__ import annotations

from pathlib import Path

import pytest

from artscope.errors import SourceFormatError
from artscope.ingest.sources import SourceOptions, open_source
from artscope.ingest.sources.nga import NgaSource

from .layouts import NGA_IIIF, NGA_IMAGES, write_csv, write_nga


def test_nga_objects_joined_with_images_artists_and_terms(tmp_path: Path) -> None:
    folder = write_nga(tmp_path / "nga")
    source = open_source(str(folder))
    assert isinstance(source, NgaSource) and len(source) == 3
    farmhouse, madonna, bad = list(source)
    assert farmhouse.key == "46626"
    assert farmhouse.record.model_dump(exclude={"views"}) == {
        "id": "46626", "title": "Farmhouse in Provence", "artists": ["Vincent van Gogh"], "date": "1888",
        "year_start": 1888, "year_end": 1888, "type": "Painting", "medium": "oil on canvas",
        "dimensions": "overall: 46.1 x 60.9 cm (18 1/8 x 24 in.)", "place": "Arles",
        "institution": "National Gallery of Art, Washington", "description": None,
        "subjects": ["landscape", "farmhouse", "wheat field"], "license": None,
        "credit": "Ailsa Mellon Bruce Collection",
        "extra": {"accession_number": "1970.17.34", "attribution": "Vincent van Gogh", "department": "FDC",
                  "style": ["Post-Impressionist"], "school": ["Dutch"], "theme": ["landscape"],
                  "technique": ["impasto"]}}
    assert [(v.uri, v.label) for v in farmhouse.record.views] == [
        (f"{NGA_IIIF}/a1/full/!1024,1024/0/default.jpg", "primary"),
        (f"{NGA_IIIF}/b2/full/!1024,1024/0/default.jpg", "alternate")]
    assert madonna.record.artists == ["Raphael"] and (madonna.record.year_start, madonna.record.year_end) == (
        1505, 1505)  # no begin/end years: parsed from the display date
    assert madonna.record.subjects == ["Madonna and Child"]
    assert madonna.record.extra["inscription"] == "MDVIII, RA"
    assert bad.error == f"{folder / 'objects.csv'}: line 4: 'beginyear' is '15th', not a whole year"


def test_without_the_people_files_the_attribution_is_the_artist(tmp_path: Path) -> None:
    folder = write_nga(tmp_path / "nga", with_people=False)
    farmhouse = next(iter(open_source(str(folder / "objects.csv"))))  # the objects.csv path works too
    assert farmhouse.record.artists == ["Vincent van Gogh"] and farmhouse.record.subjects == []


def test_a_folder_without_the_nga_columns_is_refused(tmp_path: Path) -> None:
    write_csv(tmp_path / "objects.csv", ["id", "name"], [["1", "x"]])
    write_csv(tmp_path / "published_images.csv", NGA_IMAGES, [])
    with pytest.raises(SourceFormatError, match=r"objects\.csv lacks the NGA column\(s\) objectid, title"):
        open_source(str(tmp_path), SourceOptions(), kind="nga")
