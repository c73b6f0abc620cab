"""IIIF Presentation manifests and collections, 3.0 and 2.x, from a local file or an http(s) URL.

One artwork per manifest; its views are the images painted on its canvases, requested from the
image service at a model-friendly size (``full/!1024,1024/0/default.jpg``) rather than the original
(which may be a multi-hundred-megabyte TIFF). Collections are followed to their manifests, with a
depth limit and no loops. Documents are fetched with the download size and time limits.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from artscope.errors import ArtscopeError, ImageLoadError, InvalidInputError, SourceFormatError
from artscope.ingest.sources.base import SourceItem, SourceOptions, register_source
from artscope.ingest.sources.iiif_values import as_list, first_id, language_text, language_values
from artscope.ingest.sources.records import (
    YEAR_END,
    YEAR_START,
    BaseSource,
    RowFields,
    extra_key,
    slugify,
    target_of,
    year_value,
)
from artscope.media.fetch import fetch_url, is_url
from artscope.types import LIST_FIELDS, TEXT_FIELDS, ArtworkRecord, ImageView

logger = logging.getLogger(__name__)

MAX_DEPTH = 8
"""Collections nested deeper than this are not followed (real hierarchies are 2-4 deep)."""
IMAGE_SIZE = "full/!1024,1024/0/default.jpg"
_TYPE_IN_HEAD = re.compile(r'"@?type"\s*:\s*"(?:sc:)?(?:Manifest|Collection)"')
DETECT_LIMIT = 64_000_000
"""A JSON file whose first 16 KiB do not tell is parsed whole to tell, up to this size."""
V2_CONTEXTS = ("presentation/2", "shared-canvas.org/ns/context.json")
"""2.x manifests name the 2.x context, or (2.0 and before) the Shared Canvas one."""
IMAGE_TYPES = frozenset({"image", "stillimage"})
"""Local names of an image body's type, compared in lower case: the specs write ``Image`` (3.0) and
``dctypes:Image`` (2.x); publishers also write ``dcTypes:Image`` (Wellcome), ``dcterms:Image``
(World Digital Library) and the full ``http://purl.org/dc/dcmitype/Image``."""


@dataclass
class Document:
    """A parsed manifest or collection and where it came from."""

    data: dict[str, Any]
    location: str
    version: int
    kind: str
    """"Manifest" or "Collection"."""


def _looks_like_iiif(location: str) -> bool:
    """Any http(s) URL (the only kind of source read from the web), or a JSON file naming the
    Presentation API context or a Manifest/Collection type near its start."""
    if is_url(location):
        return True
    path = Path(location)
    if path.suffix.lower() not in (".json", ".jsonld") or not path.is_file():
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(16384).decode("utf-8", errors="ignore")
    except OSError:
        return False
    if any(c in head for c in ("iiif.io/api/presentation", *V2_CONTEXTS)) or _TYPE_IN_HEAD.search(head):
        return True
    return head.lstrip().startswith("{") and _top_level_iiif(path)


def _top_level_iiif(path: Path) -> bool:
    """A JSON object whose own context or type is IIIF's, wherever in the file it is written (the
    World Digital Library writes ``@context`` and ``@type`` last, after long metadata)."""
    if path.stat().st_size > DETECT_LIMIT:
        return False
    try:
        data = json.loads(path.read_bytes())
        parse_document(data, str(path))
    except (ValueError, RecursionError, OSError, SourceFormatError):
        return False
    return True


