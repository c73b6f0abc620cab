"""A small client for any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp server, a hosted API).

Used by ``ask`` (the tool-calling answerer) and by composed and dialogue search. It speaks the
``/chat/completions`` protocol over httpx: messages in, a reply out with its text, its tool calls
parsed into typed objects and its finish reason; or the same reply streamed as text deltas. Every
way the endpoint can fail (refused connection, timeout, HTTP error, a body that is not a chat
completion) becomes one error type, ``LLMUnavailableError``, whose message names the URL and what to
check, so callers can fall back to their model-free path.
"""

from __future__ import annotations

import base64
import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
from PIL import Image
from pydantic import BaseModel, Field

from artscope.config import Settings, get_settings
from artscope.errors import ArtscopeError, InvalidInputError

log = logging.getLogger(__name__)

IMAGE_MAX_SIDE = 1024
"""Images sent to the model are downscaled to this longest side (vision encoders do not use more)."""
RETRY_STATUS = frozenset({429, 502, 503, 504})
"""Statuses worth one retry: the server is busy or restarting, not refusing the request."""

Message = dict[str, Any]


class LLMUnavailableError(ArtscopeError):
    """The language model endpoint could not be reached, timed out, or did not answer in the chat format."""


class ToolCall(BaseModel):
    """One function call the model asked for. ``arguments`` is the raw JSON text the model wrote."""

    id: str
    name: str
    arguments: str = ""

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict; models do write invalid JSON, which is an ``InvalidInputError``."""
        if not self.arguments.strip():
            return {}
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"The arguments of {self.name!r} are not valid JSON ({exc.msg}); "
                                    "write them as one JSON object.") from exc
        if not isinstance(value, dict):
            raise InvalidInputError(f"The arguments of {self.name!r} must be a JSON object, "
                                    f"not {type(value).__name__}.")
        return value

    def to_message(self) -> dict[str, Any]:
        """The call as it appears in an assistant message sent back to the model."""
        function = {"name": self.name, "arguments": self.arguments}
        return {"id": self.id, "type": "function", "function": function}


class ChatReply(BaseModel):
    """The model's turn: text, tool calls, and why it stopped (``stop``, ``tool_calls``, ``length``)."""

    content: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    finish_reason: str | None = None
    model: str | None = None

    def to_message(self) -> Message:
        """The reply as an assistant message, to append to the conversation."""
        message: Message = {"role": "assistant", "content": self.content or None}
        if self.tool_calls:
            message["tool_calls"] = [call.to_message() for call in self.tool_calls]
        return message


class ChatDelta(BaseModel):
    """A piece of streamed text."""

    text: str


def image_data_url(image: Image.Image, max_side: int = IMAGE_MAX_SIDE) -> str:
    """A JPEG data URL of an RGB image, downscaled to ``max_side``."""
    image = image.convert("RGB")
    if max(image.size) > max_side:
        image = image.copy()
        image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def image_message(text: str, image: Image.Image, role: str = "user") -> Message:
    """A message holding a text and an image (the OpenAI ``image_url`` content part, as a data URL)."""
    return {"role": role, "content": [{"type": "text", "text": text},
                                      {"type": "image_url", "image_url": {"url": image_data_url(image)}}]}


def _tool_calls(raw: list[dict[str, Any]] | None) -> list[ToolCall]:
    calls = []
    for position, item in enumerate(raw or []):
        function = item.get("function") or {}
        arguments = function.get("arguments", "")
        # Some servers (Ollama's native shape) send the arguments as an object, not a JSON string.
        if not isinstance(arguments, str):
            arguments = json.dumps(arguments)
        calls.append(ToolCall(id=str(item.get("id") or f"call_{position}"),
                              name=str(function.get("name", "")), arguments=arguments))
    return calls


