"""Tiny random-init models saved the way users get them (``save_pretrained`` folders), built offline
(fixtures shared by the whole suite through tests/conftest.py).

Each builder writes a folder that holds config.json, model.safetensors, the image processor and a
tokenizer made in memory with ``tokenizers``, then the backends load it exactly as they load a hub
download. Session-scoped: building and saving takes well under a second each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

WORDS = ["a", "an", "the", "of", "with", "painting", "portrait", "landscape", "sea", "ship", "storm", "woman",
         "man", "cat", "dog", "flowers", "night"]


def _word_tokenizer(specials: list[str], model_max_length: int):  # -> PreTrainedTokenizerFast
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate([*specials, *WORDS])}
    tokenizer = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token="<pad>", unk_token="<unk>",
                                   eos_token="</s>", model_max_length=model_max_length)


def _byte_vocab(suffixes: tuple[str, ...]) -> dict[str, int]:
    # Byte-level BPE with no merges: every byte is a token, as in CLIP's and Qwen's alphabets.
    from transformers.convert_slow_tokenizer import bytes_to_unicode

    vocab: dict[str, int] = {}
    for suffix in suffixes:
        for char in bytes_to_unicode().values():
            vocab.setdefault(char + suffix, len(vocab))
    return vocab


def _vision(**extra: int) -> dict[str, int]:
    return dict(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                patch_size=8, **extra)


def _text(vocab_size: int, max_positions: int, **ids: int | None) -> dict[str, int | None]:
    return dict(vocab_size=vocab_size, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                num_attention_heads=2, max_position_embeddings=max_positions, **ids)


@pytest.fixture(scope="session")
def tiny_clip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CLIP: 64 px images in 8 px patches (an 8x8 grid plus CLS), projection dim 24."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPTokenizer

    torch.manual_seed(0)
    bytes_vocab = {token: i + 2 for token, i in _byte_vocab(("", "</w>")).items()}
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, **bytes_vocab}
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[])
    config = CLIPConfig(text_config=_text(len(vocab), 77, bos_token_id=0, eos_token_id=1, pad_token_id=1),
                        vision_config=_vision(image_size=64), projection_dim=24)
    folder = tmp_path_factory.mktemp("tiny-clip")
    CLIPModel(config).save_pretrained(folder)
    # Saved as "CLIPImageProcessor", as on the hub: without torchvision it loads the PIL fallback.
    image_processor = CLIPImageProcessor(size={"shortest_edge": 64}, crop_size={"height": 64, "width": 64})
    image_processor.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_siglip_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SigLIP: 64 px images, an 8x8 patch grid without CLS, text trained at 64 tokens."""
    import torch
    from transformers import SiglipConfig, SiglipImageProcessor, SiglipModel

    torch.manual_seed(0)
    tokenizer = _word_tokenizer(["<pad>", "<unk>", "</s>"], model_max_length=64)
    text = _text(len(tokenizer), 64, pad_token_id=0, eos_token_id=2, bos_token_id=None)
    config = SiglipConfig(text_config=text, vision_config=_vision(image_size=64))
    folder = tmp_path_factory.mktemp("tiny-siglip")
    SiglipModel(config).save_pretrained(folder)
    SiglipImageProcessor(size={"height": 64, "width": 64}).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_siglip2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SigLIP 2 (NaFlex): images keep their aspect ratio in at most 64 patches of 8 px."""
    import torch
    from transformers import Siglip2Config, Siglip2ImageProcessor, Siglip2Model

    torch.manual_seed(0)
    tokenizer = _word_tokenizer(["<pad>", "<unk>", "</s>"], model_max_length=64)
    text = _text(len(tokenizer), 64, pad_token_id=0, eos_token_id=2, bos_token_id=None)
    config = Siglip2Config(text_config=text, vision_config=_vision(num_patches=64))
    folder = tmp_path_factory.mktemp("tiny-siglip2")
    Siglip2Model(config).save_pretrained(folder)
    Siglip2ImageProcessor(patch_size=8, max_num_patches=64).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_colqwen2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ColQwen2 over a 2-layer Qwen2-VL: 28 px merged patches, images of 56-224 px, 16-d embeddings."""
    import torch
    from transformers import ColQwen2Config, ColQwen2ForRetrieval, ColQwen2Processor, Qwen2Tokenizer
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    torch.manual_seed(0)
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                "<|image_pad|>", "<|video_pad|>"]
    vocab = _byte_vocab(("",))
    ids = {token: len(vocab) + i for i, token in enumerate(specials)}
    tokenizer = Qwen2Tokenizer(vocab={**vocab, **ids}, merges=[])
    tokenizer.add_special_tokens({"additional_special_tokens": specials[1:]})
    rope = {"rope_type": "default", "mrope_section": [4, 2, 2], "rope_theta": 10000.0}
    text = dict(vocab_size=len(vocab) + len(specials), hidden_size=32, intermediate_size=64,
                num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, rope_parameters=rope,
                bos_token_id=None, eos_token_id=ids["<|endoftext|>"], pad_token_id=ids["<|endoftext|>"])
    vision = dict(depth=2, embed_dim=32, hidden_size=32, num_heads=2, patch_size=14, spatial_merge_size=2,
                  temporal_patch_size=2)
    vlm = dict(model_type="qwen2_vl", text_config=text, vision_config=vision,
               image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
               vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])
    folder = tmp_path_factory.mktemp("tiny-colqwen2")
    ColQwen2ForRetrieval(ColQwen2Config(vlm_config=vlm, embedding_dim=16)).save_pretrained(folder)
    image_processor = Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=224 * 224)
    processor = ColQwen2Processor(image_processor=image_processor, tokenizer=tokenizer)
    processor.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_colpali_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """ColPali over a 2-layer PaliGemma: 48 px images in 8 px patches, a 6x6 grid of image tokens."""
    import torch
    from transformers import ColPaliConfig, ColPaliForRetrieval, ColPaliProcessor, SiglipImageProcessor

    torch.manual_seed(0)
    specials = ["<pad>", "<unk>", "</s>", "<bos>", "<image>", "Question:", "Describe", "image."]
    tokenizer = _word_tokenizer(specials, model_max_length=512)
    tokenizer.add_special_tokens({"bos_token": "<bos>", "additional_special_tokens": ["<image>"]})
    ids = {token: tokenizer.convert_tokens_to_ids(token) for token in ("<pad>", "</s>", "<bos>", "<image>")}
    text = dict(model_type="gemma", vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64,
                num_hidden_layers=2, num_attention_heads=2, num_key_value_heads=1, head_dim=16,
                pad_token_id=ids["<pad>"], bos_token_id=ids["<bos>"], eos_token_id=ids["</s>"])
    vision = dict(model_type="siglip_vision_model", projection_dim=32, **_vision(image_size=48))
    vlm = dict(model_type="paligemma", image_token_id=ids["<image>"], text_config=text, vision_config=vision,
               projection_dim=32, hidden_size=32)
    folder = tmp_path_factory.mktemp("tiny-colpali")
    ColPaliForRetrieval(ColPaliConfig(vlm_config=vlm, embedding_dim=16)).save_pretrained(folder)
    image_processor = SiglipImageProcessor(size={"height": 48, "width": 48})
    image_processor.image_seq_length = 36  # (48 / 8) ** 2 image tokens
    ColPaliProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def paintings() -> list[Image.Image]:
    """Five small synthetic pictures of different sizes and aspect ratios, RGB."""
    rng = np.random.default_rng(7)
    sizes = [(80, 100), (100, 100), (40, 120), (150, 60), (64, 64)]
    return [Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for h, w in sizes]


