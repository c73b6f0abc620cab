"""Loading vision-language models by spec: from disk only, ``trust_remote_code`` as an explicit opt-in
(tested with a tiny model whose folder ships its own modelling code), and clear errors for what cannot load."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from artscope.config import get_settings
from artscope.errors import HeadNotTrainedError, InvalidInputError, ModelNotFoundError, UntrustedCodeError
from artscope.vlm import loading
from artscope.vlm.batches import Example
from artscope.vlm.loading import load_adapter, load_base, load_vlm
from artscope.vlm.store import WEIGHTS_NAME, AdapterMeta, read_adapter, save_adapter
from artscope.vlm.training import TrainOptions, fine_tune, load_for_training
from tiny_models import save_tiny_llava

pytestmark = pytest.mark.usefixtures("one_torch_thread")

CONFIGURATION = '''from transformers import LlavaConfig


class TinyVlmConfig(LlavaConfig):
    model_type = "tiny_custom_vlm"
'''
MODELING = '''from pathlib import Path

from transformers import LlavaForConditionalGeneration

from .configuration_tiny_vlm import TinyVlmConfig

Path({trace!r}).touch()  # a trace that the folder's code was executed


class TinyVlmForConditionalGeneration(LlavaForConditionalGeneration):
    config_class = TinyVlmConfig
'''


@pytest.fixture(scope="module")
def custom_code_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny Llava re-declared by modelling code in its own folder, as Q-Align's and ArtiMuse's are."""
    folder = save_tiny_llava(tmp_path_factory.mktemp("custom-code-vlm"))
    (folder / "configuration_tiny_vlm.py").write_text(CONFIGURATION, encoding="utf-8")
    (folder / "modeling_tiny_vlm.py").write_text(MODELING.format(trace=str(folder / "code-ran")), encoding="utf-8")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config.update(model_type="tiny_custom_vlm", architectures=["TinyVlmForConditionalGeneration"],
                  auto_map={"AutoConfig": "configuration_tiny_vlm.TinyVlmConfig",
                            "AutoModelForImageTextToText": "modeling_tiny_vlm.TinyVlmForConditionalGeneration"})
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.fixture()
def trust(monkeypatch: pytest.MonkeyPatch):
    """Turn the ``trust_remote_code`` setting on or off for one test."""
    def set_to(value: bool) -> None:
        monkeypatch.setenv("ARTSCOPE_TRUST_REMOTE_CODE", "true" if value else "false")
        get_settings.cache_clear()

    yield set_to
    monkeypatch.delenv("ARTSCOPE_TRUST_REMOTE_CODE", raising=False)
    get_settings.cache_clear()


def test_custom_code_is_refused_unless_the_setting_allows_it(custom_code_model: Path, trust, tmp_path: Path) -> None:
    trust(False)
    with pytest.raises(UntrustedCodeError, match="ARTSCOPE_TRUST_REMOTE_CODE=true") as caught:
        load_base(f"hf:{custom_code_model}")
    assert "modeling_tiny_vlm.py" in str(caught.value) and "trust_remote_code" in str(caught.value)
    assert not (custom_code_model / "code-ran").exists()

    trust(True)
    options = TrainOptions(epochs=1, batch_size=2, learning_rate=1e-2, lora_rank=4, lora_alpha=8)
    vlm, precision = load_for_training(f"hf:{custom_code_model}", options)
    assert type(vlm.model).__name__ == "TinyVlmForConditionalGeneration" and vlm.trust_remote_code
    assert (custom_code_model / "code-ran").exists()
    picture = tmp_path / "p.png"
    Image.new("RGB", (40, 40), (200, 30, 30)).save(picture)
    fine_tune(vlm, [Example("a", picture, "Who made this artwork?", "Ada Rossi")] * 2, options, precision)
    meta = AdapterMeta(kind="vlm-qa", task="qa", base=f"hf:{custom_code_model}", base_type="tiny_custom_vlm",
                       trust_remote_code=True)
    save_adapter(tmp_path / "adapter", vlm.model.save_pretrained, meta)
    assert load_vlm(f"adapter:{tmp_path / 'adapter'}").adapter.trust_remote_code

    trust(False)  # the adapter's base runs its own code too: refused again
    with pytest.raises(UntrustedCodeError, match="ARTSCOPE_TRUST_REMOTE_CODE"):
        load_vlm(f"adapter:{tmp_path / 'adapter'}")


