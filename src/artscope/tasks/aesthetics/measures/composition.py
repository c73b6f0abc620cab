"""Composition: where the salient mass sits (thirds, golden section, centre), balance, symmetry,
long and leading lines, the horizon, negative space.

Saliency is frequency-tuned (Achanta et al. 2009): the CIELAB distance of each lightly blurred
pixel from the image's mean colour. The *main subject* is the salient region with the most
salient mass among those that the frame's edge does not hold (a sky or ground band runs along the
edge: the boundary-connectivity prior of salient-object detection).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from artscope.tasks.aesthetics.measures import PreparedImage, m
from artscope.tasks.aesthetics.result import Measurement

THIRDS = (1 / 3, 2 / 3)
GOLDEN = (1 - 0.6180340, 0.6180340)
MIN_SALIENCY = 10.0
"""ΔE below which nothing counts as salient, however uniform the image."""
MAX_BOUNDARY_CONNECTIVITY = 1.0
"""Regions held more by the frame's edge than this are background (sky, ground, a wall)."""
FLAT_STD = 3.0
"""Local L* standard deviation under which an area is flat (candidate negative space)."""


def saliency_map(lab: np.ndarray) -> np.ndarray:
    """Per-pixel ΔE (CIE76) between the blurred image and its mean colour."""
    blurred = cv2.GaussianBlur(lab, (5, 5), 0)
    mean = lab.reshape(-1, 3).mean(axis=0)
    return np.linalg.norm(blurred - mean, axis=2).astype(np.float32)


