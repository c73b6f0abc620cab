"""Composed search with a multimodal language model, following ImageScope's collective reasoning:
caption the reference image, reason out a description of the target, retrieve with it (fused with
the model-free composition), verify the top candidates against yes/no statements the target must
satisfy, then compare the leading few pairwise. Any endpoint failure falls back to the model-free
ranking, and the result says so."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING

from PIL import Image

from artscope.errors import InvalidInputError
from artscope.llm import ChatClient, LLMUnavailableError, image_message
from artscope.media.images import load_image
from artscope.tasks.search.fusion import fuse
from artscope.tasks.search.types import SearchHit, SearchRequest, SearchResult, Signal

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

VERIFY_TOP = 5
"""Candidates checked against the statements (one model call each)."""
COMPARE_TOP = 3
"""Leading candidates compared pairwise."""


def _ask(client: ChatClient, text: str, *images: Image.Image) -> str:
    if not images:
        return client.chat([{"role": "user", "content": text}]).content.strip()
    message = image_message(text, images[0])
    for extra in images[1:]:
        message["content"].append(image_message("", extra)["content"][1])
    return client.chat([message]).content.strip()


def _statements(client: ChatClient, caption: str, change: str, target: str) -> list[str]:
    reply = _ask(client, "Reference image: " + caption + "\nRequested change: " + change + "\nTarget: " + target +
                 "\nList up to 3 short statements that must be true of the target image, one per line, "
                 "as a JSON array of strings.")
    match = re.search(r"\[.*\]", reply, re.S)
    try:
        items = json.loads(match.group(0)) if match else []
    except json.JSONDecodeError:
        items = []
    return [str(s) for s in items if str(s).strip()][:3] or [target]


def _hit_image(collection: Collection, hit: SearchHit) -> Image.Image | None:
    view_id = hit.view_id or next((v.id for v in hit.artwork.views if v.id is not None), None)
    path = collection.thumbnail_path(view_id) if view_id is not None else None
    return Image.open(path).convert("RGB") if path is not None and path.exists() else None


def _verification(client: ChatClient, image: Image.Image, statements: list[str]) -> float:
    """Fraction of the statements the model answers "yes" to for this image."""
    numbered = "\n".join(f"{i + 1}. {s}" for i, s in enumerate(statements))
    reply = _ask(client, f"For this image, answer each statement with yes or no, one per line:\n{numbered}", image)
    answers = re.findall(r"\b(yes|no)\b", reply.lower())[:len(statements)]
    return sum(a == "yes" for a in answers) / len(statements)


def _prefer_first(client: ChatClient, target: str, a: Image.Image, b: Image.Image) -> bool:
    reply = _ask(client, f"Target: {target}\nWhich image matches the target better, the first (A) or the "
                 "second (B)? Answer with A or B.", a, b)
    return not reply.upper().lstrip().startswith("B")


def reasoned_search(collection: Collection, request: SearchRequest, client: ChatClient,
                    model_free: SearchResult) -> SearchResult:
    """ImageScope-style composed search; ``model_free`` is the fallback and a ranking to fuse with."""
    from artscope.tasks.search.engine import search

    if not request.text or request.image is None:
        raise InvalidInputError("Reasoned (LLM) search composes an image with words: give both.")
    reference = load_image(request.image, draft_size=1024)
    try:
        caption = _ask(client, "Describe this image in one detailed sentence.", reference)
        target = _ask(client, f"An image shows: {caption}\nThe user wants: {request.text}\n"
                      "Describe, in one sentence, the image the user is looking for.")
        described = search(collection, SearchRequest(text=target, filters=request.filters, limit=50))
        rankings = {"described": [(h.artwork.id, h.similarity) for h in described.hits],
                    "composed": [(h.artwork.id, h.similarity) for h in model_free.hits]}
        hits = {h.artwork.id: h for h in [*model_free.hits, *described.hits]}
        order = [key for key, _, _ in fuse(rankings)]
        statements = _statements(client, caption, request.text, target)
        images = {key: _hit_image(collection, hits[key]) for key in order[:VERIFY_TOP]}
        verified = {key: _verification(client, img, statements) for key, img in images.items() if img is not None}
        head = sorted(order[:VERIFY_TOP], key=lambda k: -verified.get(k, 0.0))  # stable: keeps fused order on ties
        for i in range(min(COMPARE_TOP, len(head)) - 1, 0, -1):  # one bubble pass over the leaders
            a, b = images.get(head[i - 1]), images.get(head[i])
            if a is not None and b is not None and not _prefer_first(client, target, a, b):
                head[i - 1], head[i] = head[i], head[i - 1]
    except LLMUnavailableError as exc:
        log.warning("reasoned search fell back to the model-free composition: %s", exc)
        return model_free.model_copy(update={"notes": [*model_free.notes, f"LLM unavailable, model-free: {exc}"]})
    ranked = head + order[VERIFY_TOP:]
    out = []
    for rank, key in enumerate(ranked[:request.limit], start=1):
        hit = hits[key].model_copy(deep=True)
        if key in verified:
            hit.signals.append(Signal(name="llm-verified", rank=rank, score=verified[key]))
        out.append(hit)
    notes = [*model_free.notes, f"target described as: {target}", "statements: " + "; ".join(statements)]
    return SearchResult(hits=out, total=len(ranked), facets=model_free.facets, no_good_match=not out,
                        took_ms=model_free.took_ms, notes=notes)
