"""Each measured quantity on synthetic images whose true value is known by construction."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter

from artscope.errors import InvalidInputError
from artscope.tasks.aesthetics.measures import measure_image
from artscope.tasks.aesthetics.measures.colour import harmony
from artscope.tasks.aesthetics.synthetic import (
    add_noise,
    disc_image,
    horizon_image,
    split_image,
    texture_image,
)


def values(image: Image.Image, original_size: tuple[int, int] | None = None) -> dict:
    return {key: m.value for key, m in measure_image(image, original_size).items()}


def test_subject_on_a_thirds_line_versus_centred() -> None:
    on_thirds = values(disc_image(centre=(1 / 3, 0.5)))
    assert on_thirds["composition.subject_x"] == pytest.approx(1 / 3, abs=0.01)
    assert on_thirds["composition.subject_y"] == pytest.approx(0.5, abs=0.01)
    assert on_thirds["composition.thirds_distance"] < 0.01
    assert on_thirds["composition.centre_distance"] == pytest.approx(1 / 6, abs=0.01)
    centred = values(disc_image(centre=(0.5, 0.5)))
    assert centred["composition.centre_distance"] < 0.01
    assert centred["composition.thirds_distance"] == pytest.approx(1 / 6, abs=0.01)
    golden = values(disc_image(centre=(0.382, 0.5)))
    assert golden["composition.golden_distance"] < 0.01


def test_subject_area_contrast_and_concentration() -> None:
    measured = values(disc_image(size=(600, 400), radius=0.2))
    assert measured["composition.subject_area"] == pytest.approx(np.pi * 80**2 / (600 * 400), rel=0.1)
    dark_on_light = values(disc_image(colour=(20, 20, 20), background=(235, 235, 235)))
    assert dark_on_light["composition.subject_contrast"] > 80  # ΔE between near-black and near-white
    assert measured["composition.negative_space"] > 0.8  # a flat background around a small disc


def test_no_subject_on_uniform_or_banded_images() -> None:
    assert "composition.subject_x" not in values(Image.new("RGB", (300, 200), (90, 90, 90)))
    assert "composition.subject_x" not in values(horizon_image())  # sky and ground bands are background


def test_horizon_on_the_lower_thirds_line() -> None:
    measured = values(horizon_image(horizon=2 / 3))
    assert measured["composition.horizon_y"] == pytest.approx(2 / 3, abs=0.02)
    assert values(horizon_image(horizon=0.5))["composition.horizon_y"] == pytest.approx(0.5, abs=0.02)
    assert "composition.horizon_y" not in values(disc_image())


def test_symmetry_and_balance() -> None:
    symmetric = values(disc_image(centre=(0.5, 0.5)))
    assert symmetric["composition.symmetry"] > 0.95
    assert symmetric["composition.balance_lr"] > 0.95 and symmetric["composition.balance_tb"] > 0.95
    off_centre = values(disc_image(centre=(0.2, 0.5)))
    assert off_centre["composition.symmetry"] < 0.5
    assert off_centre["composition.balance_lr"] < 0.6


def test_lines_leading_to_the_subject() -> None:
    image = disc_image(size=(600, 400), centre=(2 / 3, 1 / 3), radius=0.06)
    draw = ImageDraw.Draw(image)
    target = (400, 133)
    for start in ((0, 399), (0, 300), (150, 399)):  # three long lines converging on the disc
        end = (start[0] + 0.8 * (target[0] - start[0]), start[1] + 0.8 * (target[1] - start[1]))
        draw.line([start, end], fill=(40, 40, 40), width=4)
    measured = values(image)
    assert measured["composition.leading_lines"] >= 2
    assert measured["composition.diagonal_lines"] >= 2
    assert values(disc_image())["composition.long_lines"] == 0


def test_blurred_copy_is_less_sharp() -> None:
    sharp = values(texture_image(seed=1))["technical.sharpness"]
    blurred = values(texture_image(seed=1, blur=3))["technical.sharpness"]
    assert sharp > 10 * blurred


@pytest.mark.parametrize("sigma", [4.0, 12.0])
def test_added_noise_is_measured(sigma: float) -> None:
    flat = Image.new("RGB", (512, 384), (128, 128, 128))
    assert values(flat)["technical.noise"] < 0.5
    assert values(add_noise(flat, sigma))["technical.noise"] == pytest.approx(sigma, rel=0.15)


def test_over_exposure_clips_highlights() -> None:
    normal = texture_image(seed=2).filter(ImageFilter.GaussianBlur(1))
    pixels = np.asarray(normal, dtype=np.float32)
    over = Image.fromarray(np.clip(pixels * 2.2 + 60, 0, 255).astype(np.uint8))
    assert values(normal)["technical.highlight_clipping"] < 0.05
    measured = values(over)
    assert measured["technical.highlight_clipping"] > 0.4
    assert measured["technical.brightness"] > values(normal)["technical.brightness"] + 60


def test_dynamic_range_and_resolution() -> None:
    grey = Image.new("RGB", (400, 300), (100, 100, 100))
    measured = values(grey, original_size=(4000, 3000))
    assert measured["technical.dynamic_range"] == pytest.approx(0, abs=1)
    assert measured["technical.megapixels"] == pytest.approx(12.0)
    assert (measured["technical.width"], measured["technical.height"]) == (4000, 3000)
    assert values(split_image((400, 300), (10, 10, 10), (245, 245, 245)))["technical.dynamic_range"] > 200


def test_two_colour_complementary_palette() -> None:
    measured = values(split_image(left=(230, 60, 20), right=(20, 130, 230)))
    assert measured["colour.harmony_scheme"] == "complementary"
    assert len(measured["colour.palette"]) == 2
    assert measured["colour.palette_shares"] == pytest.approx([0.5, 0.5], abs=0.02)
    assert measured["colour.warm_share"] == pytest.approx(0.5, abs=0.02)


def test_palette_colours_are_the_painted_colours() -> None:
    measured = values(split_image(left=(200, 30, 30), right=(30, 30, 200)))
    palette = [tuple(int(h[i : i + 2], 16) for i in (1, 3, 5)) for h in measured["colour.palette"]]
    assert len(palette) == 2
    for painted in ((200, 30, 30), (30, 30, 200)):
        assert min(sum(abs(a - b) for a, b in zip(c, painted, strict=True)) for c in palette) <= 9


def test_single_hue_is_monochromatic_and_grey_is_achromatic() -> None:
    shades = Image.new("RGB", (300, 200), (40, 80, 160))
    ImageDraw.Draw(shades).rectangle([150, 0, 300, 200], fill=(90, 140, 230))
    assert values(shades)["colour.harmony_scheme"] == "monochromatic"
    grey = values(split_image(left=(60, 60, 60), right=(200, 200, 200)))
    assert grey["colour.harmony_scheme"] == "achromatic" and "colour.hue_spread" not in grey
    assert grey["colour.colourfulness"] < 1


def test_harmony_templates_on_hue_histograms() -> None:
    hist = np.zeros(360)
    hist[[30, 150, 270]] = 1.0
    assert harmony(hist)[0] == "triadic"
    hist = np.zeros(360)
    hist[0:60] = 1.0
    assert harmony(hist)[0] == "analogous"
    hist = np.zeros(360)
    hist[[0, 45, 90, 135, 180, 225, 270, 315]] = 1.0
    assert harmony(hist)[0] == "none"


def test_colourfulness_contrast_and_key() -> None:
    vivid = values(split_image(left=(255, 0, 0), right=(0, 0, 255)))
    assert vivid["colour.colourfulness"] > 100  # "extremely colourful" on Hasler and Süsstrunk's scale
    light = values(Image.new("RGB", (200, 200), (235, 235, 230)))
    assert light["colour.key"] > 90 and light["colour.contrast"] < 1
    contrast = values(split_image(left=(0, 0, 0), right=(255, 255, 255)))
    assert contrast["colour.contrast"] == pytest.approx(50, abs=1) and contrast["colour.value_range"] > 95


def test_affect_indices_follow_brightness_and_saturation() -> None:
    dull = values(Image.new("RGB", (200, 200), (60, 60, 60)))
    bright_vivid = values(Image.new("RGB", (200, 200), (250, 40, 40)))
    assert dull["affect.arousal"] < bright_vivid["affect.arousal"]
    assert dull["affect.pleasure"] < bright_vivid["affect.pleasure"]
    assert bright_vivid["affect.pleasure"] == pytest.approx(
        0.69 * 250 / 255 + 0.22 * (1 - 40 / 250), abs=0.01
    )


def test_too_small_images_are_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least 16 px"):
        measure_image(Image.new("RGB", (8, 40)))
