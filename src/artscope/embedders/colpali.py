"""``colpali:<hub id or folder>``: ColQwen2 and ColPali late interaction through transformers' own
``ColQwen2ForRetrieval`` / ``ColPaliForRetrieval`` (e.g. ``colpali:vidore/colqwen2-v1.0-hf``).

These models give one normalised vector per input token. For an image, the vectors at the image
tokens are its multi-vector embedding; ColQwen2 yields a few hundred of them (Qwen2-VL's merged
28 px patches), ColPali 1,024 (a 32x32 grid). To keep the per-artwork storage budget fixed they are
averaged over the fixed grid of :data:`~artscope.embedders.torch_common.TOKEN_GRID` cells, the same
pooling the ``hf`` backend uses:

* the image tokens sit on a known patch grid (``image_grid_thw`` for ColQwen2, a square for ColPali),
  so a cell is an exact region of the picture, and cell k means the same region in every image;
* it is deterministic and batched: one product for the whole batch, no per-image clustering;
* the collection later clusters these tokens into a few ``pooled`` vectors for the first stage of
  late interaction (``pool_tokens``); clustering here as well would cluster twice.
What it gives up: fine detail such as small lettering, which matters more on documents (ColPali's
home ground) than on paintings; k-means merging keeps more of it at the same count.

The global image vector is the normalised mean of all image-token vectors; a text's global vector
is the normalised mean of its query-token vectors (``embed_texts``, for dense search), and
``embed_text_tokens`` gives the query tokens themselves for MaxSim against the stored tokens.
"""

from __future__ import annotations

import logging
import math
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
    batches,
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

RETRIEVAL_MODELS = {"colqwen2": "ColQwen2ForRetrieval", "colpali": "ColPaliForRetrieval"}
"""transformers model type -> its native late-interaction class."""


class ColPaliEmbedder(BatchedEmbedder):
    """A ColQwen2 or ColPali retriever behind the :class:`Embedder` protocol, plus query tokens."""

    def __init__(self, spec: str, folder: Path, device: str | None = None) -> None:
        import transformers

        super().__init__(device)
        config = load_pretrained(transformers.AutoConfig.from_pretrained, folder, spec)
        if config.model_type not in RETRIEVAL_MODELS:
            raise InvalidInputError(
                f"Embedder {spec!r} loads a {config.model_type!r} model; the colpali backend takes "
                f"{' and '.join(RETRIEVAL_MODELS)} retrievers (e.g. vidore/colqwen2-v1.0-hf). "
                f"Use 'hf:' for CLIP and SigLIP."
            )
        model_class = getattr(transformers, RETRIEVAL_MODELS[config.model_type])
        self.processor = load_pretrained(transformers.AutoProcessor.from_pretrained, folder, spec,
                                         backend=image_backend())
        model = load_pretrained(model_class.from_pretrained, folder, spec, dtype=self.dtype)
        self.model: PreTrainedModel = model.to(self.device).eval()
        self.image_token_id = int(self.processor.image_token_id)
        dim = int(self.model.config.embedding_dim)
        self.info = EmbedderInfo(spec=spec, image_dim=dim, text_dim=dim, token_dim=dim,
                                 max_tokens=TOKEN_GRID[0] * TOKEN_GRID[1], cross_modal=True)
        log.info("Loaded %s on %s (%s): %s", spec, self.device, self.dtype, self.info)

    @torch.inference_mode()
    def embed_text_tokens(self, texts: list[str]) -> list[np.ndarray]:
        """Each query's token vectors [n_i, d] (unit length, padding dropped), for MaxSim scoring."""
        out: list[np.ndarray] = []
        for batch in batches(texts, self.batch_size):
            vectors, mask = self._query_tokens(batch)
            host, keep = to_numpy(vectors), mask.bool().cpu().numpy()
            out.extend(rows[valid] for rows, valid in zip(host, keep, strict=True))
        return out

    def _image_batch(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, np.ndarray]:
        inputs = to_device(self.processor(images=list(images), return_tensors="pt"), self.device, self.dtype)
        vectors = self.model(**inputs).embeddings
        is_patch = inputs["input_ids"] == self.image_token_id
        global_vectors = _masked_mean(vectors, is_patch)
        pooled = grid_pool(vectors, is_patch, self._patch_grid(inputs, is_patch), TOKEN_GRID)
        tokens = torch.nn.functional.normalize(pooled, dim=-1)
        return to_numpy(global_vectors), to_numpy(tokens)

    def _patch_grid(self, inputs: dict[str, Any], is_patch: torch.Tensor) -> torch.Tensor:
        """Each image's grid of image tokens (rows, columns) [B, 2]."""
        if "image_grid_thw" in inputs:
            # ColQwen2: the vision tower merges merge_size x merge_size patches into one token.
            merge = int(self.processor.image_processor.merge_size)
            return inputs["image_grid_thw"][:, 1:] // merge
        # ColPali: PaliGemma resizes every image to one square and emits a square token grid.
        side = math.isqrt(int(is_patch[0].sum()))
        return torch.tensor([[side, side]], device=is_patch.device).expand(is_patch.shape[0], 2)

    def _text_batch(self, texts: Sequence[str]) -> np.ndarray:
        # The global text vector, for dense search: the normalised mean of the query's token vectors.
        vectors, mask = self._query_tokens(texts)
        return to_numpy(_masked_mean(vectors, mask))

    def _query_tokens(self, texts: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor]:
        inputs = to_device(self.processor(text=list(texts), return_tensors="pt"), self.device, self.dtype)
        return self.model(**inputs).embeddings, inputs["attention_mask"]


def _masked_mean(vectors: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The normalised mean of the vectors where ``mask`` is set: [B, L, d], [B, L] -> [B, d]."""
    weights = mask.float().unsqueeze(-1)
    mean = (vectors.float() * weights).sum(dim=1) / weights.sum(dim=1).clamp_min(1.0)
    return torch.nn.functional.normalize(mean, dim=-1)


@embedders.register("colpali")
def create_colpali(arg: str, device: str | None = None) -> ColPaliEmbedder:
    """``colpali:<hub id or folder>``, e.g. ``colpali:vidore/colqwen2-v1.0-hf``; weights must be on disk."""
    spec = f"colpali:{arg}"
    folder = locate_model(spec, arg)
    require_transformers(spec, "colpali")
    return ColPaliEmbedder(spec, folder, device)
