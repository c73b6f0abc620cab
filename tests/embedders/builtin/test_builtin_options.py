"""The builtin spec: options, canonical spelling, registry and compatibility checks."""

from __future__ import annotations

import pytest

from artscope.embedders.base import Embedder, EmbedderInfo
from artscope.embedders.builtin import BuiltinEmbedder, BuiltinOptions
from artscope.embedders.builtin.embedder import VERSION
from artscope.embedders.registry import create_embedder, current_info, list_embedders
from artscope.errors import EmbedderMismatchError, InvalidInputError


@pytest.mark.parametrize(("arg", "style", "english", "text", "spec"), [
    ("", True, False, None, "builtin"),
    ("nostyle", False, False, None, "builtin:nostyle"),
    (" nostyle , ", False, False, None, "builtin:nostyle"),
    ("english,nostyle", False, True, None, "builtin:nostyle,english"),
    ("text=/models/a,b", True, False, "/models/a,b", "builtin:text=/models/a,b"),
    ("nostyle,text=org/model", False, False, "org/model", "builtin:nostyle,text=org/model"),
])
def test_options_parse_to_a_canonical_spec(arg: str, style: bool, english: bool, text: str | None,
                                           spec: str) -> None:
    options = BuiltinOptions.parse(arg)
    assert (options.style, options.english, options.text, options.spec) == (style, english, text, spec)
    assert BuiltinOptions.parse(spec.partition(":")[2]) == options


@pytest.mark.parametrize("arg", ["fast", "nostyle,colour", "text=", "english,text=org/model"])
def test_unknown_or_empty_options_are_refused(arg: str) -> None:
    with pytest.raises(InvalidInputError):
        BuiltinOptions.parse(arg)


def test_create_embedder_builds_the_builtin_backend() -> None:
    embedder = create_embedder("builtin", device="cpu")
    assert isinstance(embedder, BuiltinEmbedder) and isinstance(embedder, Embedder)
    assert embedder.info.spec == "builtin" and not embedder.info.cross_modal
    assert "builtin" in list_embedders()


def test_style_and_nostyle_vectors_are_not_comparable() -> None:
    default, plain = create_embedder("builtin").info, create_embedder("builtin:nostyle").info
    with pytest.raises(EmbedderMismatchError, match="builtin:nostyle"):
        default.check_compatible(plain)
    default.check_compatible(create_embedder("builtin").info)


@pytest.mark.parametrize(("recorded", "today"), [
    ("builtin", "builtin:english"),
    ("builtin:nostyle", "builtin:nostyle,english"),
    ("builtin:text=/models/labse", "builtin:text=/models/labse"),
])
def test_version_1_infos_read_as_the_spec_that_still_makes_their_vectors(recorded: str, today: str) -> None:
    images = create_embedder("builtin:nostyle" if "nostyle" in recorded else "builtin").info
    old = EmbedderInfo(spec=recorded, image_dim=images.image_dim, text_dim=384, token_dim=64, max_tokens=21,
                       version="1")
    upgraded = current_info(old)
    assert (upgraded.spec, upgraded.version, upgraded.text_dim) == (today, VERSION, 384)
    assert upgraded.same_images(images)
    assert current_info(upgraded) == upgraded
    if "text=" not in recorded:
        upgraded.check_compatible(create_embedder(today).info)  # the same vectors: nothing to redo


def test_infos_of_other_backends_are_read_as_they_are() -> None:
    info = EmbedderInfo(spec="hf:org/clip", image_dim=512, text_dim=512, cross_modal=True)
    assert current_info(info) == info
    unknown = EmbedderInfo(spec="nosuchbackend:x", image_dim=8, text_dim=8)
    assert current_info(unknown) == unknown


def test_the_multilingual_default_shares_the_english_image_vectors_only() -> None:
    english, default = create_embedder("builtin:english").info, create_embedder("builtin").info
    assert english.text_dim == 384 and default.text_dim == 896 and english.same_images(default)
    assert not default.same_images(create_embedder("builtin:nostyle").info)
    with pytest.raises(EmbedderMismatchError, match="--embedder builtin`"):
        english.check_compatible(default)
