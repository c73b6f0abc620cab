"""Measured words: the stored vector's measurements read back exactly, and words decided by them
(night, snow, black and white, colours, aspect, busyness) on pictures whose answer is known."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from artscope.embedders.base import measured_words
from artscope.embedders.builtin import BuiltinEmbedder
from artscope.embedders.builtin.encoding import Scale
from artscope.embedders.builtin.layout import colour_frequencies, read_scalars
from artscope.embedders.builtin.prepare import image_planes
from artscope.embedders.builtin.vocabulary import VOCABULARY
from artscope.media.images import load_image

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "src" / "artscope" / "demo" / "sample-collection" / "images"


@pytest.mark.parametrize("scale", [Scale(0.0, 100.0, 6), Scale(-20.0, 40.0, 6), Scale(0.0, 0.4, 5)])
def test_a_scale_decodes_what_it_encodes(scale: Scale) -> None:
    values = np.linspace(scale.lo, scale.hi, 41)
    assert np.allclose(scale.decode(scale.encode(values) * 0.37), values, atol=1e-4)  # any positive scale
    assert scale.decode(scale.encode(scale.hi + 50)) == pytest.approx(scale.hi)  # saturates, as encoding does


def test_measurements_read_back_from_real_images_match_the_pixels(builtin_embedder: BuiltinEmbedder) -> None:
    images = [load_image(SAMPLE / f"{name}.jpg") for name in ("tower-bridge-london", "castle-clinton",
                                                             "van-gogh-the-harvest", "eiffel-tower-champ-de-mars")]
    vectors = builtin_embedder.embed_images(images).global_vectors
    read = read_scalars(vectors, builtin_embedder.block_slices())
    for i, image in enumerate(images):
        full, half = image_planes(image)
        lab = half.lab.reshape(-1, 3)
        assert read["light.mean"][i] == pytest.approx(float(half.lightness.mean()), abs=0.05)
        assert read["light.std"][i] == pytest.approx(float(half.lightness.std()), abs=0.05)
        assert read["colourfulness.chroma"][i] == pytest.approx(float(np.hypot(lab[:, 1], lab[:, 2]).mean()), abs=0.05)
        assert read["colourfulness.mean_b"][i] == pytest.approx(float(np.clip(lab[:, 2].mean(), -20, 40)), abs=0.05)
        assert np.exp(read["composition.log_aspect"][i]) == pytest.approx(image.width / image.height, rel=1e-3)
        edges = cv2.Canny(np.clip(full.lightness * 2.55, 0, 255).astype(np.uint8), 40, 100, L2gradient=True)
        assert read["edges.density"][i] == pytest.approx(min(float((edges > 0).mean()), 0.25), abs=1e-3)
    frequencies = colour_frequencies(vectors, builtin_embedder.block_slices())
    assert np.allclose(frequencies.sum(axis=(1, 2)), 1.0)


def test_words_are_found_as_written_with_negation(builtin_embedder: BuiltinEmbedder) -> None:
    vocabulary = measured_words(builtin_embedder)
    assert vocabulary is not None
    found = vocabulary.find("The same bridge, but in Black-and-White at NIGHT, without snow")
    assert [(f.name, f.negated) for f in found] == [("black and white", False), ("night", False), ("snow", True)]
    assert found[0].written == "black and white" and "chroma" in found[0].meaning
    assert vocabulary.find("a painting of a farm by a river") == []  # nothing here is measured
    assert [f.name for f in vocabulary.find("nocturnal harbour, bluish and vertical")] == ["night", "blue", "vertical"]


def _picture(rgb: tuple[int, int, int], size: tuple[int, int] = (160, 120), noise: float = 4.0,
             stripes: bool = False, seed: int = 0) -> Image.Image:
    rng = np.random.default_rng(seed)
    pixels = np.array(rgb, np.float32) + rng.normal(0, noise, (size[1], size[0], 3))
    if stripes:
        pixels[:, ::4] *= 0.3
        pixels[::5, :] *= 0.4
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def test_words_decided_by_measurements_on_known_pictures(builtin_embedder: BuiltinEmbedder) -> None:
    pictures = {
        "night sky": _picture((22, 22, 30)), "snow field": _picture((235, 236, 240)),
        "grey photo": _picture((128, 128, 128)), "red wall": _picture((200, 30, 30)),
        "blue sea": _picture((30, 80, 200)), "tall green": _picture((40, 150, 60), size=(90, 180)),
        "busy": _picture((150, 120, 90), noise=50, stripes=True), "empty ochre": _picture((190, 150, 90), noise=1),
    }
    vectors = builtin_embedder.embed_images(list(pictures.values())).global_vectors
    vocabulary = measured_words(builtin_embedder)
    names = list(pictures)

    def best(query: str) -> str:
        found = vocabulary.find(query)
        scores = vocabulary.scores(found, vectors).prod(axis=1)
        return names[int(np.argmax(scores))]

    assert best("at night") == "night sky" and best("in snow") == "snow field"
    assert best("black and white") == "grey photo" and best("red") == "red wall" and best("blue") == "blue sea"
    assert best("vertical") == "tall green" and best("green") == "tall green"
    assert best("crowded") == "busy"
    empty = vocabulary.scores(vocabulary.find("empty"), vectors)[:, 0]
    assert empty[names.index("empty ochre")] == 1.0 and empty[names.index("busy")] == 0.0
    night = vocabulary.scores(vocabulary.find("night"), vectors)[:, 0]
    assert night[names.index("night sky")] == 1.0 and night[names.index("snow field")] == 0.0
    not_dark = vocabulary.scores(vocabulary.find("not dark"), vectors)[:, 0]
    assert np.allclose(not_dark, 1.0 - night)
    # the probe vector finds the same picture through the index's cosine
    probe = vocabulary.probe(vocabulary.find("at night"))
    assert names[int(np.argmax(vectors @ probe))] == "night sky"


def test_the_vocabulary_is_documented_word_by_word() -> None:
    docs = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    for word in VOCABULARY:
        assert f"| {word.name} | {', '.join(word.forms)} | {word.meaning} |" in docs, word.name


def test_each_word_is_scored_from_only_the_measurements_it_names(builtin_embedder: BuiltinEmbedder) -> None:
    vectors = builtin_embedder.embed_images([_picture(rgb, seed=i) for i, rgb in enumerate(
        [(22, 22, 30), (235, 236, 240), (200, 30, 30), (190, 150, 90), (30, 80, 200)])]).global_vectors
    vocabulary = measured_words(builtin_embedder)
    every = vocabulary.measurements(vectors)
    for word in VOCABULARY:
        needed = {ramp.measure for ramp in word.ramps}
        assert set(vocabulary.measurements(vectors, needed)) == needed, word.name
        found = vocabulary.find(word.forms[0])
        ramps = np.stack([ramp(every[ramp.measure]) for ramp in word.ramps])
        met = np.exp(np.log(np.maximum(ramps, 1e-6)).mean(axis=0))
        np.testing.assert_allclose(vocabulary.scores(found, vectors)[:, 0], np.where(met < 1e-3, 0.0, met),
                                   err_msg=word.name)
