"""The OpenAPI document, made exact where the route declarations cannot say it: who needs the token when
reads are private, and which fields this collection's filters and facets may name (they grow as
sources add fields, so they are read when the document is asked for)."""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI

from artscope.server.config import ServerConfig

FIELD_LISTS = {"SearchQuery": ("filters", "facets"), "DialogueStart": ("filters",)}


def install_openapi(app: FastAPI, config: ServerConfig) -> None:
    """Replace ``app.openapi`` by one that completes FastAPI's (cached) document on every request."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = copy.deepcopy(build())
        if not config.public_reads:
            _mark_private_reads(schema)
        state = getattr(app.state, "artscope", None)
        if state is not None:
            _name_fields(schema, sorted(state.collection.filter_fields()))
            _name_facet_choice(schema, state.collection.keyword_fields())
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _mark_private_reads(schema: dict[str, Any]) -> None:
    """Every operation but ``/health`` needs the token."""
    for path, operations in schema["paths"].items():
        for operation in operations.values() if path != "/health" else ():
            operation["security"] = [{"token": []}]


def _name_fields(schema: dict[str, Any], fields: list[str]) -> None:
    """Filters and facets may name only the collection's filterable fields (others are refused)."""
    components = schema.get("components", {}).get("schemas", {})
    for model, names in FIELD_LISTS.items():
        properties = components.get(model, {}).get("properties", {})
        if "filters" in names and "filters" in properties:
            properties["filters"]["propertyNames"] = {"enum": fields}
        if "facets" in names and "facets" in properties:
            properties["facets"]["items"] = properties["facets"].get("items", {}) | {"enum": fields}


def _name_facet_choice(schema: dict[str, Any], fields: list[str]) -> None:
    """The web page's facets may be only the collection's keyword fields (others are refused)."""
    facets = schema.get("components", {}).get("schemas", {}).get("FacetChoice", {}).get("properties", {})
    for variant in facets.get("facets", {}).get("anyOf", []):
        if variant.get("type") == "array":
            variant["items"] = variant.get("items", {}) | {"enum": fields}