# -- vision-language models (image-text-to-text) ---------------------------------------------------
VLM_WORDS = [
    "USER", "ASSISTANT", ":", "?", ".", ",", "How", "would", "you", "rate", "the", "aesthetics", "of", "this",
    "image", "The", "is", "excellent", "good", "fair", "poor", "bad", "Who", "made", "painted", "What", "title",
    "artwork", "When", "was", "it", "Where", "material", "medium", "type", "object", "style", "Ada", "Rossi",
    "Ben", "Blau", "Cai", "Verde", "Dora", "Gold", "by", "in", "a", "painting", "and",
    "Describe", "called", "artist", "Which", "museum", "holds", "are", "dimensions", "credit", "line", "Landscape",
    "Portrait", "Still", "Life", "landscape", "portrait", "still", "life", "red", "blue", "green", "yellow", "no",
    "A", "tones", "with", "stripes", "dots", "smooth", "checks", "texture", "Please", "evaluate", "quality", "from",
    "aspect", "Visual", "Elements", "&", "Structure", "Composition", "Design", *[str(d) for d in range(10)],
]
"""Words of the tiny VLMs' word-level vocabulary: Q-Align's prompt and levels, the question templates of
``artscope train vlm --task qa``, and the synthetic collection's artists (``artscope.testing``)."""
VLM_CHAT_TEMPLATE = (
    "{% for m in messages %}{{ m['role'].upper() }}: {% for c in m['content'] %}"
    "{% if c['type'] == 'image' %}<image> {% else %}{{ c['text'] }} {% endif %}{% endfor %}{% endfor %}"
    "{% if add_generation_prompt %}ASSISTANT:{% endif %}"
)


