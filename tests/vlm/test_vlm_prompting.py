"""One turn of conversation split where the answer starts, and Q-Align's level words."""

from __future__ import annotations

from pathlib import Path

import pytest

from artscope.errors import InvalidInputError
from artscope.vlm.prompting import LEVELS, level_of, level_token_ids, prompt, turn


@pytest.mark.parametrize(("score", "level"), [
    (0.0, "bad"), (2.0, "bad"), (2.01, "poor"), (4.0, "poor"), (5.0, "fair"), (6.01, "good"), (8.0, "good"),
    (8.01, "excellent"), (10.0, "excellent"), (11.0, "excellent"), (-3.0, "bad"),
])
def test_levels_are_equal_fifths_of_the_scale(score: float, level: str) -> None:
    # Q-Align: l_i when m + (i-1)(M-m)/5 < s <= m + i(M-m)/5, scores clipped to the scale
    assert level_of(score, (0.0, 10.0)) == level


def test_a_chat_template_turn_is_split_before_the_answer(tiny_llava_dir: Path) -> None:
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_llava_dir)
    made = turn(processor, "Who made this artwork?", "Ada Rossi")
    assert made.prompt == "USER: <image> Who made this artwork? ASSISTANT: "
    assert made.target == "Ada Rossi </s>"  # the template's closing space, then the end of sequence
    assert prompt(processor, "Who made this artwork?") == made.prompt
    processor.chat_template = None
    assert turn(processor, "Who?", "Ada").prompt == "USER: <image>\nWho?\nASSISTANT: "


def test_level_words_must_start_with_different_tokens(tiny_llava_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_llava_dir)
    assert len(set(level_token_ids(tokenizer, LEVELS))) == 5
    with pytest.raises(InvalidInputError, match="start with the same token"):
        level_token_ids(tokenizer, ["good", "good"])