def load_document(location: str, version: int | None = None) -> Document:
    """Read and parse a IIIF document from a URL (size- and time-limited) or a file."""
    if is_url(location):
        try:
            raw = fetch_url(location)
        except ImageLoadError as exc:
            raise InvalidInputError(f"Cannot fetch the IIIF document {location}: {exc}") from exc
    else:
        try:
            raw = Path(location).read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"Cannot read the IIIF document {location}: {exc.strerror or exc}") from exc
    try:
        data = json.loads(raw)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(f"{location} is not UTF-8 text (byte {raw[exc.start]:#04x} at offset "
                                f"{exc.start}); IIIF documents are UTF-8 JSON: re-save it as UTF-8.") from exc
    except json.JSONDecodeError as exc:
        raise SourceFormatError(f"{location} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                                "a IIIF manifest or collection is a JSON document.") from exc
    except RecursionError:
        raise SourceFormatError(f"{location} nests its JSON too deeply to be a IIIF document.") from None
    return parse_document(data, location, version)


def parse_document(data: Any, location: str, version: int | None = None) -> Document:
    """Check that ``data`` is a 3.0 or 2.x Manifest or Collection (``version`` for embedded ones)."""
    if not isinstance(data, dict):
        raise SourceFormatError(f"{location}: a IIIF document is a JSON object, not a {type(data).__name__}.")
    contexts = " ".join(str(c) for c in as_list(data.get("@context")))
    if "presentation/3" in contexts:
        version = 3
    elif any(c in contexts for c in V2_CONTEXTS):
        version = 2
    kind = str(data.get("type") or data.get("@type") or "")
    version = version or (2 if kind.startswith("sc:") else 3 if kind in ("Manifest", "Collection") else None)
    kind = kind.removeprefix("sc:")
    if version is None or kind not in ("Manifest", "Collection"):
        raise SourceFormatError(
            f"{location} is not a IIIF Presentation document: '@context' names no presentation API and "
            f"'type' is {kind or None!r} (expected Manifest or Collection).")
    return Document(data, location, version, kind)


def resolve_member(reference: str, parent: str) -> str:
    """Where a collection member lives: URLs as they are, relative references against the parent. A
    collection from the web never leads to a local file."""
    if is_url(reference):
        return reference
    if is_url(parent):
        joined = urljoin(parent, reference)
        if not is_url(joined):
            raise InvalidInputError(f"{parent}: member {reference!r} is not an http(s) URL")
        return joined
    path = Path(reference.removeprefix("file://"))
    return os.path.abspath(path if path.is_absolute() else Path(parent).parent / path)


def collection_members(doc: Document) -> list[dict[str, Any]]:
    """The member references of a collection: ``items`` (3.0), ``members`` (2.1, and 3.0 drafts that
    publishers still serve), or ``collections`` + ``manifests`` (2.x)."""
    data = doc.data
    entries = as_list(data.get("items")) if doc.version == 3 else []
    entries = entries or as_list(data.get("members")) or (
        as_list(data.get("collections")) + as_list(data.get("manifests")))
    return [m if isinstance(m, dict) else {"id": m} for m in entries if isinstance(m, dict | str)]


def _is_embedded(member: dict[str, Any]) -> bool:
    """A member carried whole in its collection (not a bare reference)."""
    return any(member.get(key) for key in ("items", "sequences", "manifests", "collections", "members"))


def manifest_artwork_id(manifest_id: str) -> str:
    """"https://example.org/iiif/book1/manifest.json" -> "example-org-iiif-book1"."""
    text = re.sub(r"^[a-z]+://", "", manifest_id)
    text = re.sub(r"(?:/manifest)?(?:\.json(?:ld)?)?/?$", "", text)
    return slugify(text) or slugify(manifest_id)


def manifest_record(doc: Document) -> ArtworkRecord:
    """A manifest as a record: label, summary, rights, required statement, provider, metadata pairs
    (mapped to fields where the label is recognisable, else kept in ``extra``) and canvas images."""
    data = doc.data
    manifest_id = first_id(data)
    values = _described_fields(data, doc.version)
    extra: dict[str, Any] = {"iiif_manifest": manifest_id} if manifest_id and is_url(manifest_id) else {}
    homepage = first_id(data.get("homepage" if doc.version == 3 else "related"))
    extra.update({"homepage": homepage} if homepage else {})
    extra.update({"nav_date": data["navDate"]} if isinstance(data.get("navDate"), str) else {})
    _apply_metadata(data.get("metadata"), values, extra)
    if "date" not in values and "nav_date" in extra:
        values["date"] = extra["nav_date"][:10]
    if extra:
        values["extra"] = extra
    default_id = manifest_artwork_id(manifest_id) if manifest_id else slugify(Path(doc.location).stem)
    return RowFields(values=values).record(default_id, canvas_views(doc))


def _described_fields(data: dict[str, Any], version: int) -> dict[str, Any]:
    """The fields that the manifest's own properties give (they win over its metadata pairs)."""
    def part(value: Any, key: str) -> Any:
        return value.get(key) if isinstance(value, dict) else None

    if version == 3:
        provider = next(iter(as_list(data.get("provider"))), None)
        values = {"description": language_text(data.get("summary"), "\n"), "license": first_id(data.get("rights")),
                  "credit": language_text(part(data.get("requiredStatement"), "value")),
                  "institution": language_text(part(provider, "label"))}
    else:
        values = {"description": language_text(data.get("description"), "\n"),
                  "license": first_id(data.get("license")), "credit": language_text(data.get("attribution"))}
    values["title"] = language_text(data.get("label"))
    return {k: v for k, v in values.items() if v}


def _apply_metadata(metadata: Any, values: dict[str, Any], extra: dict[str, Any]) -> None:
    """Metadata pairs into fields where the label names one that is still empty, else into ``extra``."""
    for entry in as_list(metadata):
        if not isinstance(entry, dict):
            continue
        label, texts = language_text(entry.get("label")), language_values(entry.get("value"))
        if not label or not texts:
            continue
        target = target_of(label)
        if target in LIST_FIELDS:
            values.setdefault(target, []).extend(texts)
        elif target in TEXT_FIELDS and target not in values:
            values[target] = "; ".join(texts)
        elif target in (YEAR_START, YEAR_END) and target not in values and len(texts) == 1:
            try:
                values[target] = year_value(texts[0], label)
            except InvalidInputError:
                extra.setdefault(extra_key(label), texts[0])
        else:
            extra.setdefault(extra_key(label), texts[0] if len(texts) == 1 else texts)


def canvases(doc: Document) -> list[dict[str, Any]]:
    """The canvases of a manifest (3.0 ``items``; 2.x the first sequence's ``canvases``)."""
    if doc.version == 3:
        found = as_list(doc.data.get("items"))
    else:
        sequence = next(iter(as_list(doc.data.get("sequences"))), {})
        found = as_list(sequence.get("canvases")) if isinstance(sequence, dict) else []
    return [c for c in found if isinstance(c, dict)]


def canvas_views(doc: Document) -> list[ImageView]:
    """One view per canvas that has an image with an http(s) address (a manifest from anywhere must
    not point the ingest at local files)."""
    views = []
    for canvas in canvases(doc):
        image = _first_image(_painted_bodies(canvas, doc.version))
        uri = _image_uri(image) if image else None
        if uri:
            views.append(ImageView(uri=uri, label=language_text(canvas.get("label"))))
    return views


def _painted_bodies(canvas: dict[str, Any], version: int) -> list[Any]:
    if version == 3:
        annotations = [a for page in as_list(canvas.get("items")) if isinstance(page, dict)
                       for a in as_list(page.get("items"))]
        return [a.get("body") for a in annotations
                if isinstance(a, dict) and "painting" in as_list(a.get("motivation"))]
    # 2.x: every annotation in ``images`` paints the canvas
    return [a.get("resource") for a in as_list(canvas.get("images")) if isinstance(a, dict)]


def _local_type(resource: dict[str, Any]) -> str:
    """``"dcTypes:Image"`` -> ``"image"``: the type without its prefix, in lower case."""
    kind = str(resource.get("type") or resource.get("@type") or "")
    return re.split(r"[:/#]", kind)[-1].lower()


def _first_image(body: Any) -> dict[str, Any] | None:
    """The image of an annotation body; of a Choice (several versions), the default or first one."""
    for candidate in as_list(body):
        if not isinstance(candidate, dict):
            continue
        kind = _local_type(candidate)
        if kind == "choice":
            options = as_list(candidate.get("default")) + as_list(candidate.get("item")) + as_list(
                candidate.get("items"))
            if found := _first_image(options):
                return found
        elif kind in IMAGE_TYPES or kind == "":
            return candidate
    return None


def _body_types(doc: Document) -> list[str]:
    """The types that a manifest's canvases paint, for a warning when none is an image."""
    found: dict[str, None] = {}
    for canvas in canvases(doc):
        for body in _painted_bodies(canvas, doc.version):
            for candidate in as_list(body):
                if isinstance(candidate, dict):
                    options = as_list(candidate.get("items")) if _local_type(candidate) == "choice" else [candidate]
                    found.update({str(o.get("type") or o.get("@type")): None for o in options if isinstance(o, dict)})
    return list(found)


def _image_uri(image: dict[str, Any]) -> str | None:
    """The image service at 1024 px where there is one (level 0 services serve only their listed
    sizes, so their image is taken whole), else the image's own address."""
    for service in as_list(image.get("service")):
        if not isinstance(service, dict):
            continue
        kind = str(service.get("type") or service.get("@type") or "")
        profile = " ".join(str(p) for p in as_list(service.get("profile")) if isinstance(p, str))
        is_image_service = kind.startswith(("ImageService", "iiif:ImageService")) or (
            "iiif.io/api/image" in profile + str(service.get("@context") or ""))
        base = first_id(service)
        if is_image_service and base and is_url(base) and "level0" not in profile:
            return f"{base.removesuffix('/info.json').rstrip('/')}/{IMAGE_SIZE}"
    uri = first_id(image)
    return uri if uri and is_url(uri) else None


@register_source("iiif", _looks_like_iiif)
class IiifSource(BaseSource):
    """A IIIF manifest (one artwork) or collection (its manifests, followed)."""

    kind = "iiif"

    def __init__(self, location: str, options: SourceOptions) -> None:
        super().__init__(location, options)
        # local paths absolute and normalised, so that a loop back to this file is recognised
        self.document = load_document(location if is_url(location) else os.path.abspath(location))

    def count(self) -> int:
        return 1 if self.document.kind == "Manifest" else len(collection_members(self.document))

    def items(self) -> Iterator[SourceItem]:
        if self.document.kind == "Manifest":
            yield _manifest_item(self.document)
        else:
            yield from self._walk(self.document, 1, {self.document.location})

    def _walk(self, collection: Document, depth: int, seen: set[str]) -> Iterator[SourceItem]:
        for member in collection_members(collection):
            reference = first_id(member)
            if not reference:
                yield SourceItem(key=f"{collection.location}: member without id",
                                 error=f"{collection.location}: a member of the collection has no 'id'")
                continue
            try:
                location = resolve_member(reference, collection.location)
                if location in seen or reference in seen:
                    logger.info("%s is reached twice in %s; read once.", reference, self.location)
                    continue
                seen.update((location, reference))
                child = (parse_document(member, location, collection.version) if _is_embedded(member)
                         else load_document(location))
            except ArtscopeError as exc:
                yield SourceItem(key=reference, error=f"{collection.location}: member {reference}: {exc}")
                continue
            if child.kind == "Manifest":
                yield _manifest_item(child)
            elif depth >= MAX_DEPTH:
                yield SourceItem(key=reference, error=f"{location}: collections nested deeper than "
                                                      f"{MAX_DEPTH} levels are not followed")
            else:
                seen.update(filter(None, [first_id(child.data)]))
                yield from self._walk(child, depth + 1, seen)


def _manifest_item(doc: Document) -> SourceItem:
    key = first_id(doc.data) or doc.location
    try:
        record = manifest_record(doc)
    except (ArtscopeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
        return SourceItem(key=key, error=f"{doc.location}: {exc}")
    warnings = []
    if not record.views:
        count, types = len(canvases(doc)), _body_types(doc)
        warnings.append(f"{doc.location}: none of its {count} canvases paints an image with an http(s) address"
                        + (f" (they paint: {', '.join(types)})" if types else "")
                        + "; the record is kept without images")
    return SourceItem(key=key, record=record, warnings=warnings)
