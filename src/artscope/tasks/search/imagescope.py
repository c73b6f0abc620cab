"""Composed search with a multimodal language model, following ImageScope's collective reasoning:
caption the reference image, reason out a description of the target, retrieve with it (fused with
the model-free composition), verify the top candidates against yes/no statements the target must
satisfy (the results are ordered by the share they meet), then compare the leading few pairwise where
that ties them; a reply is read for the choice it states, not its first letter. Any endpoint failure
falls back to the model-free ranking, and the result says so."""

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
"""Leading candidates compared pairwise (where the verification ties them)."""
SCORE_LABEL = "statements verified"
"""What a reasoned result is ordered by: the share of the model's yes/no statements a candidate meets
(those it did not check score 0 and follow in the fused order)."""


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


_NAMES = {"a": "A", "b": "B", "1": "A", "2": "B", "first": "A", "second": "B", "former": "A", "latter": "B"}
_IMAGE = r"(?:image|picture|photo|photograph|option|candidate|choice|one)"
_WHICH = rf"(?:{_IMAGE}\s*\(?([ABab12])\b\)?|\b(?-i:([AB]))\b|\b(first|second|former|latter)\b(?:\s+{_IMAGE})?)"
"""How a reply names one of the two images (a bare letter only in capitals: "a" is an article)."""
_PREFERS = (r"(?:matches|match|fits|corresponds|is (?:a |the )?(?:better|closer|best|stronger|more)|better|closer|"
            r"wins|is preferred|is the (?:one|match|answer))")
_NEGATED = re.compile(r"\b(?:not|n't|no|less|worse|neither|nor)\b", re.IGNORECASE)
_CHOICE_PATTERNS = [
    # "Answer: B", "My choice is image B", "I prefer the second image", "I'd pick A"
    re.compile(rf"\b(?:answer|choice|verdict|prefer|choose|pick|select|go with)\b\W*(?:is\W*)?(?:the\s+)?{_WHICH}",
               re.IGNORECASE),
    # "Image B matches better", "The second one is closer to the target", "B is a better match"
    re.compile(rf"(?:the\s+)?{_WHICH}\s+((?:\w+\s+){{0,3}}?){_PREFERS}", re.IGNORECASE),
    # "The better match is image A", "so B", "Hence the second one."
    re.compile(rf"(?:\b(?:better|best|closer|stronger)\s+(?:match|fit|one|image)\s+is|\b(?:so|thus|hence|therefore))"
               rf"\W+(?:the\s+)?{_WHICH}", re.IGNORECASE),
    # "B", "**B**", "B.", "(A)", "Option A."
    re.compile(rf"^\W*(?:{_IMAGE}\s*\(?([ABab12])\)?|\(?(?-i:([AB]))\)?)\W*$", re.IGNORECASE),
    # "B. The second image shows the night sky", "A - it is darker"
    re.compile(r"^\W*([AB])\b(?!['’])\W"),
]


def parse_pairwise_choice(reply: str) -> str | None:
    """Which of two images a model's reply prefers: ``"A"``, ``"B"``, or None when the reply does not
    say (it hedges, says both or neither, or is about something else). Reads the first statement of
    a preference ("Image B matches better", "Answer: A", "the second one is closer", a bare letter),
    not the first letter: "Image B matches better." prefers B."""
    text = reply.strip().replace("*", "")
    for pattern in _CHOICE_PATTERNS:
        for match in pattern.finditer(text):
            gap = match.group(4) if pattern is _CHOICE_PATTERNS[1] else ""
            if gap and _NEGATED.search(gap):
                continue
            named = next((g for g in match.groups() if g and g.lower() in _NAMES), None)
            if named is not None:
                return _NAMES[named.lower()]
    return None


def _prefer_first(client: ChatClient, target: str, a: Image.Image, b: Image.Image) -> bool:
    """True unless the model clearly prefers the second image (an unclear reply keeps the order)."""
    reply = _ask(client, f"Target: {target}\nWhich image matches the target better, the first (A) or the "
                 "second (B)? Answer with A or B.", a, b)
    choice = parse_pairwise_choice(reply)
    if choice is None:
        log.info("pairwise comparison: no clear choice in %r; the order is kept", reply[:200])
    return choice != "B"


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
            tied = verified.get(head[i - 1], 0.0) == verified.get(head[i], 0.0)  # comparisons break ties only
            if tied and a is not None and b is not None and not _prefer_first(client, target, a, b):
                head[i - 1], head[i] = head[i], head[i - 1]
    except LLMUnavailableError as exc:
        log.warning("reasoned search fell back to the model-free composition: %s", exc)
        return model_free.model_copy(update={"notes": [*model_free.notes, f"LLM unavailable, model-free: {exc}"]})
    ranked = head + order[VERIFY_TOP:]
    out = []
    for rank, key in enumerate(ranked[:request.limit], start=1):
        hit = hits[key].model_copy(deep=True)
        hit.score = verified.get(key, 0.0)  # what orders them: the share of statements the model verified
        if key in verified:
            hit.signals.append(Signal(name="llm-verified", rank=rank, score=verified[key]))
        out.append(hit)
    notes = [*model_free.notes, f"target described as: {target}", "statements: " + "; ".join(statements)]
    return SearchResult(hits=out, total=len(ranked), facets=model_free.facets, no_good_match=not out,
                        score_label=SCORE_LABEL, took_ms=model_free.took_ms, notes=notes)
