"""The builtin spec: options, canonical spelling, registry and compatibility checks."""

from __future__ import annotations

import pytest

from artscope.embedders.base import Embedder
from artscope.embedders.builtin import BuiltinEmbedder, BuiltinOptions
from artscope.embedders.registry import create_embedder, list_embedders
from artscope.errors import EmbedderMismatchError, InvalidInputError


@pytest.mark.parametrize(("arg", "style", "text", "spec"), [
    ("", True, None, "builtin"),
    ("nostyle", False, None, "builtin:nostyle"),
    (" nostyle , ", False, None, "builtin:nostyle"),
    ("text=/models/a,b", True, "/models/a,b", "builtin:text=/models/a,b"),
    ("nostyle,text=org/model", False, "org/model", "builtin:nostyle,text=org/model"),
])
def test_options_parse_to_a_canonical_spec(arg: str, style: bool, text: str | None, spec: str) -> None:
    options = BuiltinOptions.parse(arg)
    assert (options.style, options.text, options.spec) == (style, text, spec)
    assert BuiltinOptions.parse(spec.partition(":")[2]) == options


@pytest.mark.parametrize("arg", ["fast", "nostyle,colour", "text="])
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
