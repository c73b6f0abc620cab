"""One image -> the builtin feature blocks and token vectors (one pass over a small working copy)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

from artscope.embedders.builtin import colour, structure
from artscope.embedders.builtin.prepare import image_planes
from artscope.embedders.builtin.tokens import token_vectors

BLOCKS = ("colour", "palette", "colourfulness", "light", "texture", "edges", "layout", "composition")
"""The hand-built blocks of the global vector, in order."""


@dataclass
class ImageFeatures:
    """Every block as a unit vector, plus the token vectors."""

    blocks: dict[str, np.ndarray]
    tokens: np.ndarray


def extract(image: Image.Image) -> ImageFeatures:
    """Compute all hand-built blocks and the tokens of one RGB image."""
    full, half = image_planes(image)
    colour_counts = colour.colour_tiles(half)
    light_counts = colour.lightness_tiles(half)
    full_texture = structure.texture_tiles(full)
    half_texture = structure.texture_tiles(half)
    blocks = {
        "colour": colour.colour_block(colour_counts),
        "palette": colour.palette_block(*colour.palette(half)),
        "colourfulness": colour.colourfulness_block(half, colour_counts),
        "light": colour.light_block(half, light_counts),
        "texture": structure.texture_block(full_texture, half_texture),
        "edges": structure.edges_block(full),
        "layout": structure.layout_block(colour.mean_lab_tiles(half)),
        "composition": structure.composition_block(half, image.width / max(image.height, 1)),
    }
    return ImageFeatures(blocks=blocks, tokens=token_vectors(colour_counts, light_counts, full_texture))
