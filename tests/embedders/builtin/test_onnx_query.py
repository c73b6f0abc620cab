"""The bundled MiniLM's single texts on ONNX Runtime: torch's vectors, one export kept in the cache
folder, and a cache that cannot change the vectors."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from artscope.config import get_settings
from artscope.embedders.builtin import onnx_query
from artscope.embedders.builtin.text import WEIGHTS_FILE, TextEncoder
from artscope.errors import ArtscopeError

TEXTS = ["red landscape", "  Cafe Terrace at Night  ", "Ein Fluss im Winter, gemalt 1890", "é", "",
         "a very long description of a painting " * 80]  # 480 words: cut at the model's 256 tokens


@pytest.fixture(scope="module")
def encoder() -> TextEncoder:
    return TextEncoder(None, "cpu")


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache folder of its own, and no encoder made yet in this process."""
    monkeypatch.setenv("ARTSCOPE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(onnx_query, "_encoders", {})
    get_settings.cache_clear()
    yield tmp_path / "cache"
    get_settings.cache_clear()


def fresh_encoder(encoder: TextEncoder) -> onnx_query.OnnxQueryEncoder:
    onnx_query._encoders.clear()  # as in a new process
    return onnx_query.onnx_query_encoder(encoder._model(), Path(encoder.source) / WEIGHTS_FILE)


def test_one_text_gets_the_vector_torch_gives_it_in_a_batch(encoder: TextEncoder) -> None:
    for text in TEXTS:
        alone = encoder.encode([text])
        in_batch = encoder.encode([text, "another text, so that torch runs"])[:1]
        assert alone.shape == (1, 384) and alone.dtype == np.float32
        np.testing.assert_allclose(alone, in_batch, atol=1e-5, err_msg=repr(text[:30]))


def test_the_graph_is_exported_once_and_read_from_the_cache_by_the_next_process(
        encoder: TextEncoder, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = fresh_encoder(encoder).encode_one("a stormy sea")
    [graph] = cache.glob("*.onnx")
    assert graph.name.startswith("model-query-") and graph.stat().st_size > 50_000_000
    assert not list(cache.glob("*.part"))

    def no_export(model: object) -> bytes:
        raise AssertionError("exported again")

    monkeypatch.setattr(onnx_query, "_export", no_export)
    np.testing.assert_array_equal(fresh_encoder(encoder).encode_one("a stormy sea"), first)


def test_a_damaged_cache_file_is_exported_again(encoder: TextEncoder, cache: Path,
                                                caplog: pytest.LogCaptureFixture) -> None:
    path = onnx_query.cached_graph_path(Path(encoder.source) / WEIGHTS_FILE)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a graph")  # what a crash mid-write without the atomic rename would leave
    with caplog.at_level(logging.WARNING, logger=onnx_query.__name__):
        vector = fresh_encoder(encoder).encode_one("a stormy sea")
    assert "could not be read" in caplog.text
    np.testing.assert_allclose(vector, encoder.encode(["a stormy sea", "x"])[0], atol=1e-5)
    assert path.stat().st_size > 50_000_000


def test_a_cache_folder_that_cannot_be_written_still_encodes(encoder: TextEncoder, cache: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    cache.write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger=onnx_query.__name__):
        vector = fresh_encoder(encoder).encode_one("a stormy sea")
    assert "could not keep the query graph" in caplog.text
    np.testing.assert_allclose(vector, encoder.encode(["a stormy sea", "x"])[0], atol=1e-5)


def test_a_graph_that_cannot_be_put_in_place_leaves_no_part_file(encoder: TextEncoder, cache: Path,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    onnx_query.cached_graph_path(Path(encoder.source) / WEIGHTS_FILE).mkdir(parents=True)  # the rename fails
    with caplog.at_level(logging.WARNING, logger=onnx_query.__name__):
        vector = fresh_encoder(encoder).encode_one("a stormy sea")
    assert "could not keep the query graph" in caplog.text
    np.testing.assert_allclose(vector, encoder.encode(["a stormy sea", "x"])[0], atol=1e-5)
    assert not list(cache.glob("*.part"))


def test_a_cached_graph_that_disagrees_with_torch_is_refused(encoder: TextEncoder, cache: Path) -> None:
    import onnx
    from onnx import TensorProto, helper

    # a real graph with the model's inputs that answers the same unit vector for every text
    inputs = [helper.make_tensor_value_info(name, TensorProto.INT64, [1, None]) for name in onnx_query.INPUTS]
    constant = helper.make_tensor("c", TensorProto.FLOAT, [1, 384], [384 ** -0.5] * 384)
    graph = helper.make_graph([helper.make_node("Constant", [], ["vector"], value=constant)], "constant", inputs,
                              [helper.make_tensor_value_info("vector", TensorProto.FLOAT, [1, 384])])
    path = onnx_query.cached_graph_path(Path(encoder.source) / WEIGHTS_FILE)
    path.parent.mkdir(parents=True)
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", onnx_query.OPSET)]), path)
    with pytest.raises(ArtscopeError, match="other vectors than torch"):
        fresh_encoder(encoder)
