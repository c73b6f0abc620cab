"""Colour and value: palette, hue spread and temperature, harmony scheme, colourfulness, tonal
contrast and key, and the colour-affect indices.

Harmony follows Cohen-Or et al. (2006): the chroma-weighted hue histogram (HSV hue wheel) is fitted
against Matsuda's templates (plus the triadic scheme) at every rotation; the scheme named is the most
specific template whose fit leaves a mean hue deviation under ``HARMONY_TOLERANCE`` degrees.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np

from artscope.tasks.aesthetics.measures import PreparedImage, m
from artscope.tasks.aesthetics.result import Measurement

CHROMATIC = 15.0
"""CIELAB chroma C* above which a pixel counts as coloured."""
HARMONY_TOLERANCE = 6.0
"""Mean hue deviation (degrees) under which the hues fit a template."""
PALETTE_SIZE = 5
MERGE_DELTA_E = 10.0
"""Palette clusters closer than this (ΔE) are one colour."""
MIN_SHARE = 0.01
"""Clusters smaller than this (edge pixels, specks) join the nearest main colour."""
WARM_HUES = ((0.0, 75.0), (330.0, 360.0))
"""Reds, oranges and yellows on the HSV hue wheel."""

# (name, [(sector centre offset, sector width)]) in degrees, most specific first (Matsuda's i, I, V,
# L, Y, X, T and the triadic scheme).
TEMPLATES: tuple[tuple[str, tuple[tuple[float, float], ...]], ...] = (
    ("monochromatic", ((0, 18),)),
    ("complementary", ((0, 18), (180, 18))),
    ("triadic", ((0, 18), (120, 18), (240, 18))),
    ("analogous", ((0, 93.6),)),
    ("L-shaped", ((0, 18), (90, 79.2))),
    ("split-complementary", ((0, 93.6), (180, 18))),
    ("double-complementary", ((0, 93.6), (180, 93.6))),
    ("half-wheel", ((0, 180),)),
)


@functools.cache
def _template_costs(index: int) -> np.ndarray:
    """[rotation, hue] -> arc distance (deg) from the hue to the template rotated by that many degrees."""
    hues = np.arange(360, dtype=np.float32) + 0.5
    distance = np.full((360, 360), 360.0, dtype=np.float32)
    for offset, width in TEMPLATES[index][1]:
        centres = (np.arange(360, dtype=np.float32)[:, None] + offset) % 360
        arc = np.abs(hues[None, :] - centres)
        arc = np.minimum(arc, 360 - arc)
        distance = np.minimum(distance, np.maximum(arc - width / 2, 0))
    return distance


def harmony(hist: np.ndarray) -> tuple[str, float, float]:
    """(scheme name, mean deviation in degrees, rotation) of a 360-bin weighted hue histogram."""
    weights = hist / max(float(hist.sum()), 1e-9)
    fits = []
    for index, (name, _) in enumerate(TEMPLATES):
        costs = _template_costs(index) @ weights
        rotation = int(np.argmin(costs))
        fits.append((name, float(costs[rotation]), float(rotation)))
    fitting = [fit for fit in fits if fit[1] <= HARMONY_TOLERANCE]
    if fitting:
        return fitting[0]
    _, deviation, rotation = min(fits, key=lambda fit: fit[1])
    return "none", deviation, rotation


def palette(lab: np.ndarray) -> tuple[list[str], list[float]]:
    """Main colours (hex, sRGB) and their shares of the image, largest first."""
    small = cv2.resize(
        lab, (64, max(1, round(64 * lab.shape[0] / lab.shape[1]))), interpolation=cv2.INTER_AREA
    )
    samples = small.reshape(-1, 3).astype(np.float32)
    k = min(PALETTE_SIZE, len(samples))
    cv2.setRNGSeed(0)  # k-means++ seeding is random; a fixed seed keeps the palette reproducible
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centres = cv2.kmeans(samples, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    shares = np.bincount(labels.ravel(), minlength=k).astype(np.float64) / len(samples)
    merged: list[tuple[np.ndarray, float]] = []
    for index in np.argsort(-shares):  # largest first, so small clusters join the big ones near them
        centre, share = centres[index], float(shares[index])
        if share == 0:
            continue
        distances = [float(np.linalg.norm(c - centre)) for c, _ in merged]
        if merged and (min(distances) < MERGE_DELTA_E or share < MIN_SHARE):
            near = int(np.argmin(distances))
            c, s = merged[near]
            merged[near] = ((c * s + centre * share) / (s + share), s + share)
        else:
            merged.append((centre, share))
    merged.sort(key=lambda item: -item[1])
    rgb = cv2.cvtColor(np.array([[c for c, _ in merged]], dtype=np.float32), cv2.COLOR_LAB2RGB)[0]
    hexes = [
        "#" + "".join(f"{round(min(max(float(v), 0.0), 1.0) * 255):02x}" for v in colour) for colour in rgb
    ]
    return hexes, [s for _, s in merged]


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Süsstrunk (2003) M: spread and mean of the opponent channels rg and yb."""
    r, g, b = (rgb[..., i].astype(np.float64) for i in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(math.hypot(rg.std(), yb.std()) + 0.3 * math.hypot(rg.mean(), yb.mean()))


def _hue_measures(rgb: np.ndarray, lab: np.ndarray) -> dict[str, Measurement]:
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    coloured = chroma > CHROMATIC
    out = {
        "colour.chromatic_share": m(
            float(coloured.mean()), "fraction of pixels", f"Pixels with CIELAB chroma C* above {CHROMATIC:g}."
        )
    }
    if coloured.mean() < 0.05:
        out["colour.harmony_scheme"] = m("achromatic", "scheme", "Under 5 % of the pixels carry colour.")
        return out
    hue = cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2HSV)[..., 0][coloured]
    weight = chroma[coloured]
    hist = np.bincount(np.minimum(hue.astype(int), 359), weights=weight, minlength=360)
    scheme, deviation, _ = harmony(hist)
    angles = np.radians(hue)
    resultant = math.hypot(float((weight * np.cos(angles)).sum()), float((weight * np.sin(angles)).sum()))
    r = resultant / float(weight.sum())
    spread = math.degrees(math.sqrt(-2 * math.log(r))) if r > 1e-6 else 180.0
    warm = sum(((hue >= lo) & (hue < hi)).sum() for lo, hi in WARM_HUES) / len(hue)
    out.update(
        {
            "colour.harmony_scheme": m(
                scheme, "scheme", "Best-fitting hue template (Matsuda / Cohen-Or), most specific first."
            ),
            "colour.harmony_deviation": m(
                deviation, "degrees", "Mean chroma-weighted hue distance outside the template's sectors."
            ),
            "colour.hue_spread": m(
                min(spread, 180.0), "degrees", "Circular standard deviation of the chroma-weighted hues."
            ),
            "colour.warm_share": m(
                float(warm),
                "fraction of coloured pixels",
                "Coloured pixels with red, orange or yellow hues (HSV 330°–75°).",
            ),
        }
    )
    return out