def vlm_word_tokenizer(specials: list[str], extra_special: dict[str, str] | None = None):
    """A word-level tokenizer over ``VLM_WORDS`` that splits punctuation off words."""
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    vocab = {token: i for i, token in enumerate(dict.fromkeys([*specials, *VLM_WORDS]))}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                     pre_tokenizers.Punctuation(), pre_tokenizers.Digits(True)])
    return PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>", bos_token="<s>",
                                   eos_token="</s>", extra_special_tokens=extra_special or {})


def _tiny_llama(tokenizer, hidden: int = 16, **extra):  # -> dict, a text config
    return dict(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=2 * hidden, num_hidden_layers=1,
                num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=1024,
                pad_token_id=tokenizer.pad_token_id, eos_token_id=tokenizer.eos_token_id,
                bos_token_id=tokenizer.bos_token_id, initializer_range=0.2, **extra)


def save_tiny_llava(folder: Path) -> Path:
    """A random-init Llava (CLIP vision tower, Llama text model) with a word-level tokenizer and a chat
    template, saved as the hub lays it out."""
    import torch
    from transformers import (
        CLIPImageProcessorPil,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
    )

    tokenizer = vlm_word_tokenizer(["<unk>", "<pad>", "<s>", "</s>", "<image>"], {"image_token": "<image>"})
    torch.manual_seed(0)
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                       num_attention_heads=2, image_size=32, patch_size=8, projection_dim=16),
        text_config=LlamaConfig(**_tiny_llama(tokenizer)), image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="default",
    )
    processor = LlavaProcessor(
        image_processor=CLIPImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}),
        tokenizer=tokenizer, patch_size=8, num_additional_image_tokens=1, vision_feature_select_strategy="default",
        chat_template=VLM_CHAT_TEMPLATE,
    )
    LlavaForConditionalGeneration(config).save_pretrained(folder)
    processor.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_llava_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-init Llava saved to disk (see ``save_tiny_llava``)."""
    return save_tiny_llava(tmp_path_factory.mktemp("tiny-llava"))


@pytest.fixture()
def one_torch_thread():
    """Run torch on one thread: tiny models are too small to split, and on a machine shared with other
    jobs two contending threads made their training a hundred times slower."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def save_tiny_llava_next(folder: Path) -> Path:
    """LLaVA-NeXT: a CLIP tower over 32 px tiles, any-resolution grids of up to 2 tiles, a Llama."""
    import torch
    from transformers import (
        CLIPVisionConfig,
        LlamaConfig,
        LlavaNextConfig,
        LlavaNextForConditionalGeneration,
        LlavaNextImageProcessorPil,
        LlavaNextProcessor,
    )

    tokenizer = vlm_word_tokenizer(["<unk>", "<pad>", "<s>", "</s>", "<image>"], {"image_token": "<image>"})
    grid = [[32, 32], [32, 64], [64, 32]]
    torch.manual_seed(0)
    config = LlavaNextConfig(
        vision_config=CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                                       image_size=32, patch_size=8, projection_dim=16),
        text_config=LlamaConfig(**_tiny_llama(tokenizer)), image_token_index=tokenizer.convert_tokens_to_ids("<image>"),
        vision_feature_select_strategy="default", image_grid_pinpoints=grid)
    LlavaNextForConditionalGeneration(config).save_pretrained(folder)
    image_processor = LlavaNextImageProcessorPil(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32},
                                                 image_grid_pinpoints=grid)
    LlavaNextProcessor(image_processor=image_processor, tokenizer=tokenizer, patch_size=8,
                       vision_feature_select_strategy="default", num_additional_image_tokens=1,
                       chat_template=VLM_CHAT_TEMPLATE).save_pretrained(folder)
    return folder


def save_tiny_paligemma(folder: Path) -> Path:
    """PaliGemma: a SigLIP tower over 32 px images (16 image tokens), a Gemma; no chat template (the
    processor frames the prompt and builds the answer part from a ``suffix``)."""
    import torch
    from transformers import (
        PaliGemmaConfig,
        PaliGemmaForConditionalGeneration,
        PaliGemmaProcessor,
        SiglipImageProcessor,
    )

    tokenizer = vlm_word_tokenizer(["<pad>", "<unk>", "</s>", "<bos>", "<image>"])
    tokenizer.add_special_tokens({"bos_token": "<bos>", "additional_special_tokens": ["<image>"]})
    text = dict(model_type="gemma", head_dim=16, **_tiny_llama(tokenizer, hidden=32))
    text["num_key_value_heads"] = 1
    vision = dict(model_type="siglip_vision_model", hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                  num_attention_heads=2, patch_size=8, image_size=32, projection_dim=32)
    torch.manual_seed(0)
    config = PaliGemmaConfig(image_token_id=tokenizer.convert_tokens_to_ids("<image>"), text_config=text,
                             vision_config=vision, projection_dim=32, hidden_size=32)
    PaliGemmaForConditionalGeneration(config).save_pretrained(folder)
    image_processor = SiglipImageProcessor(size={"height": 32, "width": 32})
    image_processor.image_seq_length = 16  # (32 / 8) ** 2 image tokens
    PaliGemmaProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


