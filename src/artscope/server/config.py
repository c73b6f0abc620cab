"""The service's settings: the write tokens, the ingest root, who sees what, the limits (from
``ARTSCOPE_*`` by default)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from artscope.config import Settings, get_settings
from artscope.errors import InvalidInputError

DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))
DEFAULT_TOKEN_NAME = "default"
"""The name the audit log gives to ``ARTSCOPE_TOKEN`` and to a token file's unnamed token."""
_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


class ServerConfig(BaseModel):
    """How one ``artscope serve`` process behaves. Build it with ``ServerConfig.from_settings``."""

    token: str | None = None
    """Bearer token for writes (named ``default`` in the audit log). None, and no ``tokens``: the
    service is read-only (writes answer 403)."""
    tokens: dict[str, str] = Field(default_factory=dict)
    """Named tokens (name -> token), one per curator: the audit log says who wrote what."""
    ingest_root: Path | None = None
    """Local sources given to ingest jobs must lie inside this directory; None: URLs only."""
    public_reads: bool = True
    """False: reads need the token too."""
    public_jobs: Literal["summary", "none"] = "summary"
    """What readers without a token see of jobs: a summary (no sources, messages or item errors), or
    nothing (401)."""
    cors_origins: list[str] = Field(default_factory=list)
    """Origins whose web pages may call the API (CORS); none by default."""
    rate_limit: str | None = "600/minute"
    """Requests per client to the API (``limits`` notation, ``;`` between several); None: unlimited."""
    heavy_rate_limit: str | None = "30/minute"
    """Heavy requests per client (image search, uploads, describe, score, ask, jobs), on top."""
    max_upload_bytes: int = Field(default=20_000_000, ge=1)
    """Largest request body, counted on the stream (Content-Length is not trusted)."""
    max_image_pixels: int = Field(default=64_000_000, ge=1)
    request_timeout_s: float = Field(default=120.0, gt=0)
    workers: int = Field(default=DEFAULT_WORKERS, ge=1)
    """Requests doing heavy work (embedding images, scoring, answering) at the same time; the rest wait
    their turn. Light work (text search, records) has as many threads of its own."""

    @field_validator("rate_limit", "heavy_rate_limit")
    @classmethod
    def _parse_limits(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        from limits import parse_many

        try:
            parse_many(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a rate limit; write e.g. '600/minute' or '10/second;300/hour'") \
                from exc
        return value

    @field_validator("tokens")
    @classmethod
    def _check_tokens(cls, tokens: dict[str, str]) -> dict[str, str]:
        for name, token in tokens.items():
            if not _NAME.match(name) or not token:
                raise ValueError(f"token name {name!r}: names are 1-64 letters, digits, '_', '.', '@' or '-', "
                                 "and each needs a token")
        return tokens

    @classmethod
    def from_settings(cls, settings: Settings | None = None, token_file: str | Path | None = None,
                      **overrides: object) -> ServerConfig:
        """The environment's settings (``ARTSCOPE_TOKEN``, ``ARTSCOPE_TOKEN_FILE``, limits), then overrides.

        A token file named here or in ``ARTSCOPE_TOKEN_FILE`` wins over ``ARTSCOPE_TOKEN``.
        """
        settings = settings or get_settings()
        values: dict[str, object] = {
            "token": settings.token or None,
            "max_upload_bytes": settings.max_upload_bytes,
            "max_image_pixels": settings.max_image_pixels,
            "request_timeout_s": settings.request_timeout_s,
            "public_jobs": settings.public_jobs,
            "cors_origins": settings.cors_origins,
            "rate_limit": settings.rate_limit,
            "heavy_rate_limit": settings.heavy_rate_limit,
        }
        token_file = token_file or settings.token_file
        if token_file:
            named = read_token_file(Path(token_file))
            values["token"] = named.pop(DEFAULT_TOKEN_NAME, None)
            values["tokens"] = named
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls.model_validate(values)
        except ValueError as exc:
            raise InvalidInputError(f"The service's settings are not valid: {exc}") from exc

    @property
    def writable(self) -> bool:
        return bool(self.token or self.tokens)

    def names_by_token(self) -> dict[str, str]:
        """Every accepted token with its name (what the audit log records)."""
        named = {token: name for name, token in self.tokens.items()}
        if self.token:
            named[self.token] = DEFAULT_TOKEN_NAME
        return named


def read_token_file(path: Path) -> dict[str, str]:
    """The tokens in a file, by name: one per line, ``NAME TOKEN`` or a bare ``TOKEN`` (named
    ``default``); blank lines and lines starting with ``#`` are ignored. An unreadable or empty file is an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInputError(f"Cannot read the token file {path}: {exc.strerror or exc}. "
                                "Point --token-file (or ARTSCOPE_TOKEN_FILE) at a readable file.") from exc
    tokens: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts or parts[0].startswith("#"):
            continue
        name, token = (DEFAULT_TOKEN_NAME, parts[0]) if len(parts) == 1 else (parts[0], parts[1])
        if len(parts) > 2 or name in tokens or token in tokens.values():
            raise InvalidInputError(f"{path}, line {number}: write one 'NAME TOKEN' (or a bare TOKEN) per line, "
                                    "each name and token once.")
        tokens[name] = token
    if not tokens:
        raise InvalidInputError(f"The token file {path} is empty; write the token into it, or leave "
                                "--token-file unset to serve read-only.")
    return tokens
