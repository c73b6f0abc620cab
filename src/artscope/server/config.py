"""The service's settings: the write token, the ingest root, the limits (from ``ARTSCOPE_*`` by default)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field

from artscope.config import Settings, get_settings
from artscope.errors import InvalidInputError

DEFAULT_WORKERS = max(1, min(4, os.cpu_count() or 1))


class ServerConfig(BaseModel):
    """How one ``artscope serve`` process behaves. Build it with ``ServerConfig.from_settings``."""

    token: str | None = None
    """Bearer token for writes. None: the service is read-only (writes answer 403)."""
    ingest_root: Path | None = None
    """Local sources given to ingest jobs must lie inside this directory; None: URLs only."""
    public_reads: bool = True
    """False: reads need the token too."""
    max_upload_bytes: int = Field(default=20_000_000, ge=1)
    """Largest request body, counted on the stream (Content-Length is not trusted)."""
    max_image_pixels: int = Field(default=64_000_000, ge=1)
    request_timeout_s: float = Field(default=120.0, gt=0)
    workers: int = Field(default=DEFAULT_WORKERS, ge=1)
    """Requests doing heavy work (embedding, scoring) at the same time; the rest wait their turn."""

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
        }
        token_file = token_file or settings.token_file
        if token_file:
            values["token"] = read_token_file(Path(token_file))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls.model_validate(values)

    @property
    def writable(self) -> bool:
        return bool(self.token)


def read_token_file(path: Path) -> str:
    """The token in a file (surrounding whitespace ignored); an unreadable or empty file is an error."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise InvalidInputError(f"Cannot read the token file {path}: {exc.strerror or exc}. "
                                "Point --token-file (or ARTSCOPE_TOKEN_FILE) at a readable file.") from exc
    if not token:
        raise InvalidInputError(f"The token file {path} is empty; write the token into it, or leave "
                                "--token-file unset to serve read-only.")
    return token
