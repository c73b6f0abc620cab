"""IIIF Presentation 3.0 documents (https://iiif.io/api/presentation/3.0/) built from catalogue records:
an artwork as a Manifest with one Canvas per view, the collection as a Collection (in pages when it is
large), and the answers of the Content Search service a manifest names.

Values come from the record as language maps. The record does not say which language it is written
in, so its values are ``none``; the field names are artscope's own English words (``en``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from artscope.server.iiif.image_api import PROFILE
from artscope.types import ArtworkRecord, Passage

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
SEARCH_CONTEXT = "http://iiif.io/api/search/2/context.json"
MEDIA_TYPE = f'application/ld+json;profile="{CONTEXT}"'
THUMB_SIZE = 320
"""The longest side of the collection's stored thumbnails (``Collection.thumbnail_path``)."""
FIELD_LABELS = {"artists": "Artist", "date": "Date", "type": "Type", "medium": "Medium",
                "dimensions": "Dimensions", "place": "Place", "institution": "Institution",
                "subjects": "Subjects", "license": "Licence", "credit": "Credit"}
_SPDX_CC = re.compile(r"^cc[- _]?(by(?:[- _](?:nc|sa|nd))*)[- _]?(\d\.\d)?$")
_CC_VERSION = "4.0"


@dataclass(frozen=True)
class ViewImage:
    """One view as a manifest shows it: served here through the Image API (``service_id``), or an image
    only its source has (``remote_uri``), shown as it is."""

    view_id: int
    label: str | None
    width: int
    height: int
    service_id: str | None = None
    remote_uri: str | None = None


class Urls:
    """The stable addresses of one service (``base``, e.g. ``http://127.0.0.1:8000``)."""

    def __init__(self, base: str) -> None:
        self.base = base.rstrip("/")

    def artwork(self, artwork_id: str, part: str = "manifest") -> str:
        """The manifest of an artwork, or one of its parts (``canvas/1``, ``search``)."""
        return f"{self.base}/iiif/artworks/{quote(artwork_id, safe='')}/{part}"

    def collection(self, page: int | None = None) -> str:
        return f"{self.base}/iiif/collection" + (f"/{page}" if page is not None else "")

    def image_service(self, identifier: str) -> str:
        return f"{self.base}/iiif/3/{identifier}"

    def thumbnail(self, view_id: int) -> str:
        return f"{self.base}/api/images/{view_id}?size=thumb"

    def record(self, artwork_id: str) -> str:
        return f"{self.base}/api/artworks/{quote(artwork_id, safe='')}"

    def page(self, artwork_id: str) -> str:
        return f"{self.base}/#/artwork/{quote(artwork_id, safe='')}"


def rights_uri(license_text: str | None) -> str | None:
    """A licence as the URI ``rights`` must be (Creative Commons or RightsStatements.org, in their
    canonical ``http`` form), or None when it names neither (it is then shown in ``metadata`` only)."""
    if not license_text:
        return None
    text = license_text.strip()
    uri = re.sub(r"^https://", "http://", text)
    if re.match(r"^http://(creativecommons\.org/(licenses|publicdomain)|rightsstatements\.org/vocab)/", uri):
        return uri if uri.endswith("/") else uri + "/"
    words = text.lower()
    if words in ("public domain", "public-domain", "publicdomain", "pd", "pdm", "pdm-1.0"):
        return "http://creativecommons.org/publicdomain/mark/1.0/"
    if words in ("cc0", "cc0-1.0", "cc0 1.0", "cc-zero"):
        return "http://creativecommons.org/publicdomain/zero/1.0/"
    if match := _SPDX_CC.match(words):
        kind = re.sub(r"[ _]", "-", match.group(1))
        return f"http://creativecommons.org/licenses/{kind}/{match.group(2) or _CC_VERSION}/"
    return None


def _values(value: Any) -> list[str]:
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")]
    return [value if isinstance(value, str) else str(value)]


def _pair(label: str, values: list[str]) -> dict[str, Any]:
    return {"label": {"en": [label]}, "value": {"none": values}}


def metadata(record: ArtworkRecord) -> list[dict[str, Any]]:
    """Every field the record holds, in display order, extra fields last."""
    pairs = [_pair(label, _values(getattr(record, name))) for name, label in FIELD_LABELS.items()]
    pairs += [_pair(name.replace("_", " ").capitalize(), _values(value)) for name, value in record.extra.items()
              if isinstance(value, str | int | float | list)]
    return [pair for pair in pairs if pair["value"]["none"]]


def _thumbnail(urls: Urls, view: ViewImage) -> dict[str, Any]:
    scale = min(1.0, THUMB_SIZE / max(view.width, view.height))
    return {"id": urls.thumbnail(view.view_id), "type": "Image", "format": "image/jpeg",
            "width": max(1, round(view.width * scale)), "height": max(1, round(view.height * scale))}


