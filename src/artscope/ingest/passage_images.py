"""Embedding the images that passages show (a Wikipedia paragraph's pictures) into ``passage_images``.

Each image is read where the source said (a file of a local folder, or a URL fetched through
``artscope.media.fetch``: a Commons thumbnail first, the original if the thumbnail cannot be had),
embedded with the collection's image embedder (global vector only) and stored once however many
passages show it. One that cannot be read is marked ``missing`` with the reason: its passages keep
the caption and the link, and a later ingest that knows where to read it embeds it.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from PIL import Image

from artscope.errors import ImageLoadError
from artscope.index import PASSAGE_IMAGES, Point
from artscope.media.fetch import is_url
from artscope.media.images import load_image

if TYPE_CHECKING:
    from artscope.collection import Collection

BATCH = 32
READERS = 4
"""Images read at once: fetching is mostly waiting on the network."""


def index_passage_images(collection: Collection) -> int:
    """Embed every pending passage image; returns how many were embedded."""
    done = 0
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        while rows := collection.catalog.pending_passage_images(BATCH):
            done += _index_batch(collection, rows, list(pool.map(_read, rows)))
    return done


def index_rows(collection: Collection, rows: list[tuple[int, str, str, str | None]]) -> int:
    """Read and embed these passage images (re-embedding names them); returns how many were embedded."""
    with ThreadPoolExecutor(max_workers=READERS) as pool:
        return _index_batch(collection, rows, list(pool.map(_read, rows)))


def _read(row: tuple[int, str, str, str | None]) -> Image.Image | str:
    """The image, or why it could not be read."""
    _, _, read_from, published = row
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


def _index_batch(collection: Collection, rows: list[tuple[int, str, str, str | None]],
                 loaded: list[Image.Image | str]) -> int:
    catalog = collection.catalog
    ids, files, images = [], [], []
    for (rowid, file, _, _), image in zip(rows, loaded, strict=True):
        if isinstance(image, str):
            catalog.mark_passage_image_missing(rowid, image)
        else:
            ids.append(rowid)
            files.append(file)
            images.append(image)
    if not ids:
        return 0
    vectors = collection.embedder.embed_images(images).global_vectors
    collection.index.upsert(PASSAGE_IMAGES, [Point(id=rowid, vectors={"image": vectors[i]}, payload={"file": files[i]})
                                             for i, rowid in enumerate(ids)])
    catalog.mark_indexed("passage_images", ids)
    return len(ids)
