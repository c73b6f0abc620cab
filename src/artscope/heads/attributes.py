"""Late-interaction attribute heads: per class a few learned prototype vectors, scored against an
image's stored token vectors by MaxSim, trained jointly for every field (artist, style, genre, ...).

Score of class c for an image with tokens t_1..t_T and class prototypes p_1..p_P (all unit vectors):

    licn(c) = ½ · [ mean_i max_j t_i·p_j  +  mean_j max_i t_i·p_j ]

The first half is ColBERT's MaxSim with the image as the query (every region must be explained by
some prototype of the class: *coverage*); the second turns it round (every prototype must be found
somewhere in the image: *presence*, as part-prototype classifiers score). Alone, coverage lets a class
win on one prototype that matches the background everywhere, and presence lets it win on one
distinctive patch while the rest of the picture disagrees; the symmetric mean needs both. Each field
then adds a linear term on the global vector (cheap, and it carries what no single region shows,
such as the overall palette), a learned per-field scale, a class bias, and, when the embedder is
cross-modal, a learned multiple of the cosine between the image and the class name embedded as text.

Classes with no training image (a label known from a dataset's class list, say) are left out of the
training softmax, so nothing learns to suppress them; their prototypes start from their name's text
vector, so at prediction they compete through image-text similarity alone (LICN's open-set reading).

Heads consume stored vectors and never load a backbone. Training runs on the CPU with torch: AdamW,
mini-batches, early stopping on the validation loss taken at each field's best temperature.
"""

from __future__ import annotations

import copy
import itertools
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from pydantic import BaseModel

from artscope.embedders.base import EmbedderInfo, l2_normalize
from artscope.heads.store import HeadEnvelope, load_head, save_head

log = logging.getLogger(__name__)

KIND = "attributes"
TRAIN_HINT = "train one with `artscope train attributes -c DIR`"
MASKED = -1e4
"""Logit of a class left out of training (finite, so softmax and its gradient stay defined)."""
SCALE_LR_FACTOR = 10.0
"""The per-field scales learn this many times faster than the rest (see ``fit_head``)."""
INIT_IMAGES = 1024
"""Images of a class read to initialise its prototypes (bounds the cost on large classes)."""
INIT_STEPS = 3
"""EM steps of MaxSim that place a class's starting prototypes."""
TEMPERATURE_GRID = tuple(float(t) for t in np.geomspace(0.05, 20.0, 25))
"""Temperatures tried when scoring an epoch on validation (calibration proper fits them finely)."""
MIN_IMPROVEMENT = 2e-3
"""Relative drop in validation loss that counts as progress for early stopping ..."""
MIN_IMPROVEMENT_ABS = 1e-3
"""... and the absolute drop: a loss already near zero has nothing left worth an epoch."""


class HeadConfig(BaseModel):
    """How a head is trained."""

    prototypes: int = 4
    """Prototype vectors per class."""
    epochs: int = 30
    patience: int = 3
    """Stop after this many epochs without a better validation loss."""
    batch_size: int = 256
    learning_rate: float = 0.02
    weight_decay: float = 1e-3
    """On the global-vector weights only (prototypes are unit vectors; their length means nothing)."""
    seed: int = 0


class HeadTask(BaseModel):
    """One field the head predicts: its classes, and how its scores become probabilities."""

    field: str
    labels: list[str]
    train_counts: list[int]
    """Training images per class (0: open-set, scored through its name only)."""
    fusion_weight: float = 0.0
    """Weight of the kNN votes' log-probabilities added to the head's logits (fitted on validation)."""
    temperature: float = 1.0
    """Divides the fused logits (fitted on validation)."""


