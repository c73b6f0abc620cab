"""The aesthetics head: a small MLP over [measurements + the embedder's global vector].

It predicts the 10-bin score distribution (trained with NIMA's EMD loss, r = 2; the total is the
expected score mapped to 0–100) and, where the training data has them, dimension scores (0–100,
trained with a masked squared error). It consumes feature vectors computed elsewhere and never loads
a backbone of its own. Saved through ``artscope.heads.store`` (``weights.safetensors`` + ``head.json``
with the embedder, data source, split, metrics and training time); loading it beside another
embedder raises ``EmbedderMismatchError``.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel, Field
from torch import nn

from artscope.embedders.base import EmbedderInfo
from artscope.errors import InvalidInputError
from artscope.heads.store import HeadEnvelope, load_head, read_envelope, save_head

log = logging.getLogger(__name__)

BINS = 10
KIND = "aesthetics"
TRAIN_HINT = "train one with `artscope train aesthetics -c DIR`"
MIN_ITEMS = 8


class HeadMeta(BaseModel):
    """The head's own metadata (the store's envelope adds the embedder, a version and the save time)."""

    feature_names: list[str]
    """Names of the measurement features, in order; the embedder's global vector follows them."""
    embedding_dim: int
    dimensions: list[str] = Field(default_factory=list)
    """Dimension keys predicted besides the distribution."""
    hidden: int = 128
    data_source: str
    split: dict[str, Any] = Field(default_factory=dict)
    metrics: dict[str, float] = Field(default_factory=dict)
    trained_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    seconds: float = 0.0
    epochs: int = 0


class HeadNet(nn.Module):
    """Standardised features -> 10 distribution logits + one output per dimension."""

    def __init__(self, n_in: int, hidden: int, n_dims: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden), nn.GELU(), nn.Dropout(0.1), nn.Linear(hidden, BINS + n_dims)
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(distribution over the 10 bins, dimension scores in 0..1)."""
        out = self.body(x)
        return torch.softmax(out[:, :BINS], dim=1), torch.sigmoid(out[:, BINS:])


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run torch on one thread: the head's matrices are too small to split, and on a busy machine
    (an ingest or a server alongside) two contending threads made training ten times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def emd_loss(p: torch.Tensor, q: torch.Tensor, r: float = 2.0) -> torch.Tensor:
    """NIMA's EMD between predicted and target distributions (mean over bins, then over items)."""
    cdf_gap = torch.cumsum(p - q, dim=1)
    return (cdf_gap.abs().pow(r).mean(dim=1) + 1e-12).pow(1.0 / r).mean()


class AestheticsHead:
    """A trained head: standardisation, network and metadata (``envelope`` once saved or loaded)."""

    def __init__(
        self,
        meta: HeadMeta,
        net: HeadNet,
        mean: np.ndarray,
        std: np.ndarray,
        envelope: HeadEnvelope | None = None,
    ) -> None:
        self.meta, self.net, self.envelope = meta, net.eval(), envelope
        self.mean, self.std = mean.astype(np.float32), std.astype(np.float32)

    @property
    def n_features(self) -> int:
        """The width of the feature rows the head reads."""
        return len(self.meta.feature_names) + self.meta.embedding_dim

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """([N, 10] distributions, [N, len(dimensions)] dimension scores 0–100) of feature rows."""
        x = np.atleast_2d(np.asarray(features, dtype=np.float32))
        if x.shape[1] != self.n_features:
            raise InvalidInputError(
                f"The aesthetics head takes {self.n_features} features, got {x.shape[1]}; "
                f"retrain it: {TRAIN_HINT}."
            )
        with torch.no_grad(), one_thread():
            dist, dims = self.net(torch.from_numpy((x - self.mean) / self.std))
        return dist.numpy().astype(np.float64), dims.numpy().astype(np.float64) * 100

    def save(self, directory: Path, embedder: EmbedderInfo) -> None:
        """Write the head folder (atomically replacing any previous head)."""
        tensors = {f"net.{k}": v.detach().numpy() for k, v in self.net.state_dict().items()}
        tensors.update(mean=self.mean, std=self.std)
        self.envelope = save_head(directory, KIND, embedder, tensors, self.meta.model_dump())

    @classmethod
    def load(cls, directory: Path, embedder: EmbedderInfo) -> AestheticsHead:
        """The head saved in ``directory``; ``EmbedderMismatchError`` if trained with another embedder."""
        tensors, envelope = load_head(directory, KIND, embedder, TRAIN_HINT)
        meta = HeadMeta.model_validate(envelope.meta)
        net = HeadNet(len(meta.feature_names) + meta.embedding_dim, meta.hidden, len(meta.dimensions))
        net.load_state_dict(
            {k[len("net.") :]: torch.from_numpy(v) for k, v in tensors.items() if k.startswith("net.")}
        )
        return cls(meta, net, tensors["mean"], tensors["std"], envelope)


