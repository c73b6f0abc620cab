"""The tools a language model may call while answering: search, passages, record, attributes,
aesthetics. One registry (``ask_tools``); each tool has pydantic arguments (their JSON schema is what
the model sees) and reaches the collection only through public ``Collection`` methods and the catalog.

A call that cannot be run (unknown tool, arguments that are not JSON or do not fit the schema, an
artwork that does not exist) is answered with an error message the model can act on, never raised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from artscope.errors import ArtscopeError
from artscope.llm import ToolCall
from artscope.registry import Registry
from artscope.tasks.ask.context import AskContext, shorten
from artscope.tasks.ask.evidence import retrieve_passages
from artscope.tasks.ask.types import Citation, Step
from artscope.types import Filters, Range

RESULT_CHARS = 4000
"""Tool results sent back to the model are cut to this length (context windows are finite)."""
PASSAGE_CHARS = 700


ToolFunction = Callable[[AskContext, Any], dict[str, Any]]


@dataclass(frozen=True)
class Tool:
    """A tool: its name and description for the model, its arguments' schema, and what runs it."""

    name: str
    description: str
    arguments: type[BaseModel]
    run: ToolFunction

    def spec(self) -> dict[str, Any]:
        """The OpenAI function-calling description of this tool."""
        return {"type": "function", "function": {"name": self.name, "description": self.description,
                                                 "parameters": self.arguments.model_json_schema()}}


ask_tools: Registry[Tool] = Registry("ask tools")


def tool(name: str, description: str, arguments: type[BaseModel]) -> Callable[[ToolFunction], ToolFunction]:
    """Register a function ``(ctx, args) -> JSON-able dict`` as a tool."""

    def decorate(run: ToolFunction) -> ToolFunction:
        ask_tools.register(name)(Tool(name=name, description=description, arguments=arguments, run=run))
        return run

    return decorate


def tool_specs() -> list[dict[str, Any]]:
    return [ask_tools.get(name).spec() for name in ask_tools.names()]


class SearchArgs(BaseModel):
    query: str = Field(min_length=1, description="What to look for, in words (a title, a subject, a name).")
    limit: int = Field(default=5, ge=1, le=20)
    artist: str | None = Field(default=None, description="Only works by this artist (exact catalogue name).")
    type: str | None = Field(default=None, description="Only works of this object type (painting...).")
    year_from: int | None = None
    year_to: int | None = None


class PassagesArgs(BaseModel):
    query: str | None = Field(default=None, description="Words to find passages by.")
    artwork_id: str | None = Field(default=None, description="Only the passages about this artwork.")
    limit: int = Field(default=5, ge=1, le=20)


class ArtworkArgs(BaseModel):
    artwork_id: str = Field(min_length=1)


class ImageArgs(BaseModel):
    artwork_id: str | None = Field(default=None, description="The artwork; leave out for the user's image.")


@tool("search", "Find artworks of the collection by words, optionally filtered. Returns ids, titles, "
                "artists, dates and similarity (0..1).", SearchArgs)
def _search(ctx: AskContext, args: SearchArgs) -> dict[str, Any]:
    filters: Filters = {}
    if args.artist:
        filters["artist"] = args.artist
    if args.type:
        filters["type"] = args.type
    if args.year_from is not None or args.year_to is not None:
        filters["year"] = Range(gte=args.year_from, lte=args.year_to)
    result = ctx.collection.search(args.query, filters=filters, limit=args.limit)
    return {"hits": [{"artwork_id": h.artwork.id, "title": h.artwork.title, "artists": h.artwork.artists,
                      "date": h.artwork.date, "type": h.artwork.type, "similarity": round(h.similarity, 3)}
                     for h in result.hits]}


@tool("passages", "Find text passages (wall texts, encyclopedia paragraphs) by words, or all passages "
                  "about one artwork. Cite a passage as [passage:<passage_id>].", PassagesArgs)
def _passages(ctx: AskContext, args: PassagesArgs) -> dict[str, Any]:
    if not args.query and not args.artwork_id:
        raise ValueError("give a query, an artwork_id, or both")
    if args.artwork_id:
        ctx.collection.catalog.get(args.artwork_id)  # NotFoundError for an unknown id
    found = retrieve_passages(ctx, args.query or "", args.limit, artwork_id=args.artwork_id)[:args.limit]
    return {"passages": [{"passage_id": p.id, "artwork_id": p.artwork_id, "source": p.source,
                          "text": shorten(p.text, PASSAGE_CHARS)} for p in found]}


@tool("record", "The catalogue record of one artwork: every field it has, and the ids of its passages. "
                "Cite a field as [record:<artwork_id>.<field>].", ArtworkArgs)
