"""Dialogue search: a session of turns that narrows down (as ChatIR / PlugIR). Each turn returns the
current top results and one clarifying question, chosen model-free by information gain over the
catalogue facets of the current candidates ("Is it a landscape or a portrait?", "Before or after
1850?"). Sessions persist in the catalog and resume by id."""

from __future__ import annotations

import base64
import io
import json
import logging
import math
import re
import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

from PIL import Image
from pydantic import BaseModel, Field

from artscope.errors import InvalidInputError, NotFoundError
from artscope.llm import ChatClient, LLMUnavailableError, from_settings
from artscope.media.images import load_image
from artscope.tasks.search.engine import search
from artscope.tasks.search.types import SearchHit, SearchRequest
from artscope.types import Filters, Range

if TYPE_CHECKING:
    from artscope.collection import Collection

log = logging.getLogger(__name__)

SESSION_DAYS = 30
"""Dialogue sessions untouched for longer are deleted when a new one starts (public callers must not
grow the catalog without bound)."""
CANDIDATES = 60
"""How many of the current results a question is chosen over."""
QUESTION_FIELDS = ("type", "genre", "style", "artist", "medium", "place", "year")
SKIP_ANSWERS = {"", "skip", "don't know", "dont know", "not sure", "any", "either"}


class Question(BaseModel):
    field: str
    text: str
    options: list[str]
    """Quick answers; a free-text answer is also accepted (it refines the query words)."""
    gain: float
    """Entropy (bits) of the field over the candidates: the expected information of the answer."""


class DialogueTurn(BaseModel):
    session_id: str
    round: int
    hits: list[SearchHit]
    question: Question | None
    """None when the candidates cannot be split further."""
    query: str | None = None
    filters: dict[str, Any] = Field(default_factory=dict)


def _year_of(hit: SearchHit) -> int | None:
    return hit.artwork.year_start


def _values(hit: SearchHit, field: str) -> list[str]:
    value = hit.artwork.payload().get(field)
    if value is None or value == []:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _entropy(counts: Counter[str]) -> float:
    total = sum(counts.values())
    return -sum(c / total * math.log2(c / total) for c in counts.values() if c) if total else 0.0