def test_an_adapter_refuses_a_different_base(tiny_llava_dir: Path, tmp_path: Path) -> None:
    meta = AdapterMeta(kind="vlm-qa", task="qa", base=f"hf:{tiny_llava_dir}", base_type="qwen2_vl")
    (tmp_path / "adapter").mkdir()
    (tmp_path / "adapter" / "adapter_model.safetensors").write_bytes(b"")
    (tmp_path / "adapter" / "adapter.json").write_text(meta.model_dump_json(), encoding="utf-8")
    with pytest.raises(ModelNotFoundError, match="trained on a 'qwen2_vl' model"):
        load_vlm(f"adapter:{tmp_path / 'adapter'}")


def test_what_cannot_load_says_why(tiny_clip_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not an image-text-to-text model"):
        load_base(f"hf:{tiny_clip_dir}")
    with pytest.raises(ModelNotFoundError, match="not on this machine"):
        load_base("hf:nobody/no-such-vlm")
    with pytest.raises(InvalidInputError, match="hf:ID_OR_FOLDER or adapter:FOLDER"):
        load_vlm("clip:whatever")
    with pytest.raises(HeadNotTrainedError, match="artscope train vlm"):
        load_vlm(f"adapter:{tmp_path}")
    (tmp_path / "adapter.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "adapter_model.safetensors").write_bytes(b"")
    with pytest.raises(HeadNotTrainedError, match="damaged"):
        read_adapter(tmp_path)


def test_a_failed_save_leaves_the_previous_adapter(tmp_path: Path) -> None:
    directory = tmp_path / "heads" / "vlm-qa"
    meta = AdapterMeta(kind="vlm-qa", task="qa", base="hf:x", base_type="llava")

    def weights(version: bytes):
        return lambda folder: (folder / "adapter_model.safetensors").write_bytes(version)

    first = save_adapter(directory, weights(b"one"), meta)
    assert read_adapter(directory).version == first.version

    def broken(folder: Path) -> None:
        (folder / "adapter_model.safetensors").write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        save_adapter(directory, broken, meta)
    assert (directory / "adapter_model.safetensors").read_bytes() == b"one"
    assert [p.name for p in directory.parent.iterdir()] == ["vlm-qa"]
    shutil.rmtree(directory)


def test_an_adapter_replaced_while_it_loads_loads_as_one_version(tiny_llava_dir: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """``artscope train vlm`` saved a new adapter after a service had read the old ``adapter.json``: the
    service must not run the new weights under the old version (its scores would name the wrong one)."""
    import torch
    from peft import LoraConfig, get_peft_model, get_peft_model_state_dict
    from safetensors.torch import load_file

    directory = tmp_path / "heads" / "vlm-qa"
    meta = AdapterMeta(kind="vlm-qa", task="qa", base=f"hf:{tiny_llava_dir}", base_type="llava")

    def lora(seed: int):
        torch.manual_seed(seed)
        config = LoraConfig(r=2, target_modules=["q_proj"], init_lora_weights=False)
        return get_peft_model(load_base(meta.base).model, config).save_pretrained

    save_adapter(directory, lora(1), meta)
    read, replaced = loading.read_adapter, []

    def read_then_replace(folder: Path) -> AdapterMeta:
        first = read(folder)
        if not replaced:
            replaced.append(save_adapter(directory, lora(2), meta))
        return first

    monkeypatch.setattr(loading, "read_adapter", read_then_replace)
    vlm = load_adapter(directory)
    assert vlm.adapter == replaced[0]
    saved, loaded = load_file(str(directory / WEIGHTS_NAME)), get_peft_model_state_dict(vlm.model)
    assert saved and all(torch.equal(loaded[name], tensor) for name, tensor in saved.items())
