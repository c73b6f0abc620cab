"""The late-interaction attribute head on planted token vectors: it learns what the tokens carry, copes
with missing labels and one-example classes, scores open-set classes through their names, and saves,
loads and refuses heads of another embedder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from artscope.embedders.base import EmbedderInfo, l2_normalize
from artscope.errors import EmbedderMismatchError, HeadNotTrainedError
from artscope.heads.attributes import AttributeHead, HeadConfig, HeadData, HeadTask, fit_head

TOKENS, DIM = 8, 16
INFO = EmbedderInfo(spec="builtin", image_dim=DIM, text_dim=DIM, token_dim=DIM, max_tokens=TOKENS, version="2")
CLASSES = (4, 3)


def _planted(n: int, seed: int, signatures: list[np.ndarray]) -> HeadData:
    """Images whose first token carries the field-0 class and second token the field-1 class, hidden
    among noise tokens; the global vector is the mean token (so it carries both, faintly)."""
    rng = np.random.default_rng(seed)
    labels = np.stack([rng.integers(0, len(s), n) for s in signatures], axis=1)
    tokens = rng.normal(size=(n, TOKENS, DIM))
    for field, table in enumerate(signatures):
        tokens[:, field] = 2.5 * table[labels[:, field]] + 0.5 * rng.normal(size=(n, DIM))
    tokens = l2_normalize(tokens)
    return HeadData(l2_normalize(tokens.mean(axis=1)), tokens.astype(np.float16), np.ones((n, TOKENS), bool),
                    labels.astype(np.int64))


@pytest.fixture(scope="module")
def signatures() -> list[np.ndarray]:
    rng = np.random.default_rng(42)
    return [l2_normalize(rng.normal(size=(c, DIM))) for c in CLASSES]


def _tasks(train: HeadData, names: tuple[str, ...] = ("style", "genre")) -> list[HeadTask]:
    counts = [np.bincount(train.labels[:, i][train.labels[:, i] >= 0], minlength=n).tolist()
              for i, n in enumerate(CLASSES)]
    return [HeadTask(field=name, labels=[f"{name}-{c}" for c in range(n)], train_counts=count)
            for name, n, count in zip(names, CLASSES, counts, strict=True)]


def _accuracy(head: AttributeHead, data: HeadData, field: int) -> float:
    known = data.labels[:, field] >= 0
    predicted = head.task_logits(data)[field].argmax(axis=1)
    return float((predicted[known] == data.labels[known, field]).mean())


@pytest.fixture(scope="module")
def trained(signatures: list[np.ndarray]) -> tuple[AttributeHead, HeadData]:
    train, val, test = (_planted(n, seed, signatures) for n, seed in ((240, 1), (60, 2), (80, 3)))
    train.labels[::7, 0] = -1  # every 7th image has no style: it still teaches genre
    head = fit_head(train, val, _tasks(train), HeadConfig(epochs=15, seed=0))
    return head, test


def test_learns_the_planted_classes_of_every_field(trained: tuple[AttributeHead, HeadData]) -> None:
    head, test = trained
    assert _accuracy(head, test, 0) >= 0.9
    assert _accuracy(head, test, 1) >= 0.9
    assert 1 <= len(head.history) <= 15


def test_missing_labels_count_for_no_field_they_lack(signatures: list[np.ndarray]) -> None:
    train = _planted(120, 4, signatures)
    train.labels[:60, 0] = -1
    train.labels[60:, 1] = -1
    tasks = _tasks(train)
    assert sum(tasks[0].train_counts) == 60 and sum(tasks[1].train_counts) == 60
    head = fit_head(train, _planted(40, 5, signatures), tasks, HeadConfig(epochs=8))
    test = _planted(60, 6, signatures)
    assert _accuracy(head, test, 0) > 0.6 and _accuracy(head, test, 1) > 0.6


def test_a_class_with_one_training_image(signatures: list[np.ndarray]) -> None:
    train = _planted(80, 7, signatures)
    rare = np.flatnonzero(train.labels[:, 1] == 2)
    train.labels[rare[1:], 1] = -1  # genre 2 keeps a single training image
    tasks = _tasks(train)
    assert tasks[1].train_counts[2] == 1
    head = fit_head(train, _planted(30, 8, signatures), tasks, HeadConfig(epochs=5))
    logits = head.task_logits(_planted(20, 9, signatures))[1]
    assert logits.shape == (20, 3) and np.isfinite(logits).all()


def test_a_class_without_images_is_scored_through_its_name(signatures: list[np.ndarray]) -> None:
    train = _planted(200, 10, signatures)
    unseen = train.labels[:, 0] == 3
    train = train.rows(~unseen)  # style 3 has no training image; its name's text vector is known
    tasks = _tasks(train)
    assert tasks[0].train_counts[3] == 0
    text = np.concatenate([signatures[0], signatures[1]])  # names embedded where their images are
    head = fit_head(train, _planted(40, 11, signatures).rows(slice(0, 40)), tasks, HeadConfig(epochs=10),
                    text=text)
    test = _planted(120, 12, signatures)
    logits = head.task_logits(test)[0]
    own = test.labels[:, 0] == 3
    # the open-set class's score is highest on the images of that class
    assert logits[own, 3].mean() > logits[~own, 3].mean() + 0.5
    assert (logits[own].argmax(axis=1) == 3).mean() > 0.5


def test_save_load_round_trip(trained: tuple[AttributeHead, HeadData], tmp_path: Path) -> None:
    head, test = trained
    envelope = head.save(tmp_path / "attributes", INFO, {"note": "kept"})
    loaded, again = AttributeHead.load(tmp_path / "attributes", INFO)
    assert again.version == envelope.version and len(envelope.version) == 12
    assert again.meta["note"] == "kept" and again.embedder == INFO
    assert [t.model_dump() for t in loaded.tasks] == [t.model_dump() for t in head.tasks]
    for before, after in zip(head.task_logits(test), loaded.task_logits(test), strict=True):
        np.testing.assert_allclose(before, after, rtol=1e-5, atol=1e-5)


def test_a_head_of_another_embedder_is_refused(trained: tuple[AttributeHead, HeadData],
                                               tmp_path: Path) -> None:
    head, _ = trained
    head.save(tmp_path / "attributes", INFO, {})
    other = INFO.model_copy(update={"spec": "hf:tiny-clip"})
    with pytest.raises(EmbedderMismatchError, match=r"'builtin'.*'hf:tiny-clip'"):
        AttributeHead.load(tmp_path / "attributes", other)


def test_no_head_says_how_to_train_one(tmp_path: Path) -> None:
    with pytest.raises(HeadNotTrainedError, match="artscope train attributes"):
        AttributeHead.load(tmp_path / "attributes", INFO)
