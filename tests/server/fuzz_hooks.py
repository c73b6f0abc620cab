"""A check of its own for the schemathesis campaign (loaded through ``SCHEMATHESIS_HOOKS``): no answer of
the service names a path of the machine it runs on (``ARTSCOPE_FUZZ_SERVER_PATHS``: the folders the
campaign's service was given, separated by ``os.pathsep``)."""

from __future__ import annotations

import os

import schemathesis

SERVER_PATHS = [p for p in os.environ.get("ARTSCOPE_FUZZ_SERVER_PATHS", "").split(os.pathsep) if p]


@schemathesis.check
def no_server_paths(ctx: object, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """Fails when an answer (body or headers) contains one of the server's folders."""
    headers = " ".join(f"{name}: {value}" for name, value in response.headers.items())
    text = response.content.decode("utf-8", errors="replace") + headers  # images are bytes
    named = [path for path in SERVER_PATHS if path in text]
    if named:
        raise AssertionError(f"the answer names a server path: {named[0]}")
    return None
