"""Technical execution: sharpness, noise, exposure (clipping, brightness), dynamic range, resolution.

Sharpness and noise are measured on the ``DETAIL_SIZE`` copy: the scale at which a viewer sees the
whole image, and the same for every input size (noise below that scale is not visible at it).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from artscope.tasks.aesthetics.measures import PreparedImage, m
from artscope.tasks.aesthetics.result import Measurement

NOISE_KERNEL = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], dtype=np.float32)
"""Immerkær's (1996) mask: the difference of two Laplacians, blind to planes and straight edges."""
CLIP_HIGH, CLIP_LOW = 250.0, 5.0


def sharpness(gray: np.ndarray) -> float:
    """Variance of the Laplacian (grey levels²): high when edges are crisp."""
    return float(cv2.Laplacian(gray, cv2.CV_32F, ksize=3).var())


def noise_sigma(gray: np.ndarray) -> float:
    """Immerkær's fast noise estimate (σ, grey levels), over the structurally flat half of the image.

    Flatness is judged on a blurred copy, so the noise being measured does not choose its own pixels.
    """
    response = np.abs(cv2.filter2D(gray, cv2.CV_32F, NOISE_KERNEL))[1:-1, 1:-1]
    smooth = cv2.GaussianBlur(gray, (0, 0), 2.0)
    structure = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1))[1:-1, 1:-1]
    flat = structure <= np.percentile(structure, 50)
    # E|N * noise| = 6σ·sqrt(2/π) for white Gaussian noise, since the mask's squared weights sum to 36
    return float(math.sqrt(math.pi / 2) * response[flat].mean() / 6.0)


def measure(prepared: PreparedImage) -> dict[str, Measurement]:
    """Technical measurements of a prepared image."""
    gray = prepared.gray
    low, high = np.percentile(gray, [1, 99])
    megapixels = prepared.width * prepared.height / 1e6
    detail = f"at {max(gray.shape)} px on the long side"
    return {
        "technical.sharpness": m(
            sharpness(gray),
            "Laplacian variance (grey levels²)",
            f"Edge crispness {detail}: under ~50 looks soft, over ~300 crisp.",
        ),
        "technical.noise": m(
            noise_sigma(gray), "σ (grey levels)", f"Immerkær noise estimate on flat areas {detail}."
        ),
        "technical.highlight_clipping": m(
            float((gray >= CLIP_HIGH).mean()),
            "fraction of pixels",
            f"Pixels at luma {CLIP_HIGH:g} or more (blown highlights).",
        ),
        "technical.shadow_clipping": m(
            float((gray <= CLIP_LOW).mean()),
            "fraction of pixels",
            f"Pixels at luma {CLIP_LOW:g} or less (crushed shadows).",
        ),
        "technical.brightness": m(float(gray.mean()), "mean luma (0..255)", "Exposure: mean brightness."),
        "technical.dynamic_range": m(
            float(high - low), "grey levels", "Luma span from the 1st to the 99th percentile."
        ),
        "technical.width": m(float(prepared.width), "px", "Width of the image as given."),
        "technical.height": m(float(prepared.height), "px", "Height of the image as given."),
        "technical.megapixels": m(megapixels, "MP", "Resolution of the image as given."),
    }