def _record(ctx: AskContext, args: ArtworkArgs) -> dict[str, Any]:
    record = ctx.collection.catalog.get(args.artwork_id)
    fields = record.model_dump(exclude={"views", "extra", "id"}, exclude_none=True)
    fields = {k: v for k, v in (fields | record.extra).items() if v not in ("", [], None)}
    passages = [p.id for p in ctx.collection.catalog.passages_for(record.id)]
    return {"artwork_id": record.id, "fields": fields, "passage_ids": passages}


def _image_target(ctx: AskContext, args: ImageArgs) -> dict[str, Any]:
    """describe/score arguments: the named artwork, else the user's image."""
    if args.artwork_id:
        ctx.collection.catalog.get(args.artwork_id)
        return {"artwork_id": args.artwork_id}
    if ctx.image is None:
        raise ValueError("there is no user image; give an artwork_id")
    return {"image": ctx.image}


@tool("attributes", "Predicted artist, style, genre, medium and period of an artwork's image (or the user's "
                    "image): predictions with probabilities, not catalogue facts. Cite as "
                    "[prediction:<artwork_id>.<field>].", ImageArgs)
def _attributes(ctx: AskContext, args: ImageArgs) -> dict[str, Any]:
    description = ctx.collection.describe(**_image_target(ctx, args))
    source = f"attributes model {description.model} {description.version}"
    for p in description.fields:
        ctx.obtained[(args.artwork_id or "image", p.field)] = Citation(
            kind="prediction", artwork_id=args.artwork_id, field=p.field, quote=p.label,
            probability=round(p.probability, 4), source=source)
    return {"predictions": [{"field": p.field, "label": p.label, "probability": round(p.probability, 3),
                             "unsure": p.unknown, "catalogue_value": p.curated} for p in description.fields],
            "model": description.model}


@tool("aesthetics", "Measured aesthetic qualities of an artwork's image (or the user's image): a 0-100 "
                    "score, seven dimensions, and sentences that each state measurements. Measurements, not "
                    "catalogue facts. Cite as [prediction:<artwork_id>.aesthetics].", ImageArgs)
def _aesthetics(ctx: AskContext, args: ImageArgs) -> dict[str, Any]:
    result = ctx.collection.score(**_image_target(ctx, args))
    ctx.obtained[(args.artwork_id or "image", "aesthetics")] = Citation(
        kind="prediction", artwork_id=args.artwork_id, field="aesthetics", quote=f"total {result.total:.1f}",
        source="aesthetics (calibrated)" if result.calibrated else "aesthetics (uncalibrated measurement)")
    found = {"total": round(result.total, 1), "calibrated": result.calibrated,
             "dimensions": {k: v if v is None else round(v, 1) for k, v in result.dimensions.items()},
             "statements": [s.text for s in result.description.sentences()][:8]}
    ctx.measured[(args.artwork_id or "image", "aesthetics")] = [
        *found["statements"], *(f"{k} {v}" for k, v in found["dimensions"].items()), f"total {found['total']}"]
    return found


@dataclass
class ToolOutcome:
    """What one tool call gave: the step to record, the message for the model, and whether the call
    itself was malformed (unknown tool, arguments that are not JSON or do not fit the schema)."""

    step: Step
    content: str
    malformed: bool = False


def run_tool(ctx: AskContext, call: ToolCall) -> ToolOutcome:
    """Run one tool call. Failures come back as a JSON error saying what was wrong, never raised."""
    arguments: dict[str, Any] = {}
    try:
        found = ask_tools.get(call.name)
        arguments = call.parsed_arguments()
        parsed = found.arguments.model_validate(arguments)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}"
                             for e in exc.errors())
        return _failed(call, arguments, f"bad arguments for {call.name!r}: {problems}", malformed=True)
    except ArtscopeError as exc:  # an unknown tool, or arguments that are not a JSON object
        return _failed(call, arguments, str(exc), malformed=True)
    try:
        result = found.run(ctx, parsed)
    except (ArtscopeError, ValueError) as exc:  # well-formed, but the collection could not oblige
        return _failed(call, arguments, str(exc))
    content = json.dumps(result, ensure_ascii=False, default=str)
    if len(content) > RESULT_CHARS:
        content = content[:RESULT_CHARS] + " … (cut: ask for fewer results)"
    return ToolOutcome(Step(tool=call.name, arguments=arguments, result=shorten(content)), content)


def _failed(call: ToolCall, arguments: dict[str, Any], message: str, malformed: bool = False) -> ToolOutcome:
    step = Step(tool=call.name or "?", arguments=arguments, error=shorten(message))
    return ToolOutcome(step, json.dumps({"error": message}), malformed)
