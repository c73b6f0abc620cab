"""Geometric verification: does a photo show this artwork? ORB keypoints matched with Lowe's ratio
test, then a RANSAC homography; the inlier count decides. It reranks the global first stage for
visitors' phone photos (perspective, crop, glare, blur, the frame and wall around the work) and
says "not in the collection" when no candidate is verified."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image

from artscope.errors import ImageLoadError
from artscope.media.images import load_image

WORKING_SIZE = 640
"""Longest side the keypoints are computed at: enough detail, bounded cost."""
MIN_INLIERS = 30
"""Homography inliers from which a candidate is taken as the same work. Measured on the sample
collection: true matches 147 and more, other works at most 7; regular stripes and grids can reach
16-18 by chance, hence 30."""
RATIO = 0.75
MIN_SIDE = 64
"""ORB keeps its keypoints 31 px (its patch size) from the borders: a picture whose shorter side is under
64 px at the working size has none (noise at 64 x 64: 0 keypoints, at 70 x 70: 8), and OpenCV's image
pyramid fails outright on a side of a few pixels."""


@dataclass(frozen=True)
class Features:
    keypoints: np.ndarray
    """[n, 2] coordinates."""
    descriptors: np.ndarray | None


def _working(image: Image.Image) -> Image.Image | None:
    """The picture as its keypoints are computed (longest side at most ``WORKING_SIZE``), or None when it is
    too small there to have any (``MIN_SIDE``)."""
    picture = image.copy()
    picture.thumbnail((WORKING_SIZE, WORKING_SIZE))
    return picture if min(picture.size) >= MIN_SIDE else None


def verifiable(image: Image.Image) -> bool:
    """Whether the picture is large enough at the working size to have keypoints at all."""
    return _working(image) is not None


def features(image: Image.Image) -> Features:
    """ORB keypoints and descriptors (none for a picture too small to have any: see ``MIN_SIDE``)."""
    picture = _working(image)
    if picture is None:
        return Features(np.zeros((0, 2), dtype=np.float32), None)
    gray = cv2.cvtColor(np.asarray(picture.convert("RGB")), cv2.COLOR_RGB2GRAY)
    gray = cv2.createCLAHE(clipLimit=2.0, tileGridSize=(8, 8)).apply(gray)  # evens out glare and dim light
    orb = cv2.ORB_create(nfeatures=1500, fastThreshold=10)
    keypoints, descriptors = orb.detectAndCompute(gray, None)
    points = np.array([k.pt for k in keypoints], dtype=np.float32).reshape(-1, 2)
    return Features(points, descriptors)


@lru_cache(maxsize=512)
def stored_features(uri: str) -> Features | None:
    """Features of a stored image by its registered location (cached: candidates recur)."""
    try:
        return features(load_image(uri, draft_size=WORKING_SIZE))
    except ImageLoadError:
        return None


def inliers(query: Features, candidate: Features) -> int:
    """RANSAC homography inliers between two images' ORB matches (0 when too few matches)."""
    if query.descriptors is None or candidate.descriptors is None or len(candidate.keypoints) < 8:
        return 0
    matcher = cv2.BFMatcher(cv2.NORM_HAMMING)
    pairs = matcher.knnMatch(query.descriptors, candidate.descriptors, k=2)
    good = [p[0] for p in pairs if len(p) == 2 and p[0].distance < RATIO * p[1].distance]
    if len(good) < 8:
        return 0
    source = query.keypoints[[m.queryIdx for m in good]]
    target = candidate.keypoints[[m.trainIdx for m in good]]
    _, mask = cv2.findHomography(source, target, cv2.RANSAC, 5.0)
    return int(mask.sum()) if mask is not None else 0
