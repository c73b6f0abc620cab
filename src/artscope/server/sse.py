"""Server-sent events: how a frame is written, and how a stream is described in the OpenAPI schema."""

from __future__ import annotations

from typing import Any


def sse_frame(kind: str, data: str) -> str:
    """One event: its kind and its data (JSON on one line)."""
    return f"event: {kind}\ndata: {data}\n\n"


def sse_responses(*events: str, description: str) -> dict[int | str, dict[str, Any]]:
    """The 200 answer of a route that streams ``events`` (each with JSON data), for ``responses=``."""
    schema = {"type": "object", "required": ["event", "data"], "properties": {
        "event": {"type": "string", "enum": list(events)},
        "data": {"type": "string", "contentMediaType": "application/json"}}}
    return {200: {"content": {"text/event-stream": {"schema": schema}}, "description": description}}
