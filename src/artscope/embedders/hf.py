"""``hf:<hub id or folder>``: CLIP, SigLIP and SigLIP 2 dual encoders through transformers.

Images and texts land in one space (``get_image_features`` / ``get_text_features``), so text finds
pixels. Each image also gets :data:`~artscope.embedders.torch_common.TOKEN_GRID` token vectors: the
vision tower's last patch states (through CLIP's post-layernorm and visual projection, so they live
in the same space as the global vector; SigLIP's are used as they are, already layer-normed),
normalised one by one and averaged over a fixed grid of cells.

Why a spatial grid and not the highest-norm tokens: ViTs put a few very high-norm "register"
tokens on background patches that carry global rather than local content (Darcet et al., 2024,
"Vision Transformers Need Registers"), so a top-by-norm cut keeps artefacts and drops regions.
Cells cover the whole picture, mean the same region in every image, and cost one batched product.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PIL import Image

from artscope.embedders.base import EmbedderInfo
from artscope.embedders.registry import embedders
from artscope.embedders.torch_common import (
    TOKEN_GRID,
    BatchedEmbedder,
    grid_pool,
    image_backend,
    load_pretrained,
    locate_model,
    require_transformers,
    to_device,
    to_numpy,
)
from artscope.errors import InvalidInputError

if TYPE_CHECKING:
    from transformers import PreTrainedModel

log = logging.getLogger(__name__)

_PROBE_TEXT = "a painting"

FULL_LENGTH_TEXT = frozenset({"siglip", "siglip2"})
"""Model types whose text tower pools the last position and was trained on texts padded to its full
length (64 tokens), so the padding is part of the model. CLIP-like towers pool at the end-of-text
token under a causal mask: padding changes nothing there but the cost (measured here: the CLIP
B/32 text tower runs half as fast at 77 tokens as at 16)."""


class HFEmbedder(BatchedEmbedder):
    """A transformers dual encoder (CLIP, SigLIP, SigLIP 2) behind the :class:`Embedder` protocol."""

    def __init__(self, spec: str, folder: Path, device: str | None = None) -> None:
        from transformers import AutoImageProcessor, AutoModel, AutoTokenizer

        super().__init__(device)
        self.image_processor = load_pretrained(AutoImageProcessor.from_pretrained, folder, spec,
                                               backend=image_backend())
        self.tokenizer = load_pretrained(AutoTokenizer.from_pretrained, folder, spec)
        model = load_pretrained(AutoModel.from_pretrained, folder, spec, dtype=self.dtype)
        self.model: PreTrainedModel = model.to(self.device).eval()
        _check_dual_encoder(self.model, spec)
        trained_length = self.model.config.get_text_config().max_position_embeddings
        self.text_length = min(trained_length, self.tokenizer.model_max_length)
        full_length = self.model.config.model_type in FULL_LENGTH_TEXT
        self.text_padding = "max_length" if full_length else "longest"
        self.patch_size = int(self.model.config.vision_config.patch_size)
        self.info = self._probe_info(spec)
        log.info("Loaded %s on %s (%s): %s", spec, self.device, self.dtype, self.info)

    def _probe_info(self, spec: str) -> EmbedderInfo:
        # Dimensions differ by family (CLIP projects, SigLIP pools by attention); one tiny forward
        # reads them off the outputs and proves the model runs before any collection depends on it.
        with torch.inference_mode():
            global_vectors, tokens = self._image_batch([Image.new("RGB", (32, 32), "white")])
            text_vectors = self._text_batch([_PROBE_TEXT])
        return EmbedderInfo(
            spec=spec,
            image_dim=global_vectors.shape[1],
            text_dim=text_vectors.shape[1],
            token_dim=tokens.shape[2],
            max_tokens=tokens.shape[1],
            cross_modal=True,
        )

    def _image_batch(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray]:
        pixels = self.image_processor(images=list(images), return_tensors="pt")
        inputs = to_device(pixels, self.device, self.dtype)
        out = self.model.get_image_features(**inputs)
        global_vectors = torch.nn.functional.normalize(out.pooler_output.float(), dim=-1)
        return to_numpy(global_vectors), to_numpy(self._patch_tokens(out.last_hidden_state, inputs))

    def _text_batch(self, texts: Sequence[str]) -> np.ndarray:
        encoded = self.tokenizer(list(texts), padding=self.text_padding, max_length=self.text_length,
                                 truncation=True, return_tensors="pt")
        features = self.model.get_text_features(**to_device(encoded, self.device, self.dtype))
        return to_numpy(torch.nn.functional.normalize(features.pooler_output.float(), dim=-1))

    def _patch_tokens(self, hidden: torch.Tensor, inputs: dict[str, Any]) -> torch.Tensor:
        projection = getattr(self.model, "visual_projection", None)
        if projection is not None:
            # CLIP applies post-layernorm and projection to the CLS state only; doing the same to
            # every patch puts the tokens in the space of the global vector.
            hidden = projection(self.model.vision_model.post_layernorm(hidden))
        # Normalise each patch before pooling so that a few high-norm patches cannot own a cell.
        hidden = torch.nn.functional.normalize(hidden.float(), dim=-1)
        is_patch, grid_hw = self._patch_layout(hidden, inputs)
        return torch.nn.functional.normalize(grid_pool(hidden, is_patch, grid_hw, TOKEN_GRID), dim=-1)

    def _patch_layout(self, hidden: torch.Tensor,
                      inputs: dict[str, Any]) -> tuple[torch.Tensor, torch.Tensor]:
        """Which positions hold patches, and each image's patch grid."""
        if "spatial_shapes" in inputs:
            # SigLIP 2 (NaFlex): each image keeps its aspect ratio; padding patches are masked.
            return inputs["pixel_attention_mask"].bool(), inputs["spatial_shapes"]
        n, length = hidden.shape[:2]
        h, w = (size // self.patch_size for size in inputs["pixel_values"].shape[-2:])
        prefix = length - h * w  # CLIP's CLS state comes first; SigLIP has none
        is_patch = (torch.arange(length, device=hidden.device) >= prefix).expand(n, length)
        grid_hw = torch.tensor([[h, w]], device=hidden.device).expand(n, 2)
        return is_patch, grid_hw


def _check_dual_encoder(model: PreTrainedModel, spec: str) -> None:
    if not (hasattr(model, "get_image_features") and hasattr(model, "get_text_features")):
        raise InvalidInputError(
            f"Embedder {spec!r} loads a {type(model).__name__} (model type "
            f"{model.config.model_type!r}), which has no image and text towers. The hf backend takes "
            f"CLIP, SigLIP and SigLIP 2 models; use 'colpali:' for ColQwen2 and ColPali."
        )


@embedders.register("hf")
def create_hf(arg: str, device: str | None = None) -> HFEmbedder:
    """``hf:<hub id or folder>``, e.g. ``hf:google/siglip2-base-patch16-224``; weights must be on disk."""
    spec = f"hf:{arg}"
    folder = locate_model(spec, arg)
    require_transformers(spec, "hf")
    return HFEmbedder(spec, folder, device)