def measure(prepared: PreparedImage) -> dict[str, Measurement]:
    """Colour, value and colour-affect measurements of a prepared image."""
    rgb, lab = prepared.rgb, prepared.lab
    lightness = lab[..., 0]
    hexes, shares = palette(lab)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32) / 255.0
    saturation, value = float(hsv[..., 1].mean()), float(hsv[..., 2].mean())
    low, high = np.percentile(lightness, [5, 95])
    out = {
        "colour.palette": m(
            hexes,
            "sRGB hex",
            "Main colours: k-means (k = 5) in CIELAB; clusters within ΔE 10, or under 1 %, merged.",
        ),
        "colour.palette_shares": m(
            shares, "fraction of the image", "Share of the image of each palette colour."
        ),
        "colour.colourfulness": m(
            colourfulness(rgb),
            "Hasler–Süsstrunk M",
            "Colourfulness: 0 grey, ~33 moderate, ~59 quite, ~82 highly, 109+ extremely.",
        ),
        "colour.saturation": m(saturation, "HSV saturation (0..1)", "Mean saturation."),
        "colour.contrast": m(float(lightness.std()), "L* standard deviation", "RMS tonal contrast."),
        "colour.value_range": m(
            float(high - low), "L* units", "Spread of lightness, 5th to 95th percentile."
        ),
        "colour.key": m(
            float(lightness.mean()), "mean L* (0..100)", "Tonal key: high-key above 65, low-key below 35."
        ),
        "affect.pleasure": m(
            0.69 * value + 0.22 * saturation,
            "Valdez–Mehrabian index",
            "Pleasure = 0.69 brightness + 0.22 saturation (HSV means, Valdez & Mehrabian 1994).",
        ),
        "affect.arousal": m(
            -0.31 * value + 0.60 * saturation,
            "Valdez–Mehrabian index",
            "Arousal = −0.31 brightness + 0.60 saturation (HSV means, Valdez & Mehrabian 1994).",
        ),
    }
    out.update(_hue_measures(rgb, lab))
    return out
