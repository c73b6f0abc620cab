"""Fetching http(s) URLs: every download artscope makes comes through here.

Only http and https; a byte cap checked while streaming (not only Content-Length) and a timeout.
"""

from __future__ import annotations

from artscope.config import get_settings
from artscope.errors import ImageLoadError


def is_url(uri: str) -> bool:
    return uri.startswith(("http://", "https://"))


def fetch_url(url: str, max_bytes: int | None = None, timeout_s: float | None = None) -> bytes:
    """GET a URL with a byte cap checked while streaming (not only Content-Length) and a timeout."""
    import httpx

    settings = get_settings()
    max_bytes = max_bytes or settings.max_download_bytes
    timeout_s = timeout_s or settings.download_timeout_s
    if not is_url(url):
        raise ImageLoadError(f"Only http and https URLs are fetched, not {url!r}.")
    try:
        with httpx.stream("GET", url, timeout=timeout_s, follow_redirects=True,
                          headers={"User-Agent": "artscope (+https://github.com/artscope)"}) as response:
            response.raise_for_status()
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise ImageLoadError(f"{url} is larger than the {max_bytes:,}-byte download limit.")
                chunks.append(chunk)
    except httpx.HTTPError as exc:
        raise ImageLoadError(f"Could not fetch {url}: {exc}") from exc
    return b"".join(chunks)