def _subject_mask(sal: np.ndarray) -> np.ndarray | None:
    """The main subject's pixels, or None when nothing stands out as a region the frame does not hold.

    A region's boundary connectivity (Zhu et al. 2014) is its pixels on the frame's edge over the
    square root of its area: high for sky, ground or wall bands, near zero for a subject.
    """
    h, w = sal.shape
    threshold = max(2.0 * float(sal.mean()), MIN_SALIENCY)
    mask = cv2.morphologyEx((sal > threshold).astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    areas = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    mass = np.bincount(labels.ravel(), weights=sal.ravel(), minlength=count)
    rim = np.bincount(
        np.concatenate([labels[0], labels[-1], labels[1:-1, 0], labels[1:-1, -1]]), minlength=count
    )
    valid = (areas >= 0.002 * h * w) & (rim / np.sqrt(np.maximum(areas, 1)) <= MAX_BOUNDARY_CONNECTIVITY)
    valid[0] = False  # label 0 is everything below the threshold
    if not valid.any():
        return None
    return labels == int(np.argmax(np.where(valid, mass, -1.0)))


def _nearest(value: float, lines: tuple[float, float]) -> float:
    return min(abs(value - line) for line in lines)


def _subject_measures(lab: np.ndarray, sal: np.ndarray, mask: np.ndarray) -> dict[str, Measurement]:
    h, w = sal.shape
    ys, xs = np.nonzero(mask)
    weights = sal[ys, xs]
    x = float(np.average(xs + 0.5, weights=weights)) / w
    y = float(np.average(ys + 0.5, weights=weights)) / h
    # the region's soft rim mixes both colours: weight the inside by saliency, and leave a margin outside
    inside = np.average(lab[ys, xs], axis=0, weights=weights)
    around = cv2.dilate(mask.astype(np.uint8), np.ones((7, 7), np.uint8)) == 0
    outside = lab[around].mean(axis=0) if around.any() else lab[~mask].mean(axis=0)
    points = [(px, py) for px in THIRDS for py in THIRDS]
    return {
        "composition.subject_x": m(
            x,
            "fraction of width from the left",
            "Saliency-weighted centre of the main subject, horizontally.",
        ),
        "composition.subject_y": m(
            y, "fraction of height from the top", "Saliency-weighted centre of the main subject, vertically."
        ),
        "composition.subject_area": m(
            float(mask.mean()), "fraction of the frame", "Area of the main salient region."
        ),
        "composition.thirds_distance": m(
            min(_nearest(x, THIRDS), _nearest(y, THIRDS)),
            "fraction of the frame side",
            "Distance from the subject's centre to the nearest rule-of-thirds line.",
        ),
        "composition.thirds_point_distance": m(
            min(math.hypot(x - px, y - py) for px, py in points),
            "fraction of the frame side",
            "Distance from the subject's centre to the nearest thirds crossing.",
        ),
        "composition.golden_distance": m(
            min(_nearest(x, GOLDEN), _nearest(y, GOLDEN)),
            "fraction of the frame side",
            "Distance from the subject's centre to the nearest golden-section line.",
        ),
        "composition.centre_distance": m(
            math.hypot(x - 0.5, y - 0.5),
            "fraction of the frame side",
            "Distance from the subject's centre to the centre of the frame.",
        ),
        "composition.subject_contrast": m(
            float(np.linalg.norm(inside - outside)),
            "ΔE (CIE76)",
            "Colour difference between the subject's mean and the surroundings' mean.",
        ),
        "composition.saliency_concentration": m(
            float(sal[mask].sum() / max(float(sal.sum()), 1e-6)),
            "fraction of salient mass",
            "Share of the image's total saliency inside the main subject.",
        ),
    }


def _half_ratio(profile: np.ndarray) -> float:
    """Smaller over larger sum of the two halves of a profile (an odd middle entry counts half to each)."""
    half = len(profile) // 2
    middle = float(profile[half]) / 2 if len(profile) % 2 else 0.0
    first, second = float(profile[:half].sum()) + middle, float(profile[len(profile) - half :].sum()) + middle
    return min(first, second) / max(first, second) if max(first, second) > 1e-6 else 1.0


def _symmetry(lightness: np.ndarray) -> float:
    """Pearson correlation of the blurred lightness with its left-right mirror image."""
    smooth = cv2.GaussianBlur(lightness, (0, 0), 2.0)
    a, b = smooth - smooth.mean(), np.fliplr(smooth) - smooth.mean()
    denominator = float(np.sqrt((a * a).sum() * (b * b).sum()))
    return 1.0 if denominator < 1e-6 else float((a * b).sum() / denominator)


def _long_lines(lightness: np.ndarray) -> np.ndarray:
    """Straight segments over 30 % of the short side, near-duplicates merged: [n, 4] as (x1, y1, x2, y2)."""
    gray = np.clip(lightness * 2.55, 0, 255).astype(np.uint8)
    median = float(np.median(gray))
    edges = cv2.Canny(gray, max(10.0, 0.66 * median), max(30.0, min(255.0, 1.33 * median)))
    min_length = 0.3 * min(gray.shape)
    found = cv2.HoughLinesP(
        edges, 1, np.pi / 180, threshold=int(min_length * 0.6), minLineLength=min_length, maxLineGap=4
    )
    kept: list[tuple[float, float, np.ndarray]] = []
    for segment in [] if found is None else found.reshape(-1, 4).astype(np.float32):
        x1, y1, x2, y2 = segment
        angle = math.degrees(math.atan2(y2 - y1, x2 - x1)) % 180
        rho = (x2 * y1 - x1 * y2) / max(math.hypot(x2 - x1, y2 - y1), 1e-6)
        if all(min(abs(angle - a), 180 - abs(angle - a)) > 5 or abs(rho - r) > 6 for a, r, _ in kept):
            kept.append((angle, rho, segment))
    return np.array([s for _, _, s in kept], dtype=np.float32).reshape(-1, 4)


def _line_measures(
    lines: np.ndarray, subject: tuple[float, float] | None, shape: tuple[int, int]
) -> dict[str, Measurement]:
    h, w = shape
    diagonal = math.hypot(w, h)
    angles = np.degrees(np.arctan2(lines[:, 3] - lines[:, 1], lines[:, 2] - lines[:, 0])) % 180
    diagonal_lines = int(np.sum((angles >= 20) & (angles <= 160) & (np.abs(angles - 90) >= 20)))
    out = {
        "composition.long_lines": m(
            float(len(lines)), "count", "Straight edges longer than 30 % of the short side (Canny + Hough)."
        ),
        "composition.diagonal_lines": m(
            float(diagonal_lines), "count", "Long straight edges between 20° and 70° from the horizontal."
        ),
    }
    if subject is not None:
        sx, sy = subject[0] * w, subject[1] * h
        leading = 0
        for x1, y1, x2, y2 in lines:
            length = max(math.hypot(x2 - x1, y2 - y1), 1e-6)
            distance = abs((x2 - x1) * (y1 - sy) - (x1 - sx) * (y2 - y1)) / length
            midpoint_away = math.hypot((x1 + x2) / 2 - sx, (y1 + y2) / 2 - sy) > 0.1 * diagonal
            leading += int(distance < 0.06 * diagonal and midpoint_away)
        out["composition.leading_lines"] = m(
            float(leading), "count", "Long straight edges whose extension passes through the main subject."
        )
    return out


def _horizon(lightness: np.ndarray) -> float | None:
    """Height (fraction from the top) of a straight, frame-wide tonal boundary, if there is one."""
    h, _ = lightness.shape
    steps = np.abs(np.diff(cv2.GaussianBlur(lightness, (0, 0), 1.0), axis=0))
    profile = steps.mean(axis=1)
    margin = max(2, int(0.05 * h))
    inner = profile[margin : h - 1 - margin]
    if inner.size == 0:
        return None
    row = int(np.argmax(inner)) + margin
    if profile[row] < 2.0 or profile[row] < 3.0 * float(np.median(profile)):
        return None
    band = steps[max(0, row - 4) : row + 5]
    if float((band.max(axis=0) > 3.0).mean()) < 0.85:  # the boundary must cross (nearly) every column
        return None
    return (row + 1) / h


def _negative_space(lightness: np.ndarray, sal: np.ndarray) -> float:
    """Share of the frame that is flat in tone and low in saliency."""
    mean = cv2.blur(lightness, (9, 9))
    variance = np.maximum(cv2.blur(lightness * lightness, (9, 9)) - mean * mean, 0)
    quiet = sal < max(2.0 * float(sal.mean()), MIN_SALIENCY)
    return float(((np.sqrt(variance) < FLAT_STD) & quiet).mean())


def measure(prepared: PreparedImage) -> dict[str, Measurement]:
    """Composition measurements of a prepared image."""
    lightness = prepared.lab[..., 0]
    sal = saliency_map(prepared.lab)
    mask = _subject_mask(sal)
    out: dict[str, Measurement] = {}
    subject = None
    out["composition.subject_found"] = m(
        float(mask is not None), "yes (1) or no (0)",
        "Whether one salient region stands apart from the rest of the image (a main subject).")
    if mask is not None:
        out.update(_subject_measures(prepared.lab, sal, mask))
        subject = (out["composition.subject_x"].value, out["composition.subject_y"].value)
    out["composition.balance_lr"] = m(
        _half_ratio(sal.sum(axis=0)),
        "ratio (1 = even)",
        "Smaller over larger visual weight (saliency) of the left and right halves.",
    )
    out["composition.balance_tb"] = m(
        _half_ratio(sal.sum(axis=1)),
        "ratio (1 = even)",
        "Smaller over larger visual weight (saliency) of the top and bottom halves.",
    )
    out["composition.symmetry"] = m(
        _symmetry(lightness),
        "correlation (-1..1)",
        "Correlation of the blurred lightness with its left-right mirror image.",
    )
    out.update(_line_measures(_long_lines(lightness), subject, lightness.shape))
    horizon = _horizon(lightness)
    if horizon is not None:
        out["composition.horizon_y"] = m(
            horizon,
            "fraction of height from the top",
            "Row of a straight tonal boundary crossing the whole width.",
        )
    out["composition.negative_space"] = m(
        _negative_space(lightness, sal),
        "fraction of the frame",
        "Area that is flat in tone (local L* std < 3) and not salient.",
    )
    return out
