"""Dialogue search: a session of turns that narrows down (as ChatIR / PlugIR). Each turn returns the
current top results and one clarifying question, chosen model-free by expected information gain over
the current candidates (``questions``: "What kind of object is it: “building”, “monument” or none of
these?", "When was it made: “before 1850” or “1850 or later”?"), or asked by a language model. A
quick answer becomes a filter, "none of these" rules the listed values out, other words refine the
query. Sessions persist in the catalog and resume by id."""

from __future__ import annotations

import base64
import io
import json
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

from PIL import Image
from pydantic import BaseModel, Field

from artscope.errors import InvalidInputError, NotFoundError
from artscope.llm import ChatClient, LLMUnavailableError, from_settings
from artscope.media.images import load_image
from artscope.tasks.search.engine import search
from artscope.tasks.search.facets import question_fields
from artscope.tasks.search.questions import NONE_OF_THESE, Question, choose_question, excluded, filter_values
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
SKIP_ANSWERS = {"", "skip", "don't know", "dont know", "not sure", "any", "either"}


class DialogueTurn(BaseModel):
    session_id: str
    round: int
    hits: list[SearchHit]
    question: Question | None
    """None when the candidates cannot be split further."""
    query: str | None = None
    filters: dict[str, Any] = Field(default_factory=dict)
    excluded: dict[str, list[str]] = Field(default_factory=dict)
    """Values the visitor said the work does not have ("none of these"), by field."""


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


def _refine(state: dict[str, Any], words: str) -> None:
    state["text"] = f"{state['text'] or ''} {words.strip()}".strip()


def _apply_answer(collection: Collection, state: dict[str, Any], answer: str) -> None:
    """Turn an answer to the last question into a filter, an exclusion, or more query words."""
    question = state["question"]
    normalized = answer.strip().lower()
    field = question["field"] if question else ""
    chosen = next((o for o in question["options"] if o.lower() == normalized), None) if question else None
    if chosen == NONE_OF_THESE:  # the field may be asked again, with the values that are left
        listed = [o for o in question["options"] if o != NONE_OF_THESE]
        state.setdefault("excluded", {}).setdefault(field, []).extend(listed)
        return
    state["asked"].append(field)
    if normalized in SKIP_ANSWERS:
        return
    if chosen is None or field == "llm":  # the model's questions are open: answers refine the words
        _refine(state, answer)
    elif field == "year":
        year = int(re.search(r"\d+", chosen).group(0))
        state["filters"]["year"] = {"lte": year - 1} if chosen.startswith("before") else {"gte": year}
    else:
        values = filter_values(collection, field, chosen)
        state["filters"][field] = values[0] if len(values) == 1 else values


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
    ruled_out = state.get("excluded", {})
    result = search(collection, SearchRequest(text=state["text"] or None, image=image, filters=filters,
                                              limit=max(CANDIDATES, limit) * (2 if ruled_out else 1)))
    hits = [h for h in result.hits if not any(excluded(h, f, values) for f, values in ruled_out.items())]
    question = None
    client = from_settings() if state.get("use_llm") else None
    if client is not None:
        try:
            with client:
                question = llm_question(client, state, hits)
        except LLMUnavailableError as exc:
            log.warning("dialogue question fell back to the model-free choice: %s", exc)
    question = question or choose_question(hits[:CANDIDATES], set(state["asked"]), question_fields(collection))
    state["question"] = question.model_dump() if question else None
    state.setdefault("questions", []).append(question.text if question else None)
    state["round"] += 1
    collection.catalog.conn.execute(
        "INSERT INTO sessions (id, kind, state) VALUES (?, 'dialogue', ?) "
        "ON CONFLICT(id) DO UPDATE SET state = excluded.state, updated_at = datetime('now')",
        (session_id, json.dumps(state)))
    return DialogueTurn(session_id=session_id, round=state["round"], hits=hits[:limit], question=question,
                        query=state["text"], filters=state["filters"], excluded=ruled_out)


def start_dialogue(collection: Collection, text: str | None = None, image: Any = None,
                   filters: Filters | None = None, limit: int = 10, use_llm: bool = False) -> DialogueTurn:
    """Open a session with a first query; returns the first results and question. With ``use_llm``
    the configured language model asks the questions (model-free when it cannot)."""
    if not (text or "").strip() and image is None:
        raise InvalidInputError("Start a dialogue with some words or an image.")
    clean = collection.check_filters(filters)
    collection.catalog.conn.execute("DELETE FROM sessions WHERE kind = 'dialogue' AND updated_at < datetime('now', ?)",
                                    (f"-{SESSION_DAYS} days",))
    state = {"text": (text or "").strip(), "image": _encode_image(image), "round": 0, "asked": [], "excluded": {},
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
    _apply_answer(collection, state, answer)
    return _run_turn(collection, session_id, state, limit)


def resume_dialogue(collection: Collection, session_id: str, limit: int = 10) -> DialogueTurn:
    """The current turn of a stored session (results recomputed, question unchanged)."""
    state = _load(collection, session_id)
    state["round"] -= 1  # recomputing the same turn, not a new round
    return _run_turn(collection, session_id, state, limit)
