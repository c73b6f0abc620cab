"""Writers for test files in the published layouts (CSV as spreadsheets and museums export it)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from PIL import Image


def write_image(path: Path, colour: tuple[int, int, int] = (200, 120, 40)) -> Path:
    """A small real image file (format from the suffix)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (16, 12), colour).save(path)
    return path


def write_csv(path: Path, header: list[str], rows: list[list[Any]], bom: bool = False,
              delimiter: str = ",") -> Path:
    """A CSV as the csv module writes it: fields with commas, quotes or line breaks are quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(("\ufeff" if bom else "") + buffer.getvalue(), encoding="utf-8", newline="")
    return path


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


MET_HEADER = [
    "Object Number", "Is Highlight", "Is Timeline Work", "Is Public Domain", "Object ID", "Gallery Number",
    "Department", "AccessionYear", "Object Name", "Title", "Culture", "Period", "Dynasty", "Reign", "Portfolio",
    "Constituent ID", "Artist Role", "Artist Prefix", "Artist Display Name", "Artist Display Bio",
    "Artist Suffix", "Artist Alpha Sort", "Artist Nationality", "Artist Begin Date", "Artist End Date",
    "Artist Gender", "Artist ULAN URL", "Artist Wikidata URL", "Object Date", "Object Begin Date",
    "Object End Date", "Medium", "Dimensions", "Credit Line", "Geography Type", "City", "State", "County",
    "Country", "Region", "Subregion", "Locale", "Locus", "Excavation", "River", "Classification",
    "Rights and Reproduction", "Link Resource", "Object Wikidata URL", "Metadata Date", "Repository", "Tags",
    "Tags AAT URL", "Tags Wikidata URL",
]


def met_row(**values: str) -> list[str]:
    """A MetObjects.csv row: the named columns filled, the rest empty."""
    return [values.get(column, "") for column in MET_HEADER]


NGA_OBJECTS = ["objectid", "accessioned", "accessionnum", "locationid", "title", "displaydate", "beginyear",
           "endyear", "visualbrowsertimespan", "medium", "dimensions", "inscription", "markings",
           "attributioninverted", "attribution", "creditline", "classification", "subclassification",
           "visualbrowserclassification", "parentid", "isvirtual", "departmentabbr", "portfolio", "series",
           "volume", "watermarks", "lastdetectedmodification", "customprinturl"]
NGA_IMAGES = ["uuid", "iiifurl", "iiifthumburl", "viewtype", "sequence", "width", "height", "maxpixels", "created",
          "modified", "depictstmsobjectid", "assistivetext"]
NGA_CONSTITUENTS = ["constituentid", "uuid", "ulanid", "preferreddisplayname", "forwarddisplayname", "lastname",
                "displaydate", "artistofngaobject", "beginyear", "endyear", "visualbrowsertimespan",
                "nationality", "visualbrowsernationality", "constituenttype", "wikidataid"]
NGA_LINKS = ["objectid", "constituentid", "displayorder", "roletype", "role", "prefix", "suffix", "displaydate",
         "beginyear", "endyear", "country", "zipcode"]
NGA_TERMS = ["termid", "objectid", "termtype", "term", "visualbrowsertheme", "visualbrowserstyle"]
NGA_IIIF = "https://api.nga.gov/iiif"


def row(columns: list[str], **values: str) -> list[str]:
    """A row of the given columns: the named ones filled, the rest empty."""
    return [values.get(column, "") for column in columns]


def write_nga(folder: Path, with_people: bool = True) -> Path:
    """An NGA open-data folder: two objects with images, people and terms, and one with a bad year."""
    write_csv(folder / "objects.csv", NGA_OBJECTS, [
        row(NGA_OBJECTS, objectid="46626", accessioned="1", accessionnum="1970.17.34",
            title="Farmhouse in Provence", displaydate="1888", beginyear="1888", endyear="1888",
            medium="oil on canvas", dimensions="overall: 46.1 x 60.9 cm (18 1/8 x 24 in.)",
            attributioninverted="Gogh, Vincent van", attribution="Vincent van Gogh",
            creditline="Ailsa Mellon Bruce Collection", classification="Painting", departmentabbr="FDC"),
        row(NGA_OBJECTS, objectid="1138", accessionnum="1937.1.60", title="The Small Cowper Madonna",
            displaydate="c. 1505", medium="oil on panel", attribution="Raphael", classification="Painting",
            creditline="Widener Collection", inscription="MDVIII, RA"),
        row(NGA_OBJECTS, objectid="77", title="Bad years", beginyear="15th"),
    ])
    write_csv(folder / "published_images.csv", NGA_IMAGES, [
        row(NGA_IMAGES, uuid="u2", iiifurl=f"{NGA_IIIF}/b2", viewtype="alternate", sequence="1",
            depictstmsobjectid="46626"),
        row(NGA_IMAGES, uuid="u1", iiifurl=f"{NGA_IIIF}/a1/", viewtype="primary", sequence="0",
            depictstmsobjectid="46626", assistivetext="A farmhouse"),
        row(NGA_IMAGES, uuid="u3", iiifurl=f"{NGA_IIIF}/c3", viewtype="primary", sequence="0",
            depictstmsobjectid="1138"),
        row(NGA_IMAGES, uuid="u4", iiifurl=f"{NGA_IIIF}/zz", viewtype="primary", sequence="0",
            depictstmsobjectid="999"),  # an image of an object not in objects.csv
    ])
    if with_people:
        write_csv(folder / "constituents.csv", NGA_CONSTITUENTS, [
            row(NGA_CONSTITUENTS, constituentid="1496", preferreddisplayname="Gogh, Vincent van",
                forwarddisplayname="Vincent van Gogh", constituenttype="individual"),
            row(NGA_CONSTITUENTS, constituentid="2000", preferreddisplayname="Mellon Bruce, Ailsa"),
            row(NGA_CONSTITUENTS, constituentid="1819", preferreddisplayname="Raphael"),
        ])
        write_csv(folder / "objects_constituents.csv", NGA_LINKS, [
            row(NGA_LINKS, objectid="46626", constituentid="2000", displayorder="1", roletype="owner", role="donor"),
            row(NGA_LINKS, objectid="46626", constituentid="1496", displayorder="1", roletype="artist", role="artist"),
            row(NGA_LINKS, objectid="1138", constituentid="1819", displayorder="1", roletype="artist", role="painter"),
        ])
        write_csv(folder / "objects_terms.csv", NGA_TERMS, [
            row(NGA_TERMS, termid="1", objectid="46626", termtype="Style", term="Post-Impressionist"),
            row(NGA_TERMS, termid="2", objectid="46626", termtype="School", term="Dutch"),
            row(NGA_TERMS, termid="3", objectid="46626", termtype="Theme", term="landscape"),
            row(NGA_TERMS, termid="4", objectid="46626", termtype="Keyword", term="farmhouse"),
            row(NGA_TERMS, termid="5", objectid="46626", termtype="Keyword", term="wheat field"),
            row(NGA_TERMS, termid="6", objectid="46626", termtype="Place Executed", term="Arles"),
            row(NGA_TERMS, termid="7", objectid="46626", termtype="Technique", term="impasto"),
            row(NGA_TERMS, termid="8", objectid="1138", termtype="Keyword", term="Madonna and Child"),
        ])
    return folder