class ChatClient:
    """An OpenAI-compatible chat endpoint. ``url`` is the API base (``http://localhost:8000/v1``)."""

    def __init__(self, url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0,
                 retries: int = 1) -> None:
        if not url.startswith(("http://", "https://")):
            raise InvalidInputError(f"The LLM URL must start with http:// or https://, not {url!r}.")
        if not model:
            raise InvalidInputError("Name the model to use at the LLM endpoint (ARTSCOPE_LLM_MODEL).")
        self.url = url.rstrip("/")
        self.model = model
        self.timeout_s = timeout_s
        self.retries = max(0, min(retries, 1))
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        timeout = httpx.Timeout(timeout_s, connect=min(timeout_s, 10.0))
        self._http = httpx.Client(timeout=timeout, headers=headers)

    @property
    def endpoint(self) -> str:
        return f"{self.url}/chat/completions"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"ChatClient({self.url!r}, model={self.model!r})"

    def _body(self, messages: list[Message], tools: list[dict[str, Any]] | None, temperature: float,
              stream: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": temperature}
        if tools:
            body["tools"] = tools
        if stream:
            body["stream"] = True
        return body

    def _unavailable(self, what: str) -> LLMUnavailableError:
        return LLMUnavailableError(
            f"The language model at {self.endpoint} {what}. Check that the server is running and reachable, "
            f"that model {self.model!r} is served there, and the key (ARTSCOPE_LLM_URL, ARTSCOPE_LLM_MODEL, "
            f"ARTSCOPE_LLM_API_KEY); raise ARTSCOPE_LLM_TIMEOUT_S for slow models.")

    def _send(self, body: dict[str, Any], stream: bool) -> httpx.Response:
        """POST with at most one retry on a refused connection or a busy server; never on a timeout,
        which would only double a slow model's wait."""
        attempts_left = self.retries
        while True:
            try:
                request = self._http.build_request("POST", self.endpoint, json=body)
                response = self._http.send(request, stream=stream)
            except httpx.TimeoutException as exc:
                raise self._unavailable(f"did not answer within {self.timeout_s:g} s") from exc
            except httpx.TransportError as exc:
                if not attempts_left:
                    reason = f"could not be reached ({exc.__class__.__name__}: {exc})"
                    raise self._unavailable(reason) from exc
                log.info("LLM endpoint %s unreachable (%s); retrying once", self.endpoint, exc)
                attempts_left -= 1
                continue
            if response.status_code < 400:
                return response
            detail = (response.read() or b"")[:300].decode("utf-8", "replace")
            response.close()
            if not attempts_left or response.status_code not in RETRY_STATUS:
                raise self._unavailable(f"answered HTTP {response.status_code}: {detail}")
            log.info("LLM endpoint %s answered %s; retrying once", self.endpoint, response.status_code)
            attempts_left -= 1

    def chat(self, messages: list[Message], tools: list[dict[str, Any]] | None = None,
             temperature: float = 0.0) -> ChatReply:
        """One completion: the model's text, tool calls and finish reason."""
        response = self._send(self._body(messages, tools, temperature, stream=False), stream=False)
        try:
            data = response.json()
            choice = data["choices"][0]
            message = choice.get("message") or {}
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise self._unavailable("did not answer with an OpenAI chat completion") from exc
        return ChatReply(content=message.get("content") or "",
                         tool_calls=_tool_calls(message.get("tool_calls")),
                         finish_reason=choice.get("finish_reason"), model=data.get("model"))

    def stream(self, messages: list[Message], tools: list[dict[str, Any]] | None = None,
               temperature: float = 0.0) -> Iterator[ChatDelta | ChatReply]:
        """The completion as server-sent events: ``ChatDelta`` pieces of text, then the whole ``ChatReply``
        (tool calls arrive in fragments that are joined here)."""
        response = self._send(self._body(messages, tools, temperature, stream=True), stream=True)
        parts: list[str] = []
        calls: dict[int, dict[str, Any]] = {}
        finish: str | None = None
        model: str | None = None
        try:
            for line in response.iter_lines():
                if not line.startswith("data:"):
                    continue
                payload = line[len("data:"):].strip()
                if payload == "[DONE]":
                    break
                chunk = json.loads(payload)
                model = chunk.get("model") or model
                choice = (chunk.get("choices") or [{}])[0]
                finish = choice.get("finish_reason") or finish
                delta = choice.get("delta") or {}
                if delta.get("content"):
                    parts.append(delta["content"])
                    yield ChatDelta(text=delta["content"])
                for fragment in delta.get("tool_calls") or []:
                    _merge_tool_fragment(calls, fragment)
        except httpx.TimeoutException as exc:
            raise self._unavailable(f"stopped streaming for more than {self.timeout_s:g} s") from exc
        except (httpx.TransportError, ValueError, AttributeError) as exc:
            raise self._unavailable(f"broke off its stream ({exc.__class__.__name__})") from exc
        finally:
            response.close()
        yield ChatReply(content="".join(parts), tool_calls=_tool_calls([calls[i] for i in sorted(calls)]),
                        finish_reason=finish, model=model)


def _merge_tool_fragment(calls: dict[int, dict[str, Any]], fragment: dict[str, Any]) -> None:
    """Streamed tool calls come as pieces keyed by ``index``: the id and name once, the arguments in parts."""
    empty = {"id": None, "function": {"name": "", "arguments": ""}}
    call = calls.setdefault(int(fragment.get("index", len(calls))), empty)
    call["id"] = fragment.get("id") or call["id"]
    function = fragment.get("function") or {}
    call["function"]["name"] += function.get("name") or ""
    call["function"]["arguments"] += function.get("arguments") or ""


def from_settings(settings: Settings | None = None) -> ChatClient | None:
    """The client the settings configure (``ARTSCOPE_LLM_URL`` etc.), or None when no URL is set."""
    settings = settings or get_settings()
    if not settings.llm_url:
        return None
    if not settings.llm_model:
        raise InvalidInputError("ARTSCOPE_LLM_URL is set but ARTSCOPE_LLM_MODEL is not; "
                                "name the model to use.")
    return ChatClient(settings.llm_url, settings.llm_model, api_key=settings.llm_api_key,
                      timeout_s=settings.llm_timeout_s)


__all__ = ["ChatClient", "ChatDelta", "ChatReply", "LLMUnavailableError", "Message", "ToolCall",
           "from_settings", "image_data_url", "image_message"]