def choose_question(hits: list[SearchHit], asked: set[str], known_fields: set[str]) -> Question | None:
    """The question whose answer splits the candidates most evenly (maximum entropy)."""
    best: Question | None = None
    for field in QUESTION_FIELDS:
        if field in asked or field not in known_fields:
            continue
        if field == "year":
            years = sorted(y for h in hits if (y := _year_of(h)) is not None)
            if len(set(years)) < 2:
                continue
            pivot = years[len(years) // 2]
            counts = Counter("before" if y < pivot else "after" for y in years)
            question = Question(field="year", text=f"Was it made before or after {pivot}?",
                                options=[f"before {pivot}", f"after {pivot}"], gain=_entropy(counts))
        else:
            counts = Counter(v for h in hits for v in _values(h, field))
            if len(counts) < 2:
                continue
            options = [value for value, _ in counts.most_common(4)]
            label = {"artist": "Who made it", "type": "What kind of object is it",
                     "place": "Where is it from"}.get(field, f"Which {field} is it")
            text = f"Is it {' or '.join(options)}?" if len(options) == 2 and field != "artist" \
                else f"{label}: {', '.join(options[:-1])} or {options[-1]}?"
            question = Question(field=field, text=text, options=options, gain=_entropy(counts))
        if question.gain > 0 and (best is None or question.gain > best.gain):
            best = question
    return best


LLM_PROMPT = """You help a museum visitor find one artwork by asking clarifying questions, as in ChatIR.
The search so far: {query!r}. Questions asked and answers: {history}.
The current top candidates:
{candidates}
Ask ONE short question whose answer best tells these candidates apart, with 2 to 4 short answer options.
Reply with JSON only: {{"question": "...", "options": ["...", "..."]}}"""


def llm_question(client: ChatClient, state: dict[str, Any], hits: list[SearchHit]) -> Question:
    """The language model's clarifying question (its answers refine the query words)."""
    candidates = "\n".join(f"- {h.artwork.title} ({', '.join(h.artwork.artists)}, {h.artwork.date or 'n.d.'}, "
                           f"{h.artwork.type or ''})" for h in hits[:10])
    history = list(zip(state.get("questions", []), state["answers"], strict=False))
    reply = client.chat([{"role": "user", "content": LLM_PROMPT.format(
        query=state["text"], history=history or "none", candidates=candidates)}]).content
    match = re.search(r"\{.*\}", reply, re.S)
    try:
        data = json.loads(match.group(0)) if match else {}
        question, options = str(data["question"]).strip(), [str(o) for o in data["options"]][:4]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise LLMUnavailableError(f"the model's question was not the JSON asked for: {reply[:200]!r}") from exc
    if not question:
        raise LLMUnavailableError("the model asked an empty question")
    return Question(field="llm", text=question, options=options, gain=0.0)


def _apply_answer(state: dict[str, Any], answer: str) -> None:
    """Turn an answer to the last question into a filter, or into more query words."""
    question = state["question"]
    state["asked"].append(question["field"] if question else "")
    normalized = answer.strip().lower()
    if normalized in SKIP_ANSWERS or question is None:
        if normalized not in SKIP_ANSWERS:
            state["text"] = f"{state['text'] or ''} {answer.strip()}".strip()
        return
    field = question["field"]
    chosen = next((o for o in question["options"] if o.lower() == normalized), None)
    if chosen is None or field == "llm":  # the model's questions are open: answers refine the words
        state["text"] = f"{state['text'] or ''} {answer.strip()}".strip()
    elif field == "year":
        word, _, year = chosen.partition(" ")
        state["filters"]["year"] = {"lte": int(year) - 1} if word == "before" else {"gte": int(year)}
    else:
        state["filters"][field] = chosen


def _encode_image(image: Any) -> str | None:
    if image is None:
        return None
    picture = load_image(image, draft_size=512)
    picture.thumbnail((512, 512))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return base64.b64encode(buffer.getvalue()).decode()


def _run_turn(collection: Collection, session_id: str, state: dict[str, Any], limit: int) -> DialogueTurn:
    image = Image.open(io.BytesIO(base64.b64decode(state["image"]))) if state["image"] else None
    filters: Filters = {k: Range(**v) if isinstance(v, dict) else v for k, v in state["filters"].items()}
    result = search(collection, SearchRequest(text=state["text"] or None, image=image, filters=filters,
                                              limit=max(CANDIDATES, limit)))
    question = None
    client = from_settings() if state.get("use_llm") else None
    if client is not None:
        try:
            with client:
                question = llm_question(client, state, result.hits)
        except LLMUnavailableError as exc:
            log.warning("dialogue question fell back to the model-free choice: %s", exc)
    question = question or choose_question(result.hits, set(state["asked"]), collection.filter_fields())
    state["question"] = question.model_dump() if question else None
    state.setdefault("questions", []).append(question.text if question else None)
    state["round"] += 1
    collection.catalog.conn.execute(
        "INSERT INTO sessions (id, kind, state) VALUES (?, 'dialogue', ?) "
        "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = datetime('now')",
        (session_id, json.dumps(state)))
    return DialogueTurn(session_id=session_id, round=state["round"], hits=result.hits[:limit], question=question,
                        query=state["text"], filters=state["filters"])


def start_dialogue(collection: Collection, text: str | None = None, image: Any = None,
                   filters: Filters | None = None, limit: int = 10, use_llm: bool = False) -> DialogueTurn:
    """Open a session with a first query; returns the first results and question. With ``use_llm``
    the configured language model asks the questions (model-free when it cannot)."""
    if not (text or "").strip() and image is None:
        raise InvalidInputError("Start a dialogue with some words or an image.")
    clean = collection.check_filters(filters)
    collection.catalog.conn.execute("DELETE FROM sessions WHERE kind = 'dialogue' AND updated_at < datetime('now', ?)",
                                    (f"-{SESSION_DAYS} days",))
    state = {"text": (text or "").strip(), "image": _encode_image(image), "round": 0, "asked": [],
             "filters": {k: v.model_dump(exclude_none=True) if isinstance(v, Range) else v for k, v in clean.items()},
             "question": None, "answers": [], "use_llm": use_llm}
    return _run_turn(collection, uuid.uuid4().hex[:16], state, limit)


def _load(collection: Collection, session_id: str) -> dict[str, Any]:
    row = collection.catalog.conn.execute("SELECT state FROM sessions WHERE id = ? AND kind = 'dialogue'",
                                          (session_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"No dialogue session {session_id!r}; start one with a query.")
    return json.loads(row[0])


def answer_dialogue(collection: Collection, session_id: str, answer: str, limit: int = 10) -> DialogueTurn:
    """Answer the session's last question (a quick answer, free words, or "skip")."""
    state = _load(collection, session_id)
    state["answers"].append(answer)
    _apply_answer(state, answer)
    return _run_turn(collection, session_id, state, limit)


def resume_dialogue(collection: Collection, session_id: str, limit: int = 10) -> DialogueTurn:
    """The current turn of a stored session (results recomputed, question unchanged)."""
    state = _load(collection, session_id)
    state["round"] -= 1  # recomputing the same turn, not a new round
    return _run_turn(collection, session_id, state, limit)
