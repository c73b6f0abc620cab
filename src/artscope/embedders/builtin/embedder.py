"""The builtin embedder: hand-built art features (+ Magenta's style network) for images; MiniLM fused with
Google's multilingual universal sentence encoder for text.

Spec: ``builtin`` or ``builtin:OPTIONS`` with comma-separated options:

* ``nostyle`` — leave out the style network's block (13-16 ms of CPU an image less, weaker at telling
  paintings from photographs; see docs/embedders.md);
* ``english`` — text through the bundled MiniLM alone (384-d, English only): what ``builtin`` was
  before version 2, kept so that collections built then go on working;
* ``text=MODEL`` — encode text with another sentence-transformers model (a local directory, or a
  hub id already in the Hugging Face cache) instead. Last, as MODEL may hold commas.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image

from artscope.embedders.base import EmbedderInfo, ImageEmbeddings, l2_normalize
from artscope.embedders.builtin.features import BLOCKS, extract
from artscope.embedders.builtin.multilingual import MultilingualTextEncoder
from artscope.embedders.builtin.style import STYLE_DIM, submit_style_vectors
from artscope.embedders.builtin.text import TextEncoder
from artscope.embedders.builtin.tokens import TOKEN_COUNT, TOKEN_DIM
from artscope.embedders.builtin.vocabulary import MeasuredVocabulary
from artscope.errors import InvalidInputError

VERSION = "2"
"""2: text vectors fuse MiniLM with the multilingual universal sentence encoder (1: MiniLM alone,
today's ``english`` option; ``upgrade_info`` maps one to the other). Image vectors are unchanged."""

BLOCK_WEIGHTS: dict[str, float] = {
    "colour": 2.43, "palette": 3.01, "colourfulness": 2.63, "light": 3.02, "texture": 5.59,
    "edges": 3.13, "layout": 1.10, "composition": 4.06, "style": 8.25,
}
"""Each block is a unit vector; its weight w makes its say in a cosine w². The weights equalise the
spread (standard deviation) of each block's pairwise cosines over the sample collection (w = 1/sqrt
of it), so that a block whose cosines all sit near 0.95 (texture histograms) counts as much as one
ranging over [-1, 1] (layout). Two measured adjustments on top: layout x0.6 (it identifies the
picture but says nothing of its kind) and style x1.5. Recompute with
``python benchmarks/embed_builtin.py --quality``."""


@dataclass(frozen=True)
class BuiltinOptions:
    """What the spec's options ask for."""

    style: bool = True
    english: bool = False
    text: str | None = None

    @classmethod
    def parse(cls, arg: str) -> BuiltinOptions:
        """``"nostyle,text=/models/labse"`` -> options; unknown options are an ``InvalidInputError``."""
        style, english, text = True, False, None
        rest = arg.strip()
        while rest:
            if rest.startswith("text="):
                text, rest = rest[len("text="):].strip(), ""
                if not text:
                    raise InvalidInputError("'builtin:text=' needs a model: a local directory or a hub id.")
                continue
            option, _, rest = rest.partition(",")
            option, rest = option.strip(), rest.strip()
            if option == "nostyle":
                style = False
            elif option == "english":
                english = True
            elif option:
                raise InvalidInputError(
                    f"Unknown option {option!r} of the builtin embedder; the options are 'nostyle', 'english' "
                    f"and 'text=MODEL', e.g. 'builtin:nostyle,text=/models/labse'.")
        if english and text:
            raise InvalidInputError("'english' (the bundled MiniLM alone) and 'text=MODEL' both choose the text "
                                    "model of the builtin embedder: give one of them.")
        return cls(style=style, english=english, text=text)

    @property
    def spec(self) -> str:
        """The canonical spec string (what the manifest records)."""
        options = ([] if self.style else ["nostyle"]) + (["english"] if self.english else []) \
            + ([f"text={self.text}"] if self.text else [])
        return "builtin" + (":" + ",".join(options) if options else "")

    @property
    def image_spec(self) -> str:
        """The part of the spec that decides the image vectors."""
        return "builtin" if self.style else "builtin:nostyle"


@functools.cache
def block_dims() -> dict[str, int]:
    """Size of each hand-built block (measured on a tiny probe image, so it cannot drift from the code)."""
    probe = Image.fromarray(np.tile(np.arange(48, dtype=np.uint8)[:, None] * 5, (1, 40))).convert("RGB")
    return {name: int(vector.size) for name, vector in extract(probe).blocks.items()}


class BuiltinEmbedder:
    """Images -> art features (global [N, image_dim] + 21 tokens of 64); texts -> sentence vectors."""

    def __init__(self, options: BuiltinOptions | None = None, device: str | None = None) -> None:
        self.options = options or BuiltinOptions()
        self.device = device
        self.text_encoder: TextEncoder | MultilingualTextEncoder = (
            TextEncoder(self.options.text, device) if self.options.text or self.options.english
            else MultilingualTextEncoder(device))
        self.info = EmbedderInfo(spec=self.options.spec, image_dim=sum(self.block_sizes().values()),
                                 text_dim=self.text_encoder.dim, token_dim=TOKEN_DIM, max_tokens=TOKEN_COUNT,
                                 cross_modal=False, version=VERSION, images=self.options.image_spec,
                                 multilingual=isinstance(self.text_encoder, MultilingualTextEncoder))

    def block_sizes(self) -> dict[str, int]:
        """Size of each block of the global vector, in order."""
        return {**block_dims(), **({"style": STYLE_DIM} if self.options.style else {})}

    def block_slices(self) -> dict[str, slice]:
        """Where each block sits in the global vector (each holds BLOCK_WEIGHTS[name]² of its norm²,
        before the final normalisation)."""
        slices, start = {}, 0
        for name, dim in self.block_sizes().items():
            slices[name] = slice(start, start + dim)
            start += dim
        return slices

    @functools.cached_property
    def measured_words(self) -> MeasuredVocabulary:
        """The words its image measurements decide (night, snow, colours...): a text -> pixels signal."""
        return MeasuredVocabulary(self.block_slices(), self.info.image_dim)

    def embed_images(self, images: list[Image.Image]) -> ImageEmbeddings:
        """Global vectors [N, image_dim] and token vectors [N, 21, 64], all L2-normalised float32."""
        images = _checked_images(images)
        if not images:
            return ImageEmbeddings(np.zeros((0, self.info.image_dim), np.float32),
                                   np.zeros((0, TOKEN_COUNT, TOKEN_DIM), np.float32))
        style = submit_style_vectors(images, self.device) if self.options.style else None
        features = [extract(image) for image in images]
        parts = [np.stack([f.blocks[name] for f in features]) * BLOCK_WEIGHTS[name] for name in BLOCKS]
        if style is not None:
            parts.append(l2_normalize(style.result()) * BLOCK_WEIGHTS["style"])
        return ImageEmbeddings(global_vectors=l2_normalize(np.concatenate(parts, axis=1)),
                               tokens=np.stack([f.tokens for f in features]).astype(np.float32))

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """[N, text_dim] unit vectors (not in the image space: ``info.cross_modal`` is False)."""
        return self.text_encoder.encode(texts)


def upgrade_info(info: EmbedderInfo) -> EmbedderInfo:
    """A builtin info recorded by version 1 in today's terms: the same vectors are made by the same
    spec plus ``english`` (unless it named its own text model), version 2."""
    if info.version != "1":
        return info
    options = BuiltinOptions.parse(info.spec.partition(":")[2])
    if options.text is None:
        options = replace(options, english=True)
    return info.model_copy(update={"spec": options.spec, "version": VERSION, "images": options.image_spec})


def _checked_images(images: list[Image.Image]) -> list[Image.Image]:
    if isinstance(images, Image.Image):
        raise InvalidInputError("embed_images takes a list of images; wrap a single image in a list.")
    checked = []
    for i, image in enumerate(images):
        if not isinstance(image, Image.Image):
            raise InvalidInputError(f"Item {i} is a {type(image).__name__}, not a PIL image: load files "
                                    "with artscope.media.images.load_image first.")
        if image.width < 1 or image.height < 1:
            raise InvalidInputError(f"Item {i} is an empty ({image.width}x{image.height}) image.")
        checked.append(image if image.mode == "RGB" else image.convert("RGB"))
    return checked
