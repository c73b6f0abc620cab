"""Hooks of the schemathesis campaign (loaded through ``SCHEMATHESIS_HOOKS``).

A check of its own: no answer of the service names a path of the machine it runs on
(``ARTSCOPE_FUZZ_SERVER_PATHS``: the folders the campaign's service was given, separated by ``os.pathsep``).

Real data in half the positive cases (``ARTSCOPE_FUZZ_DATA``: a JSON file with ``image``, the path of a
PNG the service accepts, ``image_id``, its upload id, ``artworks``, ids in the collection, and
``identifiers``, IIIF image identifiers): a schema cannot say which bytes are an image or which ids
exist, so without them uploads, searches by image, describe and the IIIF image routes would only ever
answer 4xx and their handlers' work would go unfuzzed."""

from __future__ import annotations

import json
import os
import zlib
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.transport.serialization import Binary  # what schemathesis generates for files

SERVER_PATHS = [p for p in os.environ.get("ARTSCOPE_FUZZ_SERVER_PATHS", "").split(os.pathsep) if p]
DATA: dict[str, Any] = json.loads(Path(os.environ["ARTSCOPE_FUZZ_DATA"]).read_text()) \
    if os.environ.get("ARTSCOPE_FUZZ_DATA") else {}


@schemathesis.check
def no_server_paths(ctx: object, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """Fails when an answer (body or headers) contains one of the server's folders."""
    headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
    text = response.content.decode("utf-8", errors="replace") + headers  # images are bytes
    named = [path for path in SERVER_PATHS if path in text]
    if named:
        raise AssertionError(f"the answer names a server path: {named[0]}")
    return None


def _pick(case: schemathesis.Case, choices: list[Any]) -> Any | None:
    """One of ``choices`` for half the cases, None for the others: a stable choice (the generated case
    decides it), so that a run with a given seed sends the same requests."""
    digest = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())
    return choices[(digest >> 1) % len(choices)] if choices and digest % 2 else None


@schemathesis.hook
def map_body(ctx: schemathesis.HookContext, body: Any) -> Any:
    """A real image as the ``file`` (or the ``files``) of half the uploads. Only where they already are strings:
    an upload body has no other rule to break, so such a body is valid whatever the mode. (A body hook, as schemathesis
    judges a case whose file a case hook changed as invalid.)"""
    if not DATA or not isinstance(body, dict) or not zlib.crc32(repr(body).encode()) % 2:
        return body
    if isinstance(body.get("file"), str | bytes):
        return {**body, "file": Binary(Path(DATA["image"]).read_bytes())}
    files = body.get("files")  # files to add as a job: a list of them
    if isinstance(files, list) and files and all(isinstance(f, str | bytes) for f in files):
        return {**body, "files": [Binary(Path(DATA["image"]).read_bytes())]}
    return body


@schemathesis.hook
def map_case(ctx: schemathesis.HookContext, case: schemathesis.Case) -> schemathesis.Case:
    """Real images and ids in half the positive cases (negative ones stay as generated: they must be refused)."""
    if not DATA or case.meta is None or case.meta.generation.mode.is_negative:
        return case
    if isinstance(case.body, dict):
        for key, choices in (("image_id", [DATA["image_id"]]), ("artwork_id", DATA["artworks"])):
            if case.body.get(key) is not None and (chosen := _pick(case, choices)):
                case.body = {**case.body, key: chosen}
    if case.path_parameters and "identifier" in case.path_parameters and \
            (chosen := _pick(case, DATA["identifiers"])):
        case.path_parameters = {**case.path_parameters, "identifier": chosen}
    return case
