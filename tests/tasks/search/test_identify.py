"""A visitor's phone photo of a painting (frame, wall, perspective, glare, blur) finds that painting
first after geometric verification; a work that is not in the collection is said to be absent."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

import artscope
from artscope.errors import InvalidInputError
from artscope.tasks.search import verify
from artscope.testing import ARTISTS, SyntheticArtwork, draw_artwork


def phone_photo(painting: Image.Image, seed: int) -> Image.Image:
    """The painting in a frame on a wall, shot at an angle, with glare, blur and JPEG."""
    rng = np.random.default_rng(seed)
    art = np.asarray(painting.convert("RGB"))
    h, w = art.shape[:2]
    framed = cv2.copyMakeBorder(art, h // 12, h // 12, w // 12, w // 12, cv2.BORDER_CONSTANT, value=(90, 60, 30))
    fh, fw = framed.shape[:2]
    wall = np.full((int(fh * 1.6), int(fw * 1.6), 3), (205, 200, 188), np.uint8)
    oy, ox = (wall.shape[0] - fh) // 2, (wall.shape[1] - fw) // 2
    wall[oy:oy + fh, ox:ox + fw] = framed
    H, W = wall.shape[:2]
    src = np.float32([[0, 0], [W, 0], [W, H], [0, H]])
    jitter = rng.uniform(0.04, 0.1, (4, 2)) * [W, H] * np.array([[1, 1], [-1, 1], [-1, -1], [1, -1]])
    warped = cv2.warpPerspective(wall, cv2.getPerspectiveTransform(src, np.float32(src + jitter)), (W, H),
                                 borderValue=(180, 175, 165))
    yy, xx = np.mgrid[0:H, 0:W]
    cy, cx = rng.uniform(0.3, 0.7) * H, rng.uniform(0.3, 0.7) * W
    glare = 90 * np.exp(-(((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * (0.12 * W) ** 2)))
    photo = np.clip(warped.astype(np.float32) + glare[..., None], 0, 255).astype(np.uint8)
    photo = cv2.GaussianBlur(photo, (5, 5), 1.2)
    buffer = io.BytesIO()
    Image.fromarray(photo).resize((W * 3 // 4, H * 3 // 4)).save(buffer, "JPEG", quality=70)
    return Image.open(io.BytesIO(buffer.getvalue()))


@pytest.fixture(scope="module")
def sample(sample_collection_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[artscope.Collection]:
    with artscope.create(tmp_path_factory.mktemp("sample") / "c") as collection:
        collection.ingest([str(sample_collection_dir)])
        yield collection


def test_phone_photos_of_paintings_are_identified(sample: artscope.Collection, sample_collection_dir: Path) -> None:
    paintings = sorted((sample_collection_dir / "images").glob("van-gogh-*.jpg"))
    assert len(paintings) == 8
    verified_first = 0
    for seed, path in enumerate(paintings):
        photo = phone_photo(Image.open(path), seed)
        result = sample.search(image=photo, verify=True, limit=3)
        if result.hits[0].artwork.id == path.stem and not result.no_good_match:
            verified_first += 1
            assert result.hits[0].inliers >= 15
    assert verified_first == 8


def test_a_work_not_in_the_collection_is_reported_absent(sample: artscope.Collection) -> None:
    stranger = draw_artwork(SyntheticArtwork("x-1", next(iter(ARTISTS)), "stripes", "portrait", 1900, ""), size=400)
    result = sample.search(image=phone_photo(stranger, 3), verify=True, limit=3)
    assert result.no_good_match
    assert all((h.inliers or 0) < 15 for h in result.hits)


def test_near_duplicates_are_told_apart_from_similar_works(sample: artscope.Collection,
                                                           sample_collection_dir: Path) -> None:
    from PIL import ImageEnhance

    original = Image.open(sample_collection_dir / "images" / "colosseum.jpg")
    copy = ImageEnhance.Brightness(original.resize((original.width * 3 // 5, original.height * 3 // 5))).enhance(1.1)
    buffer = io.BytesIO()
    copy.save(buffer, "JPEG", quality=50)  # another file of the same picture: smaller, brighter, recompressed
    result = sample.search(image=buffer.getvalue(), limit=5)
    assert result.hits[0].artwork.id == "colosseum" and result.hits[0].match == "near-duplicate"
    assert all(h.match == "similar" for h in result.hits[1:])
    exact = sample.search(image=str(sample_collection_dir / "images" / "colosseum.jpg"), limit=2)
    assert exact.hits[0].match == "exact" and exact.hits[1].match == "similar"


def test_a_photo_too_small_to_verify_is_refused_with_a_reason(sample: artscope.Collection) -> None:
    """A 1 x 1 or 4000 x 1 picture in identify mode answered 500: OpenCV's pyramid failed on it."""
    for size in ((1, 1), (4000, 1), (1, 3000), (2000, 60)):
        with pytest.raises(InvalidInputError, match=r"identify mode \(verify\) needs its shorter side"):
            sample.search(image=Image.new("RGB", size, "red"), verify=True, limit=3)


def test_a_picture_too_small_for_keypoints_has_none() -> None:
    """Stored images are verified too: a tiny one has no features instead of an OpenCV error."""
    noise = np.random.default_rng(0).integers(0, 255, (100, 100, 3), dtype=np.uint8)
    assert len(verify.features(Image.fromarray(noise)).keypoints) > 100  # the bound keeps real pictures
    for size in ((1, 1), (4000, 1), (3, 3)):
        found = verify.features(Image.new("RGB", size, "red"))
        assert len(found.keypoints) == 0 and found.descriptors is None