def _body(view: ViewImage) -> dict[str, Any]:
    if view.service_id:
        return {"id": f"{view.service_id}/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                "width": view.width, "height": view.height,
                "service": [{"id": view.service_id, "type": "ImageService3", "profile": PROFILE}]}
    return {"id": view.remote_uri, "type": "Image", "width": view.width, "height": view.height}


def canvas(urls: Urls, artwork_id: str, index: int, view: ViewImage) -> dict[str, Any]:
    """One view as a Canvas painted by its image."""
    canvas_id = urls.artwork(artwork_id, f"canvas/{index}")
    annotation = {"id": urls.artwork(artwork_id, f"annotation/{index}"), "type": "Annotation",
                  "motivation": "painting", "body": _body(view), "target": canvas_id}
    return {"id": canvas_id, "type": "Canvas", "label": {"none": [view.label or f"View {index}"]},
            "width": view.width, "height": view.height, "thumbnail": [_thumbnail(urls, view)],
            "items": [{"id": urls.artwork(artwork_id, f"page/{index}"), "type": "AnnotationPage",
                       "items": [annotation]}]}


def manifest(urls: Urls, record: ArtworkRecord, views: list[ViewImage], collection_label: str) -> dict[str, Any]:
    """An artwork as a Manifest: its record as label, summary, metadata, rights and the statement a
    viewer must show; a Canvas per view; links to its artscope record and page; a search service."""
    document: dict[str, Any] = {
        "@context": CONTEXT, "id": urls.artwork(record.id), "type": "Manifest",
        "label": {"none": [record.title or record.id]},
        "metadata": metadata(record),
    }
    if record.description:
        document["summary"] = {"none": [record.description]}
    if rights := rights_uri(record.license):
        document["rights"] = rights
    statement = record.credit or record.institution
    if statement:
        document["requiredStatement"] = _pair("Attribution", [statement])
    if views:
        document["thumbnail"] = [_thumbnail(urls, views[0])]
    document |= {
        "homepage": [{"id": urls.page(record.id), "type": "Text", "format": "text/html",
                      "label": {"en": [f"{record.title or record.id} in {collection_label}"]}}],
        "seeAlso": [{"id": urls.record(record.id), "type": "Dataset", "format": "application/json",
                     "label": {"en": ["The artscope record"]}}],
        "partOf": [{"id": urls.collection(), "type": "Collection", "label": {"none": [collection_label]}}],
        "service": [{"id": urls.artwork(record.id, "search"), "type": "SearchService2"}],
        "items": [canvas(urls, record.id, i, view) for i, view in enumerate(views, start=1)],
    }
    return document


def collection(urls: Urls, label: str, items: list[dict[str, Any]], page: int | None = None,
               total: int | None = None) -> dict[str, Any]:
    """A Collection whose ``items`` are manifest or collection references (see ``manifest_ref``)."""
    document: dict[str, Any] = {"@context": CONTEXT, "id": urls.collection(page), "type": "Collection",
                                "label": {"none": [label if page is None else f"{label}, part {page}"]}}
    if total is not None:
        document["summary"] = {"en": [f"{total} artworks"]}
    if page is not None:
        document["partOf"] = [{"id": urls.collection(), "type": "Collection", "label": {"none": [label]}}]
    document["items"] = items
    return document


def manifest_ref(urls: Urls, record: ArtworkRecord, thumb: ViewImage | None) -> dict[str, Any]:
    reference: dict[str, Any] = {"id": urls.artwork(record.id), "type": "Manifest",
                                 "label": {"none": [record.title or record.id]}}
    if thumb:
        reference["thumbnail"] = [_thumbnail(urls, thumb)]
    return reference


def collection_ref(urls: Urls, label: str, page: int, first: int, last: int) -> dict[str, Any]:
    return {"id": urls.collection(page), "type": "Collection",
            "label": {"none": [f"{label}, part {page} (artworks {first}-{last})"]}}


def search_results(urls: Urls, artwork_id: str, query: str, passages: list[Passage],
                   first_canvas: str | None) -> dict[str, Any]:
    """A Content Search 2.0 answer: each passage about the artwork that has every word of ``query``, as
    an annotation on the artwork's first canvas."""
    items = []
    for passage in passages:
        body = {"type": "TextualBody", "value": passage.text, "format": "text/plain"}
        target: str = first_canvas or urls.artwork(artwork_id)
        items.append({"id": urls.artwork(artwork_id, f"passage/{quote(passage.id, safe='')}"),
                      "type": "Annotation", "motivation": "commenting", "body": body, "target": target,
                      **({"label": {"none": [passage.title]}} if passage.title else {})})
    return {"@context": SEARCH_CONTEXT, "id": f"{urls.artwork(artwork_id, 'search')}?q={quote(query)}",
            "type": "AnnotationPage", "items": items}
