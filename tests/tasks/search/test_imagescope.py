"""Reasoned composed search against a scripted OpenAI-compatible server on loopback (real HTTP).
The script "sees" by measuring the images it is sent: blue images satisfy the statements."""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest
from PIL import Image

from artscope.config import get_settings
from artscope.tasks.search.imagescope import parse_pairwise_choice
from artscope.testing import draw_artwork, synthetic_artworks

REPLIES = [
    ("B", "B"), ("A", "A"), ("**B**", "B"), ("B.", "B"), ("(A)", "A"), ("Option A.", "A"), ("Image 2.", "B"),
    ("Image B matches better.", "B"), ("Answer: B", "B"), ("The answer is A.", "A"),
    ("I would choose image B because it is at night.", "B"), ("I'd pick the latter.", "B"),
    ("The second image matches the target better.", "B"), ("The first one is closer to the target.", "A"),
    ("B - it shows the scene at night.", "B"), ("A, because the sky is darker.", "A"),
    ("Image 2 is a better match.", "B"), ("B is the better match.", "B"), ("The better match is image A.", "A"),
    ("While image A is brighter, image B matches the description better.", "B"),
    ("Image A is not a good match, so B.", "B"),
    ("Comparing both: the first image shows daylight; the second image clearly matches the night scene.", "B"),
    ("Both images match equally well.", None), ("Neither image matches the target.", None),
    ("Image A does not match; image B does.", None), ("As an AI I cannot see images.", None), ("a", None),
]
"""Replies chat models give to "Which image matches the target better, the first (A) or the second (B)?",
and the choice each states (None: it states none, and the order is kept)."""


def _blueness(url: str) -> float:
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"), float)
    return float(pixels[..., 2].mean() - pixels[..., 0].mean())


def _reply(messages: list[dict]) -> str:
    content = messages[-1]["content"]
    parts = content if isinstance(content, list) else [{"type": "text", "text": content}]
    text = " ".join(p["text"] for p in parts if p["type"] == "text")
    images = [p["image_url"]["url"] for p in parts if p["type"] == "image_url"]
    if text.startswith("Describe this image"):
        return "A red portrait with a dark oval figure on a dotted ground."
    if "the image the user is looking for" in text:
        return "A portrait in blue tones with a dots texture."
    if "statements that must be true" in text:
        return 'Here: ["The image is mostly blue", "It shows a single figure"]'
    if "yes or no" in text:
        answer = "yes" if _blueness(images[0]) > 0 else "no"
        return f"1. {answer}\n2. {answer}"
    if "Which image matches" in text:  # as chat models answer: a sentence, not a bare letter
        return ("The first image (A) is the better match." if _blueness(images[0]) >= _blueness(images[1])
                else "Image B matches better.")
    return "I do not know."


class ScriptedModel(BaseHTTPRequestHandler):
    delay = 0.0
    calls: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.delay)
        content = _reply(body["messages"])
        ScriptedModel.calls.append(content[:20])
        data = json.dumps({"model": body["model"], "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def model_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[ScriptedModel]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), ScriptedModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("ARTSCOPE_LLM_URL", f"http://127.0.0.1:{server.server_port}/v1")
    monkeypatch.setenv("ARTSCOPE_LLM_MODEL", "scripted")
    monkeypatch.setenv("ARTSCOPE_LLM_TIMEOUT_S", "2")
    get_settings.cache_clear()
    ScriptedModel.delay, ScriptedModel.calls = 0.0, []
    yield ScriptedModel
    server.shutdown()
    get_settings.cache_clear()


def _reference():
    items = {(a.artist, a.style, a.genre): a for a in synthetic_artworks(48)}
    return draw_artwork(items[("Ada Rossi", "dots", "portrait")], seed=7), items[("Ben Blau", "dots", "portrait")]


def test_reasoned_composed_search_verifies_and_compares(synthetic_collection, model_server) -> None:
    reference, target = _reference()
    result = synthetic_collection.search("make it blue", image=reference, reason=True, limit=5)
    assert result.hits[0].artwork.artists == ["Ben Blau"]
    assert target.id in [h.artwork.id for h in result.hits[:3]]
    assert any(s.name == "llm-verified" and s.score == 1.0 for s in result.hits[0].signals)
    assert result.score_label == "statements verified" and result.hits[0].score == 1.0
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)
    assert any("target described as: A portrait in blue" in n for n in result.notes)
    assert len(model_server.calls) >= 3 + 5  # caption, target, statements, one verification per candidate


@pytest.mark.parametrize(("reply", "choice"), REPLIES)
def test_pairwise_replies_are_read_for_the_choice_they_state(reply: str, choice: str | None) -> None:
    assert parse_pairwise_choice(reply) == choice


def test_an_unreachable_model_falls_back_to_the_model_free_composition(synthetic_collection, model_server) -> None:
    reference, _ = _reference()
    model_server.delay = 3.0  # past the 2 s client timeout
    result = synthetic_collection.search("make it blue", image=reference, reason=True, limit=5)
    assert result.hits and any("LLM unavailable" in n for n in result.notes)


def test_without_a_configured_model_the_result_says_so(synthetic_collection, monkeypatch) -> None:
    monkeypatch.delenv("ARTSCOPE_LLM_URL", raising=False)
    get_settings.cache_clear()
    reference, _ = _reference()
    result = synthetic_collection.search("make it blue", image=reference, reason=True, limit=5)
    assert result.hits and "no language model configured" in result.notes[0]


def test_the_language_model_asks_the_dialogue_questions(synthetic_collection, model_server, monkeypatch) -> None:
    from artscope.tasks.search.dialogue import answer_dialogue, start_dialogue

    original = _reply

    def asking(messages: list[dict]) -> str:
        if "clarifying questions" in str(messages[-1]["content"]):
            return 'Sure! {"question": "Is the figure blue or red?", "options": ["blue", "red"]}'
        return original(messages)

    monkeypatch.setitem(globals(), "_reply", asking)
    turn = start_dialogue(synthetic_collection, text="a portrait", use_llm=True)
    assert turn.question.field == "llm" and turn.question.options == ["blue", "red"]
    turn = answer_dialogue(synthetic_collection, turn.session_id, "blue")
    assert turn.query == "a portrait blue"
    assert turn.hits[0].artwork.artists == ["Ben Blau"]
    model_server.delay = 3.0  # an endpoint that stops answering: the model-free question takes over
    turn = answer_dialogue(synthetic_collection, turn.session_id, "skip")
    assert turn.question is not None and turn.question.field != "llm"