@dataclass
class HeadData:
    """Stored vectors of the images a head sees, one row per image (view)."""

    global_vectors: np.ndarray
    """[N, d] float32, unit length."""
    tokens: np.ndarray | None
    """[N, T, k] (float16 keeps 100k images in memory), unit rows; None: the embedder has no tokens."""
    token_mask: np.ndarray | None
    """[N, T] bool: which token rows are real (images may have fewer than T)."""
    labels: np.ndarray
    """[N, fields] int64 class indices, -1 where the catalogue has no value."""

    def __len__(self) -> int:
        return len(self.global_vectors)

    def rows(self, index: np.ndarray) -> HeadData:
        """The images at ``index`` (positions or a boolean mask)."""
        tokens = None if self.tokens is None else self.tokens[index]
        mask = None if self.token_mask is None else self.token_mask[index]
        return HeadData(self.global_vectors[index], tokens, mask, self.labels[index])

    def batch(self, index: np.ndarray | slice) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(global, tokens, mask) tensors of some rows; without stored tokens the global vector is
        the image's one token, and MaxSim becomes a nearest-prototype score."""
        glob = torch.from_numpy(np.asarray(self.global_vectors[index], dtype=np.float32))
        if self.tokens is None:
            return glob, glob[:, None, :], torch.ones(len(glob), 1, dtype=torch.bool)
        tokens = torch.from_numpy(np.asarray(self.tokens[index], dtype=np.float32))
        return glob, tokens, torch.from_numpy(np.asarray(self.token_mask[index]))


