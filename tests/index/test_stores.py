"""Both vector stores answer the same calls the same way (Edge in-process; qdrant-client local mode)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import qdrant_edge as qe

from artscope.embedders.base import EmbedderInfo
from artscope.errors import CollectionLockedError, InvalidInputError
from artscope.index.base import Point, Prefetch, SpaceSpec, VectorSpec, VectorStore, check_filters
from artscope.index.edge import SEARCH_THREADS, EdgeStore, _vector_params
from artscope.index.layout import pooled_spec, space_specs
from artscope.index.server import ServerStore
from artscope.types import Range

SPEC = SpaceSpec(name="images", vectors={
    "image": VectorSpec(size=16),
    "tokens": VectorSpec(size=8, multivector=True, graph=False),
}, keyword_fields=("artist", "artwork_id"), integer_fields=("year",))


def _unit(rng: np.random.Generator, *shape: int) -> np.ndarray:
    x = rng.normal(size=shape).astype(np.float32)
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


@pytest.fixture(params=["edge", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[VectorStore]:
    instance: VectorStore = EdgeStore(tmp_path / "index") if request.param == "edge" else ServerStore(":memory:", "t")
    instance.ensure_space(SPEC)
    instance.ensure_space(SPEC)  # idempotent
    yield instance
    instance.close()


@pytest.fixture()
def filled(store: VectorStore) -> tuple[VectorStore, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    images, tokens = _unit(rng, 40, 16), _unit(rng, 40, 5, 8)
    store.upsert("images", [
        Point(id=i + 1, vectors={"image": images[i], "tokens": tokens[i]},
              payload={"artwork_id": f"a{i}", "artist": ["Degas"] if i % 2 else ["Monet", "Manet"], "year": 1800 + i})
        for i in range(40)])
    return store, images, tokens


def test_nearest_is_the_point_itself(filled: tuple[VectorStore, np.ndarray, np.ndarray]) -> None:
    store, images, _ = filled
    hits = store.query("images", "image", images[7], limit=3)
    assert hits[0].id == 8 and hits[0].payload["artwork_id"] == "a7"
    assert hits[0].score == pytest.approx(1.0, abs=1e-3)
    assert hits[0].score >= hits[1].score >= hits[2].score


def test_filters_on_keywords_lists_and_ranges(filled: tuple[VectorStore, np.ndarray, np.ndarray]) -> None:
    store, images, _ = filled
    degas = store.query("images", "image", images[0], limit=40, filters={"artist": "Degas"})
    assert sorted(h.id for h in degas) == list(range(2, 41, 2))  # the odd i, ids i + 1
    assert all(h.payload == {"artwork_id": f"a{h.id - 1}"} for h in degas)  # a hit says whose it is, no more
    either = store.query("images", "image", images[0], limit=40, filters={"artist": ["Manet", "Nobody"]})
    assert len(either) == 20
    years = store.query("images", "image", images[0], limit=40, filters={"year": Range(gte=1810, lte=1814)})
    assert sorted(h.id for h in years) == [11, 12, 13, 14, 15]
    assert store.count("images", {"artist": "Degas"}) == 20
    assert store.facet("images", "artist") == {"Degas": 20, "Monet": 20, "Manet": 20}


def test_late_interaction_rescoring_finds_the_token_owner(filled: tuple[VectorStore, np.ndarray, np.ndarray]) -> None:
    store, images, tokens = filled
    hits = store.query("images", "tokens", tokens[11], limit=3, prefetch=Prefetch("image", images[11], 20))
    assert hits[0].id == 12
    assert hits[0].score == pytest.approx(5.0, abs=1e-2)  # MaxSim: 5 query tokens, each matched exactly


def test_retrieve_scroll_set_payload_delete(filled: tuple[VectorStore, np.ndarray, np.ndarray]) -> None:
    store, images, _ = filled
    got = store.retrieve("images", [3], vectors=["image"])
    assert np.allclose(got[0].vectors["image"], images[2], atol=1e-5)
    assert sorted(h.id for h in store.scroll("images", batch=7)) == list(range(1, 41))
    store.set_payload("images", [3], {"artwork_id": "a2", "artist": ["Cassatt"], "year": 1900})
    assert store.retrieve("images", [3])[0].payload["artist"] == ["Cassatt"]
    store.delete("images", [3, 4])
    assert store.count("images") == 38 and store.retrieve("images", [3]) == []


def test_edge_persists_and_locks(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    store = EdgeStore(tmp_path / "index")
    store.ensure_space(SPEC)
    vectors = _unit(rng, 5, 16)
    store.upsert("images", [Point(id=i, vectors={"image": vectors[i]}, payload={"artwork_id": str(i)})
                            for i in range(5)])
    with pytest.raises(CollectionLockedError, match="another process"):
        EdgeStore(tmp_path / "index")
    store.optimize()
    store.close()
    reopened = EdgeStore(tmp_path / "index")
    assert reopened.count("images") == 5
    assert reopened.query("images", "image", vectors[2], limit=1)[0].id == 2
    reopened.close()


def test_unknown_filter_field_is_an_error() -> None:
    with pytest.raises(InvalidInputError, match="Unknown filter field 'colour'"):
        check_filters({"colour": "red"}, {"artist", "year"})
    with pytest.raises(InvalidInputError, match="needs 'gte' or 'lte'"):
        check_filters({"year": {}}, {"year"})
    assert check_filters({"artist": "A"}, {"artist", "year"}) == {"artist": "A"}


def test_a_whole_number_beyond_64_bits_in_a_filter_is_an_error(tmp_path: Path) -> None:
    """Found by the schemathesis campaign (seed 21): such a number reached the index's filter and the
    service answered 500."""
    for value in (2**63, -(2**63) - 1, 1e30):
        with pytest.raises(InvalidInputError, match="too large for any stored value"):
            check_filters({"year": value}, {"year"})
    store = EdgeStore(tmp_path / "index")
    store.ensure_space(SpaceSpec(name="images", vectors={"image": VectorSpec(size=4)}, integer_fields=("year",)))
    store.upsert("images", [Point(1, {"image": np.ones(4, np.float32)}, {"year": 2**63 - 1})])
    for value in (2**63 - 1, -(2**63)):  # the bounds themselves are numbers the index takes
        hits = store.query("images", "image", np.ones(4, np.float32), 5, filters=check_filters({"year": value},
                                                                                              {"year"}))
        assert [h.id for h in hits] == ([1] if value > 0 else [])
    store.close()


def test_a_year_range_keeps_works_whose_dates_overlap_it() -> None:
    fields = {"year", "year_end"}
    assert check_filters({"year": {"gte": 1888, "lte": 1889}}, fields) == {
        "year": Range(lte=1889), "year_end": Range(gte=1888)}
    assert check_filters({"year": {"gte": 1800}}, fields) == {"year_end": Range(gte=1800)}
    assert check_filters({"year": {"lte": 1800}}, fields) == {"year": Range(lte=1800)}
    assert check_filters({"year": {"gte": 1800}, "year_end": {"gte": 1850, "lte": 1900}}, fields) == {
        "year_end": Range(gte=1850, lte=1900)}


def test_the_pooled_means_have_no_graph_and_late_interaction_finds_the_token_owner(tmp_path: Path) -> None:
    """The layout's pooled means are scanned exactly (no HNSW graph, unlike the global vector)."""
    store = EdgeStore(tmp_path / "index")
    store.ensure_space(SpaceSpec(name="images", vectors={"image": VectorSpec(size=16), "pooled": pooled_spec(8),
                                                          "tokens": VectorSpec(size=8, multivector=True, graph=False)}))
    rng = np.random.default_rng(1)
    tokens = _unit(rng, 30, 6, 8)
    store.upsert("images", [Point(id=i + 1, vectors={"image": _unit(rng, 16), "tokens": tokens[i],
                                                     "pooled": tokens[i][:2]}) for i in range(30)])
    store.optimize()
    hits = store.query("images", "tokens", tokens[7], 3, prefetch=Prefetch("pooled", tokens[7][:2], 10))
    store.close()
    vectors = json.loads((tmp_path / "index" / "images" / "edge_config.json").read_text())["vectors"]
    assert vectors["pooled"]["hnsw_config"]["m"] == 0
    assert vectors["image"].get("hnsw_config") is None
    assert hits[0].id == 8


