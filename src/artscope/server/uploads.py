"""Query images uploaded once and used by id (search, describe, score, ask): kept in memory for a
while, never written to the collection, bounded in count and bytes."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from fastapi import Request, UploadFile
from PIL import Image
from starlette.exceptions import HTTPException

from artscope.errors import ImageLoadError, NotFoundError
from artscope.media.images import content_hash, load_image

UPLOAD_TTL_S = 1800.0
MAX_UPLOADS = 128
MAX_UPLOAD_CACHE_BYTES = 512_000_000
READ_CHUNK = 1 << 16


@dataclass(frozen=True)
class StoredUpload:
    id: str
    digest: str
    """The SHA-256 of the file (what the catalog dedupes images by)."""
    data: bytes
    width: int
    height: int
    stored_at: float


class UploadStore:
    """Uploaded query images by id (the id is a prefix of the content hash, so re-uploading the same
    file gives the same id). The oldest are dropped past ``MAX_UPLOADS`` or the byte budget."""

    def __init__(self, ttl_s: float = UPLOAD_TTL_S, max_items: int = MAX_UPLOADS,
                 max_bytes: int = MAX_UPLOAD_CACHE_BYTES) -> None:
        self.ttl_s = ttl_s
        self.max_items = max_items
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, StoredUpload] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, data: bytes, max_pixels: int) -> StoredUpload:
        """Check that ``data`` is a readable image within the pixel cap, and keep it."""
        image = decode_upload(data, max_pixels)
        digest = content_hash(data)
        upload = StoredUpload(id=digest[:24], digest=digest, data=data, width=image.width,
                              height=image.height, stored_at=time.monotonic())
        with self._lock:
            self._items.pop(upload.id, None)
            self._items[upload.id] = upload
            self._evict()
        return upload

    def get(self, upload_id: str) -> StoredUpload:
        with self._lock:
            self._evict()
            upload = self._items.get(upload_id)
        if upload is None:
            raise NotFoundError(f"No uploaded image {upload_id!r} (uploads are kept for "
                                f"{self.ttl_s / 60:g} minutes). Upload it again with POST /api/uploads.")
        return upload

    def _evict(self) -> None:
        now = time.monotonic()
        total = sum(len(u.data) for u in self._items.values())
        while self._items:
            oldest = next(iter(self._items.values()))
            if (now - oldest.stored_at <= self.ttl_s and len(self._items) <= self.max_items
                    and total <= self.max_bytes):
                return
            total -= len(oldest.data)
            del self._items[oldest.id]


def decode_upload(data: bytes, max_pixels: int) -> Image.Image:
    """An uploaded file as a safe RGB image (pixel cap, corrupt files refused)."""
    if not data:
        raise ImageLoadError("The uploaded file is empty; choose an image file (JPEG, PNG, WebP, TIFF, GIF).")
    return load_image(data, max_pixels=max_pixels)


async def parsed_form(request: Request) -> None:
    """A multipart body must parse into parts: one that does not (a wrong boundary, no part headers) is a
    400, as a body that is not JSON is on the other routes; a well-formed form without ``file`` stays a
    422. (FastAPI has parsed the form already; ``request.form()`` returns it.)"""
    if not request.headers.get("content-type", "").lower().startswith("multipart/"):
        return
    form = await request.form()
    if not form and int(request.headers.get("content-length") or 1) > 0:
        raise HTTPException(400, "The multipart body has no parts: check its boundary and part headers (send "
                                 "the image as the form field 'file').")


async def read_upload(file: UploadFile) -> bytes:
    """The whole uploaded file (the body limit has already been enforced on the stream)."""
    chunks = []
    while chunk := await file.read(READ_CHUNK):
        chunks.append(chunk)
    return b"".join(chunks)
