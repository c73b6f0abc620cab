"""Vision-language models by spec, from disk only: ``hf:<id or folder>`` (a transformers
image-text-to-text model) and ``adapter:<folder>`` (a fine-tuned adapter: its base model, found again
from the spec recorded at training time, with the adapter applied).

Any model ``AutoModelForImageTextToText`` loads works: Qwen2-VL / Qwen2.5-VL, LLaVA, LLaVA-NeXT,
InternVL (its transformers-native ``-hf`` checkpoints), PaliGemma, SmolVLM and the rest of that family.
A model folder whose code transformers does not have (``auto_map`` in its config.json) loads only when
the ``trust_remote_code`` setting allows it; otherwise the error names the setting.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from artscope.config import get_settings
from artscope.embedders.registry import parse_spec
from artscope.embedders.torch_common import (
    image_backend,
    load_pretrained,
    locate_model,
    model_dtype,
    require_transformers,
    resolve_device,
)
from artscope.errors import InvalidInputError, ModelNotFoundError, UntrustedCodeError
from artscope.heads.store import read_while_replaced, weights_version
from artscope.vlm.store import TRAIN_HINT, WEIGHTS_NAME, AdapterMeta, adapter_stamp, read_adapter

log = logging.getLogger(__name__)

SPEC_FORMS = "hf:ID_OR_FOLDER or adapter:FOLDER"


@dataclass
class Vlm:
    """A loaded model with its processor, where it runs, and its adapter's metadata if it has one."""

    spec: str
    model: Any
    processor: Any
    device: torch.device
    dtype: torch.dtype
    adapter: AdapterMeta | None = None
    trust_remote_code: bool = False
    """Whether the model runs code shipped in its own folder."""

    @property
    def tokenizer(self) -> Any:
        """The processor's tokenizer."""
        return getattr(self.processor, "tokenizer", self.processor)


def _config(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelNotFoundError(f"{folder / 'config.json'} cannot be read ({exc}); the folder must hold a "
                                 "model as `save_pretrained` writes it.") from exc


def trusted_code(folder: Path, spec: str) -> bool:
    """Whether loading the model in ``folder`` runs code of its own: False for models transformers knows;
    True for a folder with custom code when the ``trust_remote_code`` setting allows it; otherwise an
    ``UntrustedCodeError`` naming the setting."""
    from transformers import CONFIG_MAPPING

    config = _config(folder)
    if not config.get("auto_map") or config.get("model_type") in CONFIG_MAPPING:
        return False
    if get_settings().trust_remote_code:
        log.warning("running the model code shipped in %s (trust_remote_code is on)", folder)
        return True
    files = sorted({str(v).split(".")[0] + ".py" for v in config["auto_map"].values() if isinstance(v, str)})
    raise UntrustedCodeError(
        f"{spec!r}: the model in {folder} ships its own Python code ({', '.join(files)}), which artscope "
        "runs only when allowed. If you trust its source, set ARTSCOPE_TRUST_REMOTE_CODE=true (the "
        "`trust_remote_code` setting) and retry."
    )


def load_base(spec: str, device: str | None = None, dtype: torch.dtype | None = None) -> Vlm:
    """The model and processor an ``hf:`` spec names, on ``device`` (default: the best available) in
    ``dtype`` (default: bf16 on a GPU, fp32 on a CPU)."""
    backend, arg = parse_spec(spec)
    if backend != "hf":
        raise InvalidInputError(f"A base model is named as hf:ID_OR_FOLDER, not {spec!r}.")
    folder = locate_model(spec, arg)
    require_transformers(spec, "train")
    from transformers import AutoModelForImageTextToText, AutoProcessor

    trust = trusted_code(folder, spec)
    if not sys.stderr.isatty():  # progress bars only on a terminal
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
    resolved = resolve_device(device)
    dtype = dtype or model_dtype(resolved)
    processor = load_pretrained(AutoProcessor.from_pretrained, folder, spec, backend=image_backend(),
                                trust_remote_code=trust)
    try:
        model = load_pretrained(AutoModelForImageTextToText.from_pretrained, folder, spec, dtype=dtype,
                                trust_remote_code=trust)
    except ModelNotFoundError as exc:
        if "Unrecognized configuration class" in str(exc):
            raise InvalidInputError(
                f"{spec!r} is not an image-text-to-text model (transformers' AutoModelForImageTextToText "
                "does not load it); name a vision-language model such as Qwen2-VL, LLaVA, LLaVA-NeXT, "
                "InternVL (-hf), PaliGemma or SmolVLM."
            ) from exc
        raise
    return Vlm(spec, model.to(resolved), processor, resolved, dtype, trust_remote_code=trust)


def load_vlm(spec: str, device: str | None = None) -> Vlm:
    """A model for inference: ``hf:...`` as it is, ``adapter:FOLDER`` with its fine-tuned adapter."""
    backend, arg = parse_spec(spec)
    if backend == "hf":
        vlm = load_base(spec, device)
    elif backend == "adapter":
        vlm = load_adapter(Path(arg).expanduser(), device)
    else:
        raise InvalidInputError(f"Unknown vision-language model spec {spec!r}; use {SPEC_FORMS}.")
    vlm.model.eval()
    return vlm


def cached_vlm(spec: str, device: str | None = None) -> Vlm:
    """``load_vlm``, once per process for each spec (and again after an adapter has been retrained)."""
    backend, arg = parse_spec(spec)
    return _cached(spec, device, adapter_stamp(Path(arg).expanduser()) if backend == "adapter" else None)


@functools.lru_cache(maxsize=2)
def _cached(spec: str, device: str | None, stamp: int | None) -> Vlm:
    return load_vlm(spec, device)


def load_adapter(folder: Path, device: str | None = None) -> Vlm:
    """A fine-tuned adapter on the base model it was trained from (read again if a training run replaces it
    meanwhile: the weights and ``adapter.json`` of one version)."""
    return read_while_replaced(folder, functools.partial(_load_adapter_once, folder, device), "The adapter",
                               TRAIN_HINT)


def _load_adapter_once(folder: Path, device: str | None) -> Vlm | None:
    """The adapter, or None when its folder was replaced while it loaded."""
    meta = read_adapter(folder)
    vlm = load_base(meta.base, device)
    model_type = getattr(vlm.model.config, "model_type", "")
    if model_type != meta.base_type:
        raise ModelNotFoundError(
            f"The adapter in {folder} was trained on a {meta.base_type!r} model, but {meta.base!r} now "
            f"loads a {model_type!r} model; put the base model it was trained on back, or retrain."
        )
    from peft import PeftModel

    vlm.model = PeftModel.from_pretrained(vlm.model, str(folder), is_trainable=False).to(vlm.device)
    vlm.spec, vlm.adapter = f"adapter:{folder}", meta
    # the folder still holds the version whose adapter.json was read, so peft read that version's weights
    # (an adapter.json written by hand may name no version)
    unchanged = not meta.version or weights_version((folder / WEIGHTS_NAME).read_bytes()) == meta.version
    return vlm if unchanged else None
