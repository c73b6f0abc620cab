"""The tool-calling loop against a scripted OpenAI-compatible server on 127.0.0.1 (real HTTP): a good
run, malformed tool calls, a model that times out, one that cites nothing, one that makes citations up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from artscope.collection import Collection
from artscope.llm import ChatClient
from artscope.tasks.ask import Answer, Flag, ask, iter_ask
from artscope.tasks.ask.grounding import FINISH_NOW
from tasks.ask.llm_server import Reply, ScriptedLLM

CAFE = "van-gogh-cafe-terrace-at-night"
QUESTION = "Who painted the Cafe Terrace at Night?"
GOOD_ANSWER = f"Vincent van Gogh [record:{CAFE}.artists], in 1888 [record:{CAFE}.date]."


def _run(collection: Collection, replies: list[Reply], question: str = QUESTION, timeout_s: float = 10,
         **options: object) -> tuple[Answer, ScriptedLLM]:
    with ScriptedLLM(replies) as server, ChatClient(server.url, "scripted-7b", timeout_s=timeout_s) as client:
        return ask(collection, question, llm=client, **options), server


def _tool_messages(request: dict) -> list[dict]:
    return [m for m in request["messages"] if m["role"] == "tool"]


def test_tool_calls_then_a_cited_answer(ask_collection: Collection) -> None:
    answer, server = _run(ask_collection, [
        Reply(tool_calls=[("search", '{"query": "Cafe Terrace at Night", "limit": 3}')]),
        Reply(tool_calls=[("record", json.dumps({"artwork_id": CAFE}))]),
        Reply(content=GOOD_ANSWER),
    ])
    assert answer.answerer == "llm:scripted-7b" and answer.text == GOOD_ANSWER
    assert [c.marker for c in answer.citations] == [f"[record:{CAFE}.artists]", f"[record:{CAFE}.date]"]
    assert answer.citations[0].quote == "Vincent van Gogh" and not answer.flags
    assert answer.confidence >= 0.7
    assert [s.tool for s in answer.steps][-2:] == ["search", "record"]
    first = server.requests[0]
    assert first["messages"][0]["role"] == "system" and "[record:<artwork_id>.<field>]" in \
        first["messages"][0]["content"] and "Examples of good answers" in first["messages"][0]["content"]
    assert f"artwork {CAFE}" in first["messages"][1]["content"]  # the title in the question was resolved
    assert {t["function"]["name"] for t in first["tools"]} == {"search", "passages", "record", "attributes",
                                                               "aesthetics"}
    search_result = json.loads(_tool_messages(server.requests[1])[0]["content"])
    assert search_result["hits"][0]["artwork_id"] == CAFE
    record_result = json.loads(_tool_messages(server.requests[2])[-1]["content"])
    assert record_result["fields"]["artists"] == ["Vincent van Gogh"]


def test_malformed_tool_calls_are_answered_with_errors_and_counted(ask_collection: Collection) -> None:
    answer, server = _run(ask_collection, [
        Reply(tool_calls=[("record", '{"artwork_id": '), ("paint", "{}"), ("passages", '{"limit": 500}'),
                          ("record", '{"artwork_id": "no-such-work"}')]),
        Reply(tool_calls=[("passages", '{"artwork_id": "charminar"}')]),
        Reply(content="To mark the end of plague in the city [passage:charminar-p1]."),
    ], question="Why was the Charminar built?")
    errors = [json.loads(m["content"])["error"] for m in _tool_messages(server.requests[1])]
    assert "not valid JSON" in errors[0]
    assert "Unknown ask tools 'paint'" in errors[1]
    assert "bad arguments for 'passages'" in errors[2] and "limit" in errors[2]
    assert "no-such-work" in errors[3]
    assert Flag.MALFORMED_TOOL_CALLS in answer.flags
    assert sum(1 for s in answer.steps if s.error) == 4
    assert [c.marker for c in answer.citations] == ["[passage:charminar-p1]"]


def test_an_endpoint_that_times_out_falls_back_to_the_model_free_answer(ask_collection: Collection) -> None:
    answer, server = _run(ask_collection, [Reply(content=GOOD_ANSWER, delay_s=3)], timeout_s=1)
    assert Flag.FELL_BACK in answer.flags and answer.answerer == "model-free"
    assert answer.text.startswith("Vincent van Gogh. ")
    assert any("did not answer within 1 s" in note for note in answer.notes)
    assert len(server.requests) == 1


def test_a_model_that_cites_nothing_is_flagged_ungrounded(ask_collection: Collection) -> None:
    answer, _ = _run(ask_collection, [Reply(content="It was painted by Vincent van Gogh in 1888.")])
    assert Flag.UNGROUNDED in answer.flags and answer.confidence <= 0.15
    assert not answer.citations and answer.answered


def test_made_up_citations_are_removed_and_flagged(ask_collection: Collection) -> None:
    text = (f"Vincent van Gogh painted it [record:{CAFE}.artists]. He painted it in Paris [passage:cafe-p9] "
            f"on a 2 m canvas [record:{CAFE}.weight] [record:no-such-work.date].")
    answer, _ = _run(ask_collection, [Reply(content=text)])
    assert Flag.CITATIONS_REMOVED in answer.flags and Flag.UNGROUNDED not in answer.flags
    # the second sentence cites nothing that exists, so nothing backs Paris or 2 m: it goes too
    assert Flag.UNSUPPORTED in answer.flags
    assert answer.text == f"Vincent van Gogh painted it [record:{CAFE}.artists]."
    assert [c.marker for c in answer.citations] == [f"[record:{CAFE}.artists]"]
    assert any("[passage:cafe-p9]" in note for note in answer.notes)
    assert any("He painted it in Paris on a 2 m canvas." in note for note in answer.notes)
    assert 0.15 < answer.confidence <= 0.5


@pytest.mark.parametrize(("planted", "question"), [
    (f"Paul Gauguin [record:{CAFE}.artists].", QUESTION),                        # another artist
    (f"Vincent van Gogh painted it in 1890 [record:{CAFE}.date].", QUESTION),    # another year
    (f"Vincent van Gogh [record:{CAFE}.artists], in Paris [record:{CAFE}.place].", QUESTION),  # record: Arles
    ("It was built to mark the end of a war [passage:charminar-p1].", "Why was the Charminar built?"),
    ("It was built in 1591 by Akbar [passage:charminar-p1].", "Who built the Charminar?"),
    ("The casing is of polished granite [passage:bent-pyramid-p1].", "What is the Bent Pyramid's casing made of?"),
])
def test_planted_false_claims_behind_valid_citations_are_removed(ask_collection: Collection, planted: str,
                                                                 question: str) -> None:
    answer, _ = _run(ask_collection, [Reply(content=planted)], question=question)
    assert Flag.UNSUPPORTED in answer.flags and Flag.CITATIONS_REMOVED not in answer.flags
    assert not answer.answered and answer.confidence == 0 and not answer.citations
    assert answer.text.startswith("Not in the collection's records.")
    assert "not backed by the sources" in " ".join(answer.warnings)


def test_a_false_sentence_goes_and_the_supported_ones_stay(ask_collection: Collection) -> None:
    text = ("It was built in 1591 by Mohammed Quli Qutab Shah [passage:charminar-p1]. "
            "He built it to mark the end of plague in the Hyderabad city [passage:charminar-p1]. "
            "It is made of white marble [passage:charminar-p1].")
    answer, _ = _run(ask_collection, [Reply(content=text)], question="Why was the Charminar built?")
    assert answer.text == ("It was built in 1591 by Mohammed Quli Qutab Shah [passage:charminar-p1]. "
                           "He built it to mark the end of plague in the Hyderabad city [passage:charminar-p1].")
    assert Flag.UNSUPPORTED in answer.flags and answer.answered
    assert [c.marker for c in answer.citations] == ["[passage:charminar-p1]"]
    assert 0 < answer.confidence <= 0.5  # two of three sentences kept, capped as partly grounded


def test_the_step_limit_forces_an_answer_without_tools(ask_collection: Collection) -> None:
    search = Reply(tool_calls=[("search", '{"query": "cafe"}')])
    answer, server = _run(ask_collection, [search, search, Reply(content=GOOD_ANSWER)], max_steps=2)
    assert Flag.STEP_LIMIT in answer.flags and answer.text == GOOD_ANSWER
    last = server.requests[-1]
    assert "tools" not in last and last["messages"][-1] == {"role": "user", "content": FINISH_NOW}


def test_an_honest_refusal_is_not_ungrounded(ask_collection: Collection) -> None:
    answer, _ = _run(ask_collection, [Reply(content="Not in the collection's records. No record gives one.")],
                     question="What did the painter eat that evening?")
    assert Flag.NO_ANSWER in answer.flags and Flag.UNGROUNDED not in answer.flags and answer.confidence == 0


def test_streamed_answer_with_the_image_sent_to_the_model(ask_collection: Collection,
                                                          cafe_image: Path) -> None:
    replies = [Reply(tool_calls=[("attributes", "{}")]), Reply(content=GOOD_ANSWER)]
    with ScriptedLLM(replies) as server, ChatClient(server.url, "scripted-7b") as client:
        events = list(iter_ask(ask_collection, "Who painted this?", image=cafe_image, llm=client))
    deltas = "".join(e.text for e in events if e.type == "delta")
    recognised = "This is “Cafe Terrace at Night”, in the collection. "
    assert deltas == GOOD_ANSWER and events[-1].type == "answer" and events[-1].answer.text == recognised + GOOD_ANSWER
    attributes = next(e.step for e in events if e.type == "step" and e.step.tool == "attributes")
    assert attributes.error and "train" in attributes.error  # no head yet: said, and not a malformed call
    assert Flag.MALFORMED_TOOL_CALLS not in events[-1].answer.flags
    user = server.requests[0]["messages"][1]["content"]
    assert user[1]["image_url"]["url"].startswith("data:image/jpeg;base64,")
    assert f"shows artwork {CAFE}" in user[0]["text"] and "exact match" in user[0]["text"]
    assert all(r["stream"] for r in server.requests)


def test_a_measurement_is_citable_only_once_a_tool_returned_it(ask_collection: Collection) -> None:
    total = ask_collection.score(artwork_id=CAFE).total
    text = (f"Aesthetics total {total:.1f}, an uncalibrated measurement [prediction:{CAFE}.aesthetics]. "
            f"It was painted in 1888 [record:{CAFE}.date]. Predicted Impressionism [prediction:{CAFE}.style].")
    measure = Reply(tool_calls=[("aesthetics", json.dumps({"artwork_id": CAFE}))])
    answer, server = _run(ask_collection, [measure, Reply(content=text)],
                          question="What are the main colours of the Cafe Terrace at Night?")
    measured = json.loads(_tool_messages(server.requests[1])[0]["content"])
    assert 0 <= measured["total"] <= 100 and measured["statements"]
    markers = [c.marker for c in answer.citations]
    assert markers == [f"[prediction:{CAFE}.aesthetics]", f"[record:{CAFE}.date]"]
    assert "Impressionism" not in answer.text  # no attributes tool ran: the marker, then the claim went
    assert {Flag.CITATIONS_REMOVED, Flag.UNSUPPORTED, Flag.PREDICTION} <= set(answer.flags)
    assert "uncalibrated" in answer.citations[0].source