class LateInteractionHeads(torch.nn.Module):
    """Every field's classes side by side: one token-prototype product scores them all at once.

    Tokens and global vectors are centred on the training means and re-normalised before any
    product (SimpleShot's "CL2N", Wang et al., 2019): embedders give all their vectors a large
    common component, which makes every cosine alike until it is taken out.
    """

    def __init__(self, class_counts: Sequence[int], token_dim: int, image_dim: int, prototypes: int,
                 text: torch.Tensor | None) -> None:
        super().__init__()
        total = int(sum(class_counts))
        self.prototypes = prototypes
        self.register_buffer("task_of_class", torch.repeat_interleave(
            torch.arange(len(class_counts)), torch.tensor(list(class_counts))))
        self.register_buffer("token_mean", torch.zeros(token_dim))
        self.register_buffer("global_mean", torch.zeros(image_dim))
        self.register_buffer("text", text if text is not None else torch.zeros(total, 0))
        self.protos = torch.nn.Parameter(torch.randn(total * prototypes, token_dim) * 0.1)
        self.weight = torch.nn.Parameter(torch.zeros(total, image_dim))
        self.bias = torch.nn.Parameter(torch.zeros(total))
        self.log_scale = torch.nn.Parameter(torch.full((len(class_counts),), math.log(10.0)))
        self.text_scale = torch.nn.Parameter(torch.zeros(len(class_counts)))

    def late_interaction(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """[B, T, k] tokens, [B, T] mask -> [B, C] symmetric MaxSim against each class's prototypes."""
        tokens = F.normalize(tokens - self.token_mean, dim=-1)
        protos = F.normalize(self.protos, dim=-1)
        sims = (tokens @ protos.T).unflatten(-1, (-1, self.prototypes))  # [B, T, C, P]
        # max() rather than amax(): its backward scatters to one index instead of comparing every
        # element with the maximum, several times cheaper on the CPU. Padding costs work only when
        # the batch has any.
        padded = not bool(mask.all())
        if padded:
            sims = sims.masked_fill(~mask[:, :, None, None], -2.0)
        presence = sims.max(dim=1).values.mean(dim=-1)
        best = sims.max(dim=-1).values  # [B, T, C]
        if padded:
            best = best * mask[:, :, None]
        coverage = best.sum(dim=1) / mask.sum(dim=1, keepdim=True).clamp(min=1)
        return 0.5 * (presence + coverage)

    def forward(self, glob: torch.Tensor, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits of every class of every field, [B, C]."""
        scale = self.log_scale.exp()[self.task_of_class]
        centred = F.normalize(glob - self.global_mean, dim=-1)
        logits = scale * self.late_interaction(tokens, mask) + centred @ self.weight.T + self.bias
        if self.text.shape[1]:  # text vectors live in the embedder's own (uncentred) space
            logits = logits + self.text_scale[self.task_of_class] * (glob @ self.text.T)
        return logits


class AttributeHead:
    """A trained head: its model and the fields it predicts."""

    def __init__(self, model: LateInteractionHeads, tasks: list[HeadTask], config: HeadConfig,
                 history: list[float] | None = None) -> None:
        self.model = model.eval()
        self.tasks = tasks
        self.config = config
        self.history = history or []
        """Validation loss after each training epoch."""
        sizes = [len(t.labels) for t in tasks]
        self.offsets = np.cumsum([0, *sizes])

    def task_logits(self, data: HeadData, batch_size: int = 1024) -> list[np.ndarray]:
        """Per field, the head's logits [N, classes] (before fusion and temperature)."""
        parts = []
        with torch.inference_mode():
            for start in range(0, len(data), batch_size):
                parts.append(self.model(*data.batch(slice(start, start + batch_size))).numpy())
        logits = np.concatenate(parts) if parts else np.zeros((0, self.offsets[-1]), np.float32)
        return [logits[:, a:b] for a, b in itertools.pairwise(self.offsets)]

    def save(self, directory: Path, embedder: EmbedderInfo, extra: dict) -> HeadEnvelope:
        """Write weights and metadata (label sets, config, and the caller's ``extra``: the training
        report, the split) to ``directory``."""
        tensors = {name: value.detach().numpy() for name, value in self.model.state_dict().items()}
        meta = {"tasks": [t.model_dump() for t in self.tasks], "config": self.config.model_dump(),
                "token_dim": int(self.model.protos.shape[1]), "image_dim": int(self.model.weight.shape[1]),
                **extra}
        return save_head(directory, KIND, embedder, tensors, meta)

    @classmethod
    def load(cls, directory: Path, embedder: EmbedderInfo) -> tuple[AttributeHead, HeadEnvelope]:
        """The head saved in ``directory``; refused when trained on another embedder's vectors."""
        tensors, envelope = load_head(directory, KIND, embedder, TRAIN_HINT)
        tasks = [HeadTask.model_validate(t) for t in envelope.meta["tasks"]]
        config = HeadConfig.model_validate(envelope.meta["config"])
        text = torch.from_numpy(tensors["text"])
        model = LateInteractionHeads([len(t.labels) for t in tasks], envelope.meta["token_dim"],
                                     envelope.meta["image_dim"], config.prototypes, text)
        model.load_state_dict({k: torch.from_numpy(v) for k, v in tensors.items()})
        return cls(model, tasks, config), envelope


def initialise(model: LateInteractionHeads, data: HeadData, tasks: list[HeadTask], text: np.ndarray | None,
               rng: np.random.Generator) -> None:
    """Start from a nearest-prototype classifier, so that training refines a good guess instead of
    searching from noise: the centring means; each class's prototypes at its most typical regions
    (see :func:`_class_prototypes`); its bias at the log class frequency. The global weights start
    at zero: training gives them what the regions miss (where the global vector carries little, a
    centroid start added noise that training then had to undo). Open-set classes start at their
    name's text vector."""
    token_mean, image_tokens = _token_statistics(data)
    global_mean = data.global_vectors.mean(axis=0) if len(data) else np.zeros(data.global_vectors.shape[1])
    image_tokens = image_tokens - image_tokens.mean(axis=0) if len(data) else image_tokens
    protos = []
    for field_index, task in enumerate(tasks):
        for class_index in range(len(task.labels)):
            members = rng.permutation(np.flatnonzero(data.labels[:, field_index] == class_index))
            if len(members):
                direction = l2_normalize(image_tokens[members].mean(axis=0))
                protos.append(_class_prototypes(data, members, direction, token_mean, model.prototypes))
            else:
                name = text[len(protos)] if text is not None else None
                base = name - token_mean if name is not None and len(name) == len(token_mean) else \
                    rng.normal(size=len(token_mean))
                protos.append(np.tile(base, (model.prototypes, 1)))
    noise = rng.normal(scale=1e-3, size=(len(protos) * model.prototypes, len(token_mean)))
    with torch.no_grad():
        model.token_mean.copy_(torch.from_numpy(token_mean.astype(np.float32)))
        model.global_mean.copy_(torch.from_numpy(global_mean.astype(np.float32)))
        model.protos.copy_(torch.from_numpy(l2_normalize(l2_normalize(np.concatenate(protos)) + noise)))
        model.bias.copy_(torch.from_numpy(np.concatenate([_log_prior(t) for t in tasks])))


def _class_prototypes(data: HeadData, members: np.ndarray, direction: np.ndarray, token_mean: np.ndarray,
                      prototypes: int) -> np.ndarray:
    """[P, k] starting prototypes of one class, by a few EM steps of MaxSim: in each of the class's
    images take the token closest to the class direction (its most class-like region), move the
    direction to their mean, repeat; then the chosen tokens, split into P groups, averaged per group.

    The mean of all tokens buries a class that shows in one region under the other regions' noise;
    choosing regions and re-centring digs it out. At most ``INIT_IMAGES`` images are read.
    """
    members = members[:INIT_IMAGES]
    if data.tokens is None:
        chosen = l2_normalize(data.global_vectors[members] - token_mean)
    else:
        tokens = l2_normalize(data.tokens[members].astype(np.float32) - token_mean)
        rows = np.arange(len(members))
        for _ in range(INIT_STEPS):
            scores = np.where(data.token_mask[members], tokens @ direction, -np.inf)
            chosen = tokens[rows, scores.argmax(axis=1)]
            direction = l2_normalize(chosen.mean(axis=0))
    groups = np.array_split(np.arange(len(members)), prototypes)
    return np.stack([chosen[g].mean(axis=0) if len(g) else direction for g in groups])


def _token_statistics(data: HeadData, chunk: int = 4096) -> tuple[np.ndarray, np.ndarray]:
    """(mean token [k], each image's mean centred token [N, k]) over real tokens, in chunks so that
    100k images never need a float32 copy of all their tokens."""
    if data.tokens is None:
        mean = data.global_vectors.mean(axis=0) if len(data) else np.zeros(data.global_vectors.shape[1])
        return mean, l2_normalize(data.global_vectors - mean)
    total, count = np.zeros(data.tokens.shape[2]), 0
    for start in range(0, len(data), chunk):
        mask = data.token_mask[start:start + chunk]
        total += data.tokens[start:start + chunk][mask].astype(np.float64).sum(axis=0)
        count += int(mask.sum())
    mean = (total / max(count, 1)).astype(np.float32)
    per_image = np.zeros((len(data), len(mean)), dtype=np.float32)
    for start in range(0, len(data), chunk):
        mask = data.token_mask[start:start + chunk]
        tokens = l2_normalize(data.tokens[start:start + chunk].astype(np.float32) - mean) * mask[..., None]
        per_image[start:start + chunk] = tokens.sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
    return mean, per_image


def _log_prior(task: HeadTask) -> np.ndarray:
    """The biases a head starts from: log class frequencies (Laplace-smoothed). An open-set class
    gets the mean of the others (as likely as a typical class), not the log of zero images, which
    would bury it under a handicap its name could never make up."""
    counts = np.asarray(task.train_counts, dtype=np.float64)
    logs = np.log((counts + 1.0) / (counts + 1.0).sum())
    seen = counts > 0
    if seen.any():
        logs[~seen] = logs[seen].mean()
    return logs.astype(np.float32)


def _loss(logits: torch.Tensor, labels: torch.Tensor, offsets: np.ndarray,
          trained: torch.Tensor) -> torch.Tensor:
    """Sum over fields of the mean cross-entropy of the images that have that field's label."""
    logits = logits.masked_fill(~trained, MASKED)
    total = logits.new_zeros(())
    for i, (a, b) in enumerate(itertools.pairwise(offsets)):
        known = labels[:, i] >= 0
        if known.any():
            total = total + F.cross_entropy(logits[known, a:b], labels[known, i])
    return total


def _val_loss(model: LateInteractionHeads, data: HeadData, offsets: np.ndarray,
              trained: torch.Tensor) -> float:
    """Validation loss at the best temperature of each field: what calibration will make of the
    model. The raw loss rises as soon as confidence outgrows accuracy, which temperature scaling
    undoes anyway, and stopping on it ended training while accuracy was still improving."""
    with torch.inference_mode():
        logits = torch.cat([model(*data.batch(slice(s, s + 1024))) for s in range(0, len(data), 1024)])
        logits = logits.masked_fill(~trained, MASKED)
        labels = _known_labels(data, trained, offsets)
        total = 0.0
        for i, (a, b) in enumerate(itertools.pairwise(offsets)):
            known = labels[:, i] >= 0
            if known.any():
                field, truth = logits[known, a:b], labels[known, i]
                total += min(float(F.cross_entropy(field / t, truth)) for t in TEMPERATURE_GRID)
        return total


def _known_labels(data: HeadData, trained: torch.Tensor, offsets: np.ndarray) -> torch.Tensor:
    """Labels with classes unseen in training blanked (they cannot be learnt, only named)."""
    labels = torch.from_numpy(data.labels.copy())
    for i, a in enumerate(offsets[:-1]):
        column = labels[:, i]
        known = column >= 0
        column[known & ~trained[a + column.clamp(min=0)]] = -1
    return labels


def _train_epoch(model: LateInteractionHeads, optimizer: torch.optim.Optimizer, train: HeadData,
                 labels: torch.Tensor, offsets: np.ndarray, trained: torch.Tensor, batch_size: int,
                 rng: np.random.Generator) -> float:
    """One pass over the training images in random mini-batches; returns the last batch's loss."""
    model.train()
    order = rng.permutation(len(train))
    loss = torch.zeros(())
    for start in range(0, len(train), batch_size):
        rows = order[start:start + batch_size]
        loss = _loss(model(*train.batch(rows)), labels[torch.from_numpy(rows)], offsets, trained)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    return float(loss.detach())


def fit_head(train: HeadData, val: HeadData, tasks: list[HeadTask], config: HeadConfig,
             text: np.ndarray | None = None,
             on_epoch: Callable[[int, float], None] | None = None) -> AttributeHead:
    """Train a head on ``train``, keeping the weights of the epoch with the best ``val`` loss (the
    last epoch when ``val`` is empty). ``text``: the class names' text vectors [C, d] (cross-modal)."""
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    token_dim = train.tokens.shape[2] if train.tokens is not None else train.global_vectors.shape[1]
    text_tensor = torch.from_numpy(text.astype(np.float32)) if text is not None else None
    model = LateInteractionHeads([len(t.labels) for t in tasks], token_dim, train.global_vectors.shape[1],
                                 config.prototypes, text_tensor)
    counts = np.concatenate([t.train_counts for t in tasks])
    initialise(model, train, tasks, text, rng)
    trained = torch.from_numpy(counts > 0)
    offsets = np.cumsum([0, *[len(t.labels) for t in tasks]])
    optimizer = torch.optim.AdamW([
        {"params": [model.weight], "weight_decay": config.weight_decay},
        {"params": [model.protos, model.bias], "weight_decay": 0.0},
        # the per-field scales are a handful of log-scale numbers that set the whole model's
        # confidence: at the base rate they would need hundreds of steps to get there
        {"params": [model.log_scale, model.text_scale], "weight_decay": 0.0,
         "lr": SCALE_LR_FACTOR * config.learning_rate},
    ], lr=config.learning_rate)
    labels = _known_labels(train, trained, offsets)
    best, best_state, stale, history = math.inf, copy.deepcopy(model.state_dict()), 0, []
    for epoch in range(config.epochs):
        loss = _train_epoch(model, optimizer, train, labels, offsets, trained, config.batch_size, rng)
        score = _val_loss(model, val, offsets, trained) if len(val) else loss
        history.append(score)
        if on_epoch:
            on_epoch(epoch + 1, score)
        if not math.isfinite(best) or score < best - max(MIN_IMPROVEMENT * best, MIN_IMPROVEMENT_ABS):
            best, best_state, stale = score, copy.deepcopy(model.state_dict()), 0
        else:
            stale += 1
            if stale >= config.patience:
                log.info("early stop after epoch %d (best validation loss %.4f)", epoch + 1, best)
                break
    model.load_state_dict(best_state)
    return AttributeHead(model, tasks, config, history)


__all__ = ["KIND", "TRAIN_HINT", "AttributeHead", "HeadConfig", "HeadData", "HeadTask",
           "LateInteractionHeads", "fit_head", "initialise"]