def _saved_config(index: Path, space: str) -> dict:
    return json.loads((index / space / "edge_config.json").read_text())


def test_spaces_search_on_one_thread_and_shards_made_before_keep_their_vectors(tmp_path: Path) -> None:
    """Shards made before the setting (every vector shape of the layout) get it on load, their vectors as
    they were; new spaces are made with it."""
    index, rng = tmp_path / "index", np.random.default_rng(2)
    info = EmbedderInfo(spec="test", image_dim=16, text_dim=8, token_dim=4, max_tokens=6)
    before = {}
    for spec in space_specs(info):
        shard = qe.EdgeShard.create(str(index / spec.name), qe.EdgeConfig(
            vectors={n: _vector_params(v) for n, v in spec.vectors.items()}))
        vectors = {n: _unit(rng, 6, v.size) if v.multivector else _unit(rng, v.size) for n, v in spec.vectors.items()}
        shard.update(qe.UpdateOperation.upsert_points([qe.Point(1, vectors, {"artwork_id": "a"})]))
        shard.flush()
        shard.close()
        before[spec.name] = _saved_config(index, spec.name)
        assert "max_search_threads" not in before[spec.name]
    store = EdgeStore(index)
    store.ensure_space(SpaceSpec(name="extra", vectors={"text": VectorSpec(size=8)}))
    assert store.query("records", "text", _unit(rng, 8), 1)[0].payload == {"artwork_id": "a"}
    store.close()
    for name, saved in before.items():
        after = _saved_config(index, name)
        assert after["max_search_threads"] == SEARCH_THREADS == 1
        assert after["vectors"] == saved["vectors"]
    assert _saved_config(index, "extra")["max_search_threads"] == 1


def test_a_shard_whose_configuration_artscope_did_not_write_loads_as_it_is(tmp_path: Path) -> None:
    index = tmp_path / "index"
    qe.EdgeShard.create(str(index / "records"), qe.EdgeConfig(
        vectors={"text": qe.EdgeVectorParams(size=8, distance=qe.Distance.Dot)})).close()
    saved = _saved_config(index, "records")
    store = EdgeStore(index)
    assert store.count("records") == 0
    store.close()
    after = _saved_config(index, "records")
    assert "max_search_threads" not in after and after["vectors"] == saved["vectors"]
