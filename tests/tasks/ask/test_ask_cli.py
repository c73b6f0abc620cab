"""``artscope ask`` through Typer's runner: model-free, with a scripted model, with errors."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from artscope.cli.main import app
from artscope.collection import Collection
from tasks.ask.llm_server import Reply, ScriptedLLM

runner = CliRunner()
CAFE = "van-gogh-cafe-terrace-at-night"


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["ask", *args])
    return result.exit_code, result.output


def test_ask_prints_the_answer_citations_and_steps(ask_collection: Collection, cafe_image: Path) -> None:
    target = str(ask_collection.path)
    ask_collection.close()  # the command opens the collection itself (the fixture reopens it lazily)
    code, out = _run("When was the Eiffel Tower built?", "-c", target, "--json", "--model-free")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["text"].startswith("1889. ") and answer["kind"] == "date"
    assert {c["kind"] for c in answer["citations"]} == {"record-field", "passage"}
    code, out = _run("Who painted this?", "-c", target, "--image", str(cafe_image), "--model-free")
    assert code == 0, out
    assert out.startswith("This is “Cafe Terrace at Night”, in the collection. Vincent van Gogh.")
    assert "image matched" in out and "exact" in out
    assert f"[record:{CAFE}.artists]" in out and "citations" in out and "steps" in out
    ask_collection.close()


def test_ask_with_a_model_and_with_one_that_is_down(ask_collection: Collection) -> None:
    target = str(ask_collection.path)
    ask_collection.close()
    reply = Reply(content=f"Arles, France [record:{CAFE}.place].")
    with ScriptedLLM([reply]) as server:
        code, out = _run("Where is this?", "-c", target, "--artwork", CAFE, "--llm-url", server.url,
                         "--llm-model", "scripted-7b", "--json")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["answerer"] == "llm:scripted-7b" and answer["citations"][0]["quote"] == "Arles, France"
    code, out = _run("Where is this?", "-c", target, "--artwork", CAFE, "--llm-url", server.url,
                     "--llm-model", "scripted-7b")
    assert code == 0 and out.startswith("Arles, France.") and "fell-back-to-model-free" in out
    ask_collection.close()


def test_ask_errors_are_one_line(ask_collection: Collection) -> None:
    target = str(ask_collection.path)
    ask_collection.close()
    code, out = _run("  ", "-c", target)
    assert code == 2 and "empty" in out and "Traceback" not in out
    code, out = _run("Who painted it?", "-c", target, "--artwork", "nope", "--model-free")
    assert code == 2 and "No artwork with id 'nope'" in out
    ask_collection.close()
