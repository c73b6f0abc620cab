"""IIIF documents in the published shapes (Presentation 3.0 and 2.1), for the IIIF tests."""

from __future__ import annotations

from typing import Any

V3_CONTEXT = "http://iiif.io/api/presentation/3/context.json"
V2_CONTEXT = "http://iiif.io/api/presentation/2/context.json"


def _canvas_v3(base: str, number: int, label: dict[str, list[str]], body: dict[str, Any]) -> dict[str, Any]:
    canvas = f"{base}/canvas/p{number}"
    return {"id": canvas, "type": "Canvas", "label": label, "height": 1800, "width": 1200, "items": [
        {"id": f"{canvas}/page", "type": "AnnotationPage", "items": [
            {"id": f"{canvas}/page/a1", "type": "Annotation", "motivation": "painting", "target": canvas,
             "body": body}]}]}


def manifest_v3(base: str = "https://iiif.example.org/iiif/object/1234", title: str = "The Night Café",
                extra_metadata: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A 3.0 manifest with a v3 and a v2 image service, a plain image, a Choice and a sound canvas."""
    image = "https://images.example.org/iiif"
    return {
        "@context": V3_CONTEXT, "id": f"{base}/manifest.json", "type": "Manifest",
        "label": {"fr": ["Le Café de nuit"], "en": [title]},
        "summary": {"en": ["<p>A café interior <b>at night</b>.<script>alert(1)</script></p><p>Arles.</p>"]},
        "metadata": [
            {"label": {"en": ["Artist"]}, "value": {"none": ["Vincent van Gogh"]}},
            {"label": {"en": ["Date"]}, "value": {"en": ["1888"]}},
            {"label": {"en": ["Medium"]}, "value": {"en": ["Oil on canvas"]}},
            {"label": {"en": ["Dimensions"]}, "value": {"en": ["72.4 × 92.1 cm"]}},
            {"label": {"en": ["Object Number"]}, "value": {"none": ["1961.18.34"]}},
            {"label": {"en": ["Provenance"]}, "value": {"en": [
                '<span><a href="javascript:alert(1)" onclick="steal()">Ivan Morozov</a>, Moscow'
                '<!-- internal note --> &amp; others</span>']}},
            {"label": {"en": ["Subject"]}, "value": {"en": ["cafés", "night"]}},
            *(extra_metadata or []),
        ],
        "requiredStatement": {"label": {"en": ["Attribution"]},
                              "value": {"en": ["Yale University Art Gallery, Bequest of Stephen C. Clark"]}},
        "rights": "http://creativecommons.org/publicdomain/zero/1.0/",
        "provider": [{"id": "https://example.org/about", "type": "Agent", "label": {"en": ["Example Gallery"]}}],
        "homepage": [{"id": "https://example.org/objects/1234", "type": "Text", "format": "text/html",
                      "label": {"en": ["Object page"]}}],
        "items": [
            _canvas_v3(base, 1, {"en": ["Front"]}, {
                "id": f"{image}/1234-front/full/max/0/default.jpg", "type": "Image", "format": "image/jpeg",
                "service": [{"id": f"{image}/1234-front", "type": "ImageService3", "profile": "level2"}]}),
            _canvas_v3(base, 2, {"none": ["Back"]}, {
                "id": f"{image}/1234-back/full/full/0/default.jpg", "type": "Image",
                "service": [{"@id": f"{image}/1234-back/info.json", "@type": "ImageService2",
                             "profile": "http://iiif.io/api/image/2/level2.json"}]}),
            _canvas_v3(base, 3, {"en": ["Detail"]}, {
                "id": "https://example.org/images/1234-detail.jpg", "type": "Image", "format": "image/jpeg"}),
            _canvas_v3(base, 4, {"en": ["Infrared"]}, {"type": "Choice", "items": [
                {"id": "https://example.org/images/1234-ir.jpg", "type": "Image"},
                {"id": "https://example.org/images/1234-uv.jpg", "type": "Image"}]}),
            _canvas_v3(base, 5, {"en": ["Audio guide"]}, {"id": "https://example.org/a.mp3", "type": "Sound"}),
            _canvas_v3(base, 6, {"en": ["Local"]}, {"id": "file:///etc/passwd", "type": "Image"}),
        ],
    }


def manifest_v21() -> dict[str, Any]:
    """A 2.1 manifest: sequences of canvases whose images are painting annotations."""
    base = "https://iiif.example.org/iiif/2/ms-42"
    return {
        "@context": V2_CONTEXT, "@id": f"{base}/manifest", "@type": "sc:Manifest",
        "label": "Book of Hours",
        "description": [{"@value": "Illuminated manuscript on vellum.", "@language": "en"},
                        {"@value": "Manuscrit enluminé.", "@language": "fr"}],
        "metadata": [
            {"label": "Creator", "value": "Master of the Llangattock Hours"},
            {"label": "Date", "value": "ca. 1450-1460"},
            {"label": [{"@value": "Subject", "@language": "en"}, {"@value": "Sujet", "@language": "fr"}],
             "value": ["Prayer books", "Illumination"]},
            {"label": "Shelfmark", "value": "MS 42"},
        ],
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "attribution": "Provided by <b>Example Library</b>",
        "related": {"@id": "https://example.org/ms42", "format": "text/html"},
        "sequences": [{"@type": "sc:Sequence", "canvases": [
            {"@id": f"{base}/canvas/f1r", "@type": "sc:Canvas", "label": "f. 1r", "height": 2000, "width": 1400,
             "images": [{"@type": "oa:Annotation", "motivation": "sc:painting", "on": f"{base}/canvas/f1r",
                         "resource": {"@id": "https://images.example.org/ms-42-f1r/full/full/0/default.jpg",
                                      "@type": "dctypes:Image", "format": "image/jpeg",
                                      "service": {"@context": "http://iiif.io/api/image/2/context.json",
                                                  "@id": "https://images.example.org/ms-42-f1r",
                                                  "profile": "http://iiif.io/api/image/2/level1.json"}}}]},
            {"@id": f"{base}/canvas/f1v", "@type": "sc:Canvas", "label": "f. 1v", "height": 2000, "width": 1400,
             "images": [{"@type": "oa:Annotation", "motivation": "sc:painting", "on": f"{base}/canvas/f1v",
                         "resource": {"@id": "https://images.example.org/ms-42-f1v.jpg",
                                      "@type": "dctypes:Image"}}]},
        ]}],
    }


def collection_v3(members: list[tuple[str, str]], collection_id: str = "collection.json") -> dict[str, Any]:
    """A 3.0 collection referencing (id, type) members."""
    return {"@context": V3_CONTEXT, "id": collection_id, "type": "Collection",
            "label": {"en": ["Highlights"]},
            "items": [{"id": ref, "type": kind, "label": {"en": [ref]}} for ref, kind in members]}
