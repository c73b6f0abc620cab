"""One settings object, read from ``ARTSCOPE_*`` environment variables (and a ``.env`` file)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARTSCOPE_", env_file=".env", extra="ignore")

    embedder: str = "builtin"
    device: str | None = None
    """cpu, cuda, or unset for the best available."""
    max_image_pixels: int = 64_000_000
    """Images larger than this are refused (decompression bombs)."""
    max_download_bytes: int = 50_000_000
    download_timeout_s: float = 30.0
    fetch_allow: Annotated[list[str], NoDecode] = []
    """Host names and networks (CIDR) that may be fetched although they are not public (comma-separated)."""
    fetch_public: bool = True
    """Fetch from any public address; false: only from ``fetch_allow``."""
    ingest_batch: int = 32
    ingest_workers: int = 0
    """Processes that read, decode and embed images during ingest (more than 2 embed texts too); 0: one per core
    for runs of 200 items or more on machines of more than 2 cores (else one process), 1: all in one process."""
    ray_workers: int = 0
    """Ray actors that read, decode and embed images and embed texts (``artscope index --ray``); 0: the cluster's CPUs
    (or GPUs, with ``ray_gpus``) divided by what one actor takes."""
    ray_cpus: float = 1.0
    """CPUs each Ray actor reserves."""
    ray_gpus: float = 0.0
    """GPUs each Ray actor reserves (1 for an embedder on its own GPU; 0.5 shares a GPU between two)."""
    ray_batch: int = 32
    """Images (or texts) a Ray actor embeds at once (larger on a GPU: 128-256 for CLIP-sized models)."""
    commons_url: str = "https://upload.wikimedia.org/wikipedia/commons"
    """Where the images of Wikipedia passages are fetched from (a Wikimedia Commons mirror may stand in)."""
    cache_dir: str | None = None
    """Where artscope keeps what it derives from models (the text model's ONNX query graph); default
    ``$XDG_CACHE_HOME/artscope``, else ``~/.cache/artscope``. Deleting it only costs a re-export."""
    hnsw_ef: int = 512
    """Candidates the HNSW search explores: raise it for recall on very large collections (1M+)."""
    trust_remote_code: bool = False
    """Run the Python code a model folder ships (Q-Align's mPLUG-Owl2, ArtiMuse's InternVL): only for
    models whose source you trust. Off by default; such models then refuse to load, naming this setting."""
    # the language model for `ask`, composed search and dialogue (any OpenAI-compatible endpoint)
    llm_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = 60.0
    # the HTTP service
    token: str | None = None
    """Bearer token for writes; unset means the service is read-only."""
    token_file: str | None = None
    max_upload_bytes: int = 20_000_000
    request_timeout_s: float = 120.0
    tile_cache_bytes: int = 2_000_000_000
    """Disk space the IIIF image service may fill with rendered tiles (``tiles/`` in the collection); 0: none."""
    public_jobs: Literal["summary", "none"] = "summary"
    """What readers without the token see of jobs: a summary (state, counts, progress), or nothing."""
    cors_origins: Annotated[list[str], NoDecode] = []
    """Web origins whose pages may call the API from a browser (comma-separated); none by default."""
    rate_limit: str = "600/minute"
    """Requests per client (IP address) to the API; several limits separated by ';' (``10/second;300/minute``)."""
    heavy_rate_limit: str = "30/minute"
    """Heavy requests per client (image search, uploads, describe, score, ask, jobs), on top of ``rate_limit``."""

    @field_validator("fetch_allow", "cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        return value.replace(",", " ").split() if isinstance(value, str) else value


def usable_cores() -> int:
    """Cores this process may run on (a container's CPU set, not the host's count)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def cache_folder() -> Path:
    """The folder of ``cache_dir`` (not created here)."""
    configured = get_settings().cache_dir
    if configured:
        return Path(configured).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "artscope"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