def save_tiny_idefics3(folder: Path) -> Path:
    """SmolVLM (the Idefics3 architecture of HuggingFaceTB/SmolVLM-Instruct): a SigLIP tower over 32 px
    crops with pixel shuffle, images split into crops plus a global view, a Llama."""
    import torch
    from transformers import (
        Idefics3Config,
        Idefics3ForConditionalGeneration,
        Idefics3ImageProcessorPil,
        Idefics3Processor,
    )

    specials = ["<unk>", "<pad>", "<s>", "</s>", "<image>", "<fake_token_around_image>", "<global-img>",
                "<end_of_utterance>"]
    tokenizer = vlm_word_tokenizer(specials)
    tokenizer.add_special_tokens({"additional_special_tokens": specials[4:]})
    text = dict(model_type="llama", **_tiny_llama(tokenizer, hidden=32))
    vision = dict(hidden_size=32, intermediate_size=64, num_hidden_layers=1, num_attention_heads=2, patch_size=8,
                  image_size=32)
    torch.manual_seed(0)
    config = Idefics3Config(text_config=text, vision_config=vision, scale_factor=2,
                            image_token_id=tokenizer.convert_tokens_to_ids("<image>"))
    Idefics3ForConditionalGeneration(config).save_pretrained(folder)
    image_processor = Idefics3ImageProcessorPil(size={"longest_edge": 64}, max_image_size={"longest_edge": 32})
    Idefics3Processor(image_processor=image_processor, tokenizer=tokenizer, image_seq_len=4,
                      chat_template=VLM_CHAT_TEMPLATE).save_pretrained(folder)
    return folder


QWEN2_VL_CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in "
    "content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] "
    "== 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content "
    "%}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt %}"
    "<|im_start|>assistant\n{% endif %}"
)
"""Qwen2-VL-2B-Instruct's chat template, as its tokenizer_config.json on the hub holds it."""


def save_tiny_qwen2_vl(folder: Path) -> Path:
    """Qwen2-VL: 14 px patches merged 2x2, 56x56 px images, byte-level BPE, Qwen2-VL's own chat template.
    Its processor has a video processor, which transformers builds only with torchvision installed."""
    import torch
    from transformers import Qwen2Tokenizer, Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLProcessor
    from transformers.models.qwen2_vl.image_processing_pil_qwen2_vl import Qwen2VLImageProcessorPil

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>", "<|image_pad|>",
                "<|video_pad|>"]
    vocab = _byte_vocab(("",))
    ids = {token: len(vocab) + i for i, token in enumerate(specials)}
    tokenizer = Qwen2Tokenizer(vocab={**vocab, **ids}, merges=[], eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": specials[1:]})
    rope = {"rope_type": "default", "mrope_section": [4, 2, 2], "rope_theta": 10000.0}
    text = dict(vocab_size=len(vocab) + len(specials), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                num_attention_heads=2, num_key_value_heads=1, rope_parameters=rope, bos_token_id=None,
                eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"], initializer_range=0.2)
    vision = dict(depth=1, embed_dim=32, hidden_size=32, num_heads=2, patch_size=14, spatial_merge_size=2,
                  temporal_patch_size=2)
    torch.manual_seed(0)
    config = Qwen2VLConfig(text_config=text, vision_config=vision, image_token_id=ids["<|image_pad|>"],
                           video_token_id=ids["<|video_pad|>"], vision_start_token_id=ids["<|vision_start|>"],
                           vision_end_token_id=ids["<|vision_end|>"])
    Qwen2VLForConditionalGeneration(config).save_pretrained(folder)
    from transformers import Qwen2VLVideoProcessor

    image_processor = Qwen2VLImageProcessorPil(min_pixels=56 * 56, max_pixels=56 * 56)
    Qwen2VLProcessor(image_processor=image_processor, tokenizer=tokenizer, video_processor=Qwen2VLVideoProcessor(),
                     chat_template=QWEN2_VL_CHAT_TEMPLATE).save_pretrained(folder)
    return folder
