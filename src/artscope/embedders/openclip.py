"""``open_clip:<arch>/<pretrained tag or file>``, ``open_clip:hf-hub:<id>`` or ``open_clip:<folder>``:
OpenCLIP models (an optional extra).

open_clip imports torchvision at import time, and torchvision has no CPU build that matches the
torch artscope pins, so this module imports open_clip only inside the factory and turns a failed
import into an error that says what to install. Weights are read from disk only: a pretrained tag is
resolved to the file open_clip would download and looked up in the Hugging Face cache, an
``hf-hub:`` id to its cached snapshot, which is then loaded as a local folder (``local-dir:``).

OpenCLIP models expose no uniform patch-token output, so this backend stores global vectors only
(``tokens`` is None): search works, late-interaction rerank does not.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import torch
from huggingface_hub import try_to_load_from_cache
from PIL import Image

from artscope.embedders.base import EmbedderInfo
from artscope.embedders.registry import embedders
from artscope.embedders.torch_common import BatchedEmbedder, locate_model, not_downloaded, to_numpy
from artscope.errors import ModelNotFoundError

log = logging.getLogger(__name__)

HF_HUB = "hf-hub:"
LOCAL_DIR = "local-dir:"
CONFIG_FILE = "open_clip_config.json"
HUB_WEIGHT_FILES = ("open_clip_model.safetensors", "open_clip_pytorch_model.bin")
"""What open_clip downloads for a pretrained tag whose ``hf_hub`` entry names no file, in its order."""


def import_open_clip(spec: str) -> ModuleType:
    """open_clip, or ModelNotFoundError saying how to install a working one."""
    try:
        import open_clip
    # Any failure here means the extra is unusable: ImportError when it is absent, RuntimeError
    # ("operator torchvision::nms does not exist") when torchvision does not match torch.
    except Exception as exc:
        raise ModelNotFoundError(
            f"Embedder {spec!r} needs open_clip, which could not be imported ({type(exc).__name__}: "
            f"{exc}). `pip install 'artscope[open_clip]'` needs a torchvision build that matches the "
            f"installed torch ({torch.__version__}); there is no CPU-only one for this torch, so on "
            f"CPU machines use 'hf:' (CLIP, SigLIP) instead."
        ) from exc
    return open_clip


class OpenClipEmbedder(BatchedEmbedder):
    """An OpenCLIP model behind the :class:`Embedder` protocol (global vectors only)."""

    def __init__(self, spec: str, model_name: str, load_kwargs: dict[str, Any], open_clip: ModuleType,
                 device: str | None = None) -> None:
        super().__init__(device)
        precision = "pure_bf16" if self.dtype == torch.bfloat16 else "fp32"
        try:
            model, _, self.preprocess = open_clip.create_model_and_transforms(
                model_name, precision=precision, device=self.device, **load_kwargs)
            self.tokenizer = open_clip.get_tokenizer(model_name)
        except (OSError, RuntimeError, ValueError, KeyError) as exc:
            raise ModelNotFoundError(f"Could not load embedder {spec!r}: {exc}") from exc
        self.model = model.eval()
        # One tiny forward reads the dimensions off the outputs and proves the model runs.
        with torch.inference_mode():
            image_dim = self._image_batch([Image.new("RGB", (32, 32), "white")])[0].shape[1]
            text_dim = self._text_batch(["a painting"]).shape[1]
        self.info = EmbedderInfo(spec=spec, image_dim=image_dim, text_dim=text_dim, cross_modal=True)
        log.info("Loaded %s on %s (%s): %s", spec, self.device, self.dtype, self.info)

    def _image_batch(self, images: Sequence[Image.Image]) -> tuple[np.ndarray, None]:
        # open_clip's preprocessing is a torchvision transform of one image; stacking is the batch.
        pixels = torch.stack([self.preprocess(image) for image in images]).to(self.device, self.dtype)
        return to_numpy(self.model.encode_image(pixels, normalize=True)), None

    def _text_batch(self, texts: Sequence[str]) -> np.ndarray:
        tokens = self.tokenizer(list(texts)).to(self.device)
        return to_numpy(self.model.encode_text(tokens, normalize=True))


def _tag_checkpoint(spec: str, arch: str, tag: str, open_clip: ModuleType) -> tuple[str, dict[str, Any]]:
    """The cached file a pretrained tag names, and the preprocessing and activation it was trained with."""
    cfg = open_clip.get_pretrained_cfg(arch, tag)
    if not cfg:
        known = ", ".join(open_clip.list_pretrained_tags_by_model(arch)) or "none"
        raise ModelNotFoundError(
            f"OpenCLIP has no pretrained tag {tag!r} for {arch!r} (embedder {spec!r}); known tags: "
            f"{known}. To load your own checkpoint, name it by path: 'open_clip:{arch}//path/to/file'."
        )
    # Loading the tag's file by path skips open_clip's tag lookup, so pass on what the tag implies.
    overrides: dict[str, Any] = {"force_quick_gelu": bool(cfg.get("quick_gelu", False))}
    preprocessing = ("mean", "std", "interpolation", "resize_mode")
    overrides.update({f"image_{key}": cfg[key] for key in preprocessing if key in cfg})
    if cfg.get("file"):
        return str(cfg["file"]), overrides
    # As open_clip's own download: "owner/repo/" means its default files, "owner/repo/file" that file.
    repo_id, filename = os.path.split(str(cfg.get("hf_hub", "")))
    for candidate in (filename,) if filename else HUB_WEIGHT_FILES:
        cached = try_to_load_from_cache(repo_id, candidate) if repo_id else None
        if isinstance(cached, str):
            return cached, overrides
    raise ModelNotFoundError(
        not_downloaded(spec, repo_id or f"{arch}/{tag}", f"open_clip:{arch}//path/to/checkpoint", filename)
    )


def _local_dir(spec: str, folder: Path) -> str:
    """``local-dir:<folder>`` once the folder holds a config and weights.

    open_clip builds a randomly initialised model, with only a warning, from a folder whose weights
    are missing (a half-copied cache); here that is an error.
    """
    weights = [p for pattern in ("*.safetensors", "*.bin", "*.pth") for p in folder.glob(pattern)]
    if not (folder / CONFIG_FILE).is_file() or not weights:
        raise ModelNotFoundError(
            f"{folder} (embedder {spec!r}) lacks {CONFIG_FILE} or the weights "
            f"({' or '.join(HUB_WEIGHT_FILES)}); copy the whole downloaded model folder."
        )
    return LOCAL_DIR + str(folder)


def resolve(spec: str, arg: str, open_clip: ModuleType) -> tuple[str, dict[str, Any]]:
    """The model name and keyword arguments that make open_clip load ``arg`` from local files only."""
    if arg.startswith(HF_HUB):
        return _local_dir(spec, locate_model(spec, arg[len(HF_HUB):], marker=CONFIG_FILE)), {}
    if Path(arg).expanduser().is_dir():
        return _local_dir(spec, Path(arg).expanduser()), {}
    arch, _, pretrained = arg.partition("/")
    if not arch or not pretrained:
        raise ModelNotFoundError(
            f"Embedder {spec!r} does not name a model; use 'open_clip:<arch>/<pretrained tag or file>' "
            f"(e.g. 'open_clip:ViT-B-32/laion2b_s34b_b79k'), 'open_clip:hf-hub:<id>' or 'open_clip:<folder>'."
        )
    if arch not in open_clip.list_models():
        raise ModelNotFoundError(f"OpenCLIP knows no architecture {arch!r} (embedder {spec!r}).")
    if Path(pretrained).expanduser().is_file():
        return arch, {"pretrained": str(Path(pretrained).expanduser())}
    checkpoint, overrides = _tag_checkpoint(spec, arch, pretrained, open_clip)
    return arch, {"pretrained": checkpoint, **overrides}


@embedders.register("open_clip")
def create_open_clip(arg: str, device: str | None = None) -> OpenClipEmbedder:
    """``open_clip:ViT-B-32/laion2b_s34b_b79k``, ``open_clip:hf-hub:<id>`` or ``open_clip:<folder>``."""
    spec = f"open_clip:{arg}"
    open_clip = import_open_clip(spec)
    model_name, load_kwargs = resolve(spec, arg, open_clip)
    return OpenClipEmbedder(spec, model_name, load_kwargs, open_clip, device)
