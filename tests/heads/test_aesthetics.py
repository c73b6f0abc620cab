"""The aesthetics head: EMD loss, a planted relation recovered on held-out rows, saving, embedder checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from artscope.embedders.base import EmbedderInfo
from artscope.errors import EmbedderMismatchError, HeadNotTrainedError, InvalidInputError
from artscope.heads.aesthetics import AestheticsHead, HeadMeta, emd_loss, train_head, trained_with
from artscope.metrics.correlation import emd, srcc

INFO = EmbedderInfo(spec="builtin", image_dim=12, text_dim=8, version="2")
N_MEASURED = 4


def _distribution(mean: np.ndarray) -> np.ndarray:
    bins = np.arange(1, 11)
    weights = np.exp(-0.5 * ((bins[None, :] - mean[:, None]) / 1.2) ** 2)
    return weights / weights.sum(axis=1, keepdims=True)


def _planted(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features whose first column sets the mean score and whose third sets the composition score."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, N_MEASURED + INFO.image_dim)).astype(np.float32)
    mean = np.clip(5.5 + 1.5 * x[:, 0] + rng.normal(0, 0.3, n), 1, 10)
    composition = np.clip(50 + 15 * x[:, 2], 0, 100)
    return x, mean, composition


def _meta(dimensions: list[str] | None = None) -> HeadMeta:
    return HeadMeta(
        feature_names=[f"m{i}" for i in range(N_MEASURED)],
        embedding_dim=INFO.image_dim,
        dimensions=dimensions or [],
        data_source="synthetic",
    )


def test_emd_loss_matches_the_metric_and_vanishes_on_equal_distributions() -> None:
    rng = np.random.default_rng(1)
    p, q = rng.random((5, 10)), rng.random((5, 10))
    p, q = p / p.sum(1, keepdims=True), q / q.sum(1, keepdims=True)
    assert float(emd_loss(torch.tensor(p), torch.tensor(q))) == pytest.approx(emd(p, q), abs=1e-6)
    assert float(emd_loss(torch.tensor(p), torch.tensor(p))) == pytest.approx(0.0, abs=1e-5)


def test_trained_head_recovers_a_planted_relation_on_held_out_rows() -> None:
    x, mean, composition = _planted(400, seed=0)
    train, test = slice(0, 300), slice(300, 400)
    head = train_head(
        x[train], _distribution(mean[train]), composition[train, None], _meta(["composition"]), epochs=150
    )
    dist, dims = head.predict(x[test])
    assert dist.shape == (100, 10) and np.allclose(dist.sum(axis=1), 1, atol=1e-5)
    expected = dist @ np.arange(1, 11)
    assert srcc(expected, mean[test]) > 0.8  # chance is 0
    assert srcc(dims[:, 0], composition[test]) > 0.8
    assert dims.min() >= 0 and dims.max() <= 100
    assert head.meta.epochs >= 1 and head.meta.seconds > 0


def test_save_load_round_trip_and_embedder_checks(tmp_path: Path) -> None:
    x, mean, _ = _planted(60, seed=2)
    head = train_head(x, _distribution(mean), None, _meta(), epochs=20)
    directory = tmp_path / "heads" / "aesthetics"
    head.save(directory, INFO)
    loaded = AestheticsHead.load(directory, INFO)
    assert np.allclose(loaded.predict(x[:5])[0], head.predict(x[:5])[0], atol=1e-6)
    assert loaded.meta.data_source == "synthetic" and loaded.envelope is not None
    assert trained_with(directory).spec == "builtin"
    other = EmbedderInfo(spec="hf:google/siglip-base-patch16-224", image_dim=768, text_dim=768)
    with pytest.raises(EmbedderMismatchError, match=r"'builtin'.*'hf:google/siglip-base-patch16-224'"):
        AestheticsHead.load(directory, other)


def test_missing_head_too_few_items_and_wrong_width(tmp_path: Path) -> None:
    with pytest.raises(HeadNotTrainedError, match="artscope train aesthetics"):
        AestheticsHead.load(tmp_path / "nothing", INFO)
    x, mean, _ = _planted(20, seed=3)
    with pytest.raises(InvalidInputError, match="at least 8"):
        train_head(x[:5], _distribution(mean[:5]), None, _meta())
    head = train_head(x, _distribution(mean), None, _meta(), epochs=2)
    with pytest.raises(InvalidInputError, match="takes 16 features, got 3"):
        head.predict(np.zeros((1, 3)))