def _split_validation(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(n)
    n_val = max(1, n // 10)
    return order[n_val:], order[:n_val]


def _checked(
    features: np.ndarray, distributions: np.ndarray, dimension_targets: np.ndarray | None, n_dims: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    x = np.asarray(features, dtype=np.float32)
    q = np.asarray(distributions, dtype=np.float32)
    if len(x) < MIN_ITEMS:
        raise InvalidInputError(
            f"Training the aesthetics head needs at least {MIN_ITEMS} scored images, got {len(x)}."
        )
    if q.shape != (len(x), BINS):
        raise InvalidInputError(f"Target distributions must be [N, {BINS}], got {q.shape}.")
    if dimension_targets is None:
        return x, q, np.full((len(x), n_dims), np.nan, np.float32)
    return x, q, np.asarray(dimension_targets, dtype=np.float32).reshape(len(x), n_dims)


def _fit(
    net: HeadNet,
    tensors: tuple[torch.Tensor, torch.Tensor, torch.Tensor],
    train: np.ndarray,
    val: np.ndarray,
    rng: np.random.Generator,
    epochs: int,
    batch_size: int,
    patience: int,
) -> tuple[float, int]:
    """AdamW with early stopping on the validation rows; leaves ``net`` at its best epoch."""
    xt, qt, dt = tensors
    optimizer = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-2)

    def loss_of(index: np.ndarray) -> torch.Tensor:
        dist, pred = net(xt[index])
        loss = emd_loss(dist, qt[index])
        known = ~torch.isnan(dt[index])
        if known.any():  # dimension targets: squared error where the data has them
            loss = loss + ((pred - torch.nan_to_num(dt[index])) ** 2)[known].mean()
        return loss

    best, best_state, stale, epochs_run = float("inf"), None, 0, 0
    for epochs_run in range(1, epochs + 1):  # noqa: B007  (the count is returned after the loop)
        net.train()
        for batch in np.array_split(rng.permutation(train), max(1, len(train) // batch_size)):
            optimizer.zero_grad()
            loss_of(batch).backward()
            optimizer.step()
        net.eval()
        with torch.no_grad():
            val_loss = float(loss_of(val))
        if val_loss < best - 1e-5:
            best, best_state, stale = val_loss, {k: v.clone() for k, v in net.state_dict().items()}, 0
        elif (stale := stale + 1) >= patience:
            break
    if best_state is not None:
        net.load_state_dict(best_state)
    return best, epochs_run


def train_head(
    features: np.ndarray,
    distributions: np.ndarray,
    dimension_targets: np.ndarray | None,
    meta: HeadMeta,
    epochs: int = 200,
    batch_size: int = 128,
    seed: int = 0,
    patience: int = 25,
) -> AestheticsHead:
    """Fit a head. ``dimension_targets`` is [N, len(meta.dimensions)] on 0–100 with NaN where unknown.

    10 % of the rows are held out for early stopping; the best epoch on them is kept.
    """
    x, q, dims = _checked(features, distributions, dimension_targets, len(meta.dimensions))
    start, rng = time.perf_counter(), np.random.default_rng(seed)
    torch.manual_seed(seed)
    train, val = _split_validation(len(x), rng)
    mean, std = x[train].mean(axis=0), x[train].std(axis=0) + 1e-6
    tensors = (
        torch.from_numpy((x - mean) / std),
        torch.from_numpy(q / q.sum(axis=1, keepdims=True)),
        torch.from_numpy(dims / 100),
    )
    net = HeadNet(x.shape[1], meta.hidden, len(meta.dimensions))
    with one_thread():
        best, epochs_run = _fit(net, tensors, train, val, rng, epochs, batch_size, patience)
    seconds = round(time.perf_counter() - start, 2)
    meta = meta.model_copy(
        update={
            "embedding_dim": x.shape[1] - len(meta.feature_names),
            "epochs": epochs_run,
            "seconds": seconds,
        }
    )
    log.info("aesthetics head: %d epochs, validation loss %.4f, %.1f s", epochs_run, best, seconds)
    return AestheticsHead(meta, net, mean, std)


def trained_with(directory: Path) -> EmbedderInfo:
    """The embedder whose vectors the head saved in ``directory`` was trained on."""
    return read_envelope(directory, KIND, TRAIN_HINT).embedder
