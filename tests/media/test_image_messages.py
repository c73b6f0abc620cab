"""What a person is told when an image cannot be used: a plain sentence, and for too many pixels the
cap this installation applies (``max_pixels``), never Pillow's own decompression-bomb limit."""

from __future__ import annotations

import pytest
from PIL import Image

from artscope.errors import ImageLoadError
from artscope.media.images import decode_image
from artscope.testing import claimed_size_png


def refusal(data: bytes, max_pixels: int) -> str:
    with pytest.raises(ImageLoadError) as caught:
        decode_image(data, max_pixels=max_pixels)
    return str(caught.value)


def test_a_file_that_is_no_image_is_told_plainly() -> None:
    message = refusal(b"%PDF-1.4 a document", 64_000_000)
    assert message.startswith("The file is not an image artscope can open: use a JPEG, PNG")


def test_too_many_pixels_quotes_the_cap_of_this_installation() -> None:
    pillow_limit = Image.MAX_IMAGE_PIXELS
    for width, height in ((9_000, 8_000), (12_000, 8_000), (20_000, 20_000)):  # under, over, twice Pillow's
        message = refusal(claimed_size_png(width, height), 64_000_000)
        assert "over the limit of 64,000,000 pixels" in message, message
        assert f"{width} × {height} pixels" in message or f"{width * height:,} pixels" in message
        assert f"{pillow_limit:,}" not in message and str(pillow_limit) not in message
    # a cap raised above Pillow's own limit is the one that decides
    message = refusal(claimed_size_png(12_000, 8_000), 120_000_000)
    assert "over the limit" not in message and "corrupt or truncated" in message
