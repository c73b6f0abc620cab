"""Embedding the images that passages show (a Wikipedia paragraph's pictures) into ``passage_images``.

Each image is read where the source said (a file of a local folder, or a URL fetched through
``artscope.media.fetch``: a Commons thumbnail first, the original if the thumbnail cannot be had),
embedded with the collection's image embedder (global vector only) and stored once however many
passages show it. One that cannot be read is marked ``missing`` with the reason: its passages keep
the caption and the link, and a later ingest that knows where to read it embeds it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from artscope.errors import ImageLoadError
from artscope.index import PASSAGE_IMAGES, Point
from artscope.media.fetch import is_url
from artscope.media.images import load_image

if TYPE_CHECKING:
    from artscope.collection import Collection
    from artscope.embedders.base import Embedder

BATCH = 32
READERS = 4
"""Images read at once: fetching is mostly waiting on the network."""


PictureSource = tuple[str, str, str | None]
"""A passage image as it is read: (file name, where to read it, where it is published)."""
PictureRow = tuple[int, str, str, str | None]
"""A passage image's row: its rowid, then its ``PictureSource``."""


def index_passage_images(collection: Collection, ready: Mapping[PictureSource, np.ndarray] | None = None) -> int:
    """Embed every pending passage image (those in ``ready``, embedded ahead by a stage, are not embedded
    again); returns how many were indexed."""
    done = 0
    while rows := collection.catalog.pending_passage_images(BATCH):
        done += index_rows(collection, rows, ready)
    return done


def index_rows(collection: Collection, rows: list[PictureRow], ready: Mapping[PictureSource, np.ndarray] | None = None
               ) -> int:
    """Read and embed these passage images (re-embedding names them), but for those in ``ready``; one that
    cannot be read is marked missing. Returns how many were indexed."""
    catalog, ready = collection.catalog, ready or {}
    vectors = {row[0]: ready[row[1:]] for row in rows if row[1:] in ready}
    todo = [row for row in rows if row[0] not in vectors]
    for row, made in zip(todo, embedded_pictures(collection.embedder, [row[1:] for row in todo]), strict=True):
        if isinstance(made, str):
            catalog.mark_passage_image_missing(row[0], made)
        else:
            vectors[row[0]] = made
    if not vectors:
        return 0
    collection.index.upsert(PASSAGE_IMAGES, [Point(id=rowid, vectors={"image": vectors[rowid]}, payload={"file": file})
                                             for rowid, file, _, _ in rows if rowid in vectors])
    catalog.mark_indexed("passage_images", list(vectors))
    return len(vectors)


def embedded_pictures(embedder: Embedder, sources: Sequence[PictureSource]) -> list[np.ndarray | str]:
    """Each picture's global vector, or why it could not be read (``READERS`` read at once). What the writer,
    a worker process and a Ray actor all do with the images passages show."""
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        read = list(pool.map(lambda source: _read(source[1], source[2]), sources))
    images = [x for x in read if not isinstance(x, str)]
    vectors = iter(embedder.embed_images(images).global_vectors if images else [])
    return [x if isinstance(x, str) else np.asarray(next(vectors)) for x in read]


def _read(read_from: str, published: str | None) -> Image.Image | str:
    """The image, or why it could not be read (a URL's published original is tried after it)."""
    tried = [read_from] + ([published] if published and is_url(read_from) and published != read_from else [])
    errors = []
    for uri in tried:
        try:
            return load_image(uri, draft_size=512)
        except ImageLoadError as exc:
            errors.append(str(exc))
        except Exception as exc:  # PIL raises many types for broken files
            errors.append(f"{uri} is not a readable image: {exc}")
    return "; ".join(errors)
