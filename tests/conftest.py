"""Shared fixtures: a tiny synthetic collection built once per session, copied per test."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from artscope.testing import copy_collection
from tiny_models import (
    one_torch_thread,
    paintings,
    tiny_clip_dir,
    tiny_colpali_dir,
    tiny_colqwen2_dir,
    tiny_llava_dir,
    tiny_siglip2_dir,
    tiny_siglip_dir,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# what artscope derives from models (the ONNX query graph, 90 MB) goes to a folder of this run, removed at
# its end, not to the user's cache
RUN_CACHE = None if os.environ.get("ARTSCOPE_CACHE_DIR") else tempfile.mkdtemp(prefix="artscope-test-cache-")
if RUN_CACHE:
    os.environ["ARTSCOPE_CACHE_DIR"] = RUN_CACHE

__all__ = ["one_torch_thread", "paintings", "tiny_clip_dir", "tiny_colpali_dir", "tiny_colqwen2_dir",
           "tiny_llava_dir", "tiny_siglip2_dir", "tiny_siglip_dir"]

SAMPLE_COLLECTION = Path(__file__).resolve().parents[1] / "src" / "artscope" / "demo" / "sample-collection"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _remove_the_run_cache() -> Iterator[None]:
    yield
    if RUN_CACHE:
        shutil.rmtree(RUN_CACHE, ignore_errors=True)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """Files written by the formats' publishers (tests/data/README.md says where each comes from)."""
    return DATA


@pytest.fixture(scope="session")
def synthetic_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """48 synthetic artworks (known artist/style/genre) with catalog.csv and passages.jsonl."""
    from artscope.testing import write_synthetic_folder

    root = tmp_path_factory.mktemp("synthetic")
    write_synthetic_folder(root, n=48)
    return root


@pytest.fixture(scope="session")
def _built_synthetic(tmp_path_factory: pytest.TempPathFactory, synthetic_folder: Path) -> Path:
    import artscope

    path = tmp_path_factory.mktemp("built") / "collection"
    with artscope.create(path) as collection:
        collection.ingest([str(synthetic_folder)])
    return path


@pytest.fixture()
def synthetic_collection(_built_synthetic: Path, tmp_path: Path):
    """An indexed copy of the synthetic collection that the test may change."""
    import artscope

    path = tmp_path / "collection"
    copy_collection(_built_synthetic, path)
    with artscope.open(path) as collection:
        yield collection


@pytest.fixture(scope="session")
def sample_collection_dir() -> Path:
    """The bundled sample collection (70 real images, catalog.csv, passages.jsonl)."""
    return SAMPLE_COLLECTION
