"""The OpenAI-compatible chat client against a scripted server on 127.0.0.1 (real HTTP)."""

from __future__ import annotations

import base64
import io
import socket
import time

import pytest
from PIL import Image

from artscope.config import Settings
from artscope.errors import InvalidInputError
from artscope.llm import ChatClient, ChatDelta, ChatReply, LLMUnavailableError, from_settings, image_message
from tasks.ask.llm_server import Reply, ScriptedLLM


def test_chat_sends_model_tools_and_key_and_parses_tool_calls() -> None:
    replies = [Reply(tool_calls=[("record", '{"artwork_id": "a1"}'), ("search", {"query": "night"})])]
    with ScriptedLLM(replies) as server, ChatClient(server.url, "m1", api_key="secret") as client:
        tools = [{"type": "function", "function": {"name": "record", "parameters": {"type": "object"}}}]
        reply = client.chat([{"role": "user", "content": "hi"}], tools=tools)
    assert server.requests[0]["model"] == "m1" and server.requests[0]["tools"] == tools
    assert server.requests[0]["temperature"] == 0
    assert server.headers[0]["Authorization"] == "Bearer secret"
    assert reply.finish_reason == "tool_calls" and reply.content == ""
    assert [c.name for c in reply.tool_calls] == ["record", "search"]
    assert reply.tool_calls[0].parsed_arguments() == {"artwork_id": "a1"}
    assert reply.tool_calls[1].parsed_arguments() == {"query": "night"}  # an object, as Ollama sends it
    message = reply.to_message()
    assert message["role"] == "assistant" and message["tool_calls"][0]["function"]["name"] == "record"


def test_text_reply_and_its_message() -> None:
    with ScriptedLLM([Reply(content="Vincent van Gogh.")]) as server, ChatClient(server.url, "m") as client:
        reply = client.chat([{"role": "user", "content": "who?"}])
    assert reply == ChatReply(content="Vincent van Gogh.", finish_reason="stop", model="scripted")
    assert "tools" not in server.requests[0]
    assert reply.to_message() == {"role": "assistant", "content": "Vincent van Gogh."}


def test_malformed_tool_arguments_are_an_input_error() -> None:
    with ScriptedLLM([Reply(tool_calls=[("record", "{artwork_id: a1"), ("record", "[1, 2]")])]) as server, \
            ChatClient(server.url, "m") as client:
        broken, listed = client.chat([{"role": "user", "content": "x"}]).tool_calls
    with pytest.raises(InvalidInputError, match="not valid JSON"):
        broken.parsed_arguments()
    with pytest.raises(InvalidInputError, match="JSON object"):
        listed.parsed_arguments()


def test_stream_yields_text_pieces_then_the_joined_reply() -> None:
    replies = [Reply(content="It was built in 1591."),
               Reply(tool_calls=[("passages", '{"query": "plague"}')])]
    with ScriptedLLM(replies) as server, ChatClient(server.url, "m") as client:
        events = list(client.stream([{"role": "user", "content": "when?"}]))
        calls = list(client.stream([{"role": "user", "content": "why?"}]))
    pieces = [e.text for e in events if isinstance(e, ChatDelta)]
    assert len(pieces) == 5 and "".join(pieces) == "It was built in 1591."
    assert isinstance(events[-1], ChatReply) and events[-1].content == "It was built in 1591."
    assert server.requests[0]["stream"] is True
    final = calls[-1]
    assert isinstance(final, ChatReply) and final.finish_reason == "tool_calls"
    assert final.tool_calls[0].parsed_arguments() == {"query": "plague"}  # two fragments joined


def test_a_slow_endpoint_times_out_without_retrying() -> None:
    with ScriptedLLM([Reply(content="late", delay_s=2.0)]) as server, \
            ChatClient(server.url, "m", timeout_s=0.5) as client:
        start = time.perf_counter()
        with pytest.raises(LLMUnavailableError, match=r"did not answer within 0\.5 s") as caught:
            client.chat([{"role": "user", "content": "x"}])
        assert time.perf_counter() - start < 1.8
    assert server.url in str(caught.value) and "ARTSCOPE_LLM_TIMEOUT_S" in str(caught.value)
    assert len(server.requests) == 1


def test_unreachable_endpoint_names_the_url_and_what_to_check() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with ChatClient(f"http://127.0.0.1:{port}/v1", "m", timeout_s=2) as client, \
            pytest.raises(LLMUnavailableError, match="could not be reached") as caught:
        client.chat([{"role": "user", "content": "x"}])
    assert f"127.0.0.1:{port}" in str(caught.value) and "ARTSCOPE_LLM_URL" in str(caught.value)


def test_busy_server_is_retried_once_and_other_errors_are_not() -> None:
    replies = [Reply(status=503), Reply(content="ok"), Reply(status=401, raw=b'{"error": "bad key"}'),
               Reply(status=503), Reply(status=503)]
    with ScriptedLLM(replies) as server, ChatClient(server.url, "m") as client:
        assert client.chat([{"role": "user", "content": "x"}]).content == "ok"
        with pytest.raises(LLMUnavailableError, match=r"HTTP 401.*bad key"):
            client.chat([{"role": "user", "content": "x"}])
        with pytest.raises(LLMUnavailableError, match="HTTP 503"):
            client.chat([{"role": "user", "content": "x"}])
    assert len(server.requests) == 5


def test_a_body_that_is_not_a_chat_completion_is_unavailable() -> None:
    replies = [Reply(raw=b"<html>proxy error</html>"), Reply(raw=b'{"choices": []}')]
    with ScriptedLLM(replies) as server, ChatClient(server.url, "m") as client:
        for _ in replies:
            with pytest.raises(LLMUnavailableError, match="OpenAI chat completion"):
                client.chat([{"role": "user", "content": "x"}])


def test_image_message_holds_a_downscaled_jpeg_data_url() -> None:
    message = image_message("What is this?", Image.new("RGB", (3000, 1500), (200, 30, 30)))
    text, image = message["content"]
    assert message["role"] == "user" and text == {"type": "text", "text": "What is this?"}
    url = image["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")
    decoded = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert decoded.size == (1024, 512) and decoded.getpixel((10, 10))[0] > 150


def test_client_from_settings() -> None:
    assert from_settings(Settings(llm_url=None)) is None
    client = from_settings(Settings(llm_url="http://localhost:8000/v1/", llm_model="qwen", llm_timeout_s=5))
    assert client is not None and client.endpoint == "http://localhost:8000/v1/chat/completions"
    assert client.model == "qwen" and client.timeout_s == 5
    client.close()
    with pytest.raises(InvalidInputError, match="ARTSCOPE_LLM_MODEL"):
        from_settings(Settings(llm_url="http://localhost:8000/v1", llm_model=None))
    with pytest.raises(InvalidInputError, match="http"):
        ChatClient("localhost:8000", "m")
