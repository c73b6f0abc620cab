"""Language detection (py3langid over the widely written languages)."""

from __future__ import annotations

import pytest

from artscope.languages import LANGUAGE_NAMES, detect_language, english_share


@pytest.mark.parametrize(("text", "code", "name"), [
    ("Qui a peint ce tableau ?", "fr", "French"),
    ("Wer hat dieses Bild gemalt?", "de", "German"),
    ("¿Quién pintó este cuadro?", "es", "Spanish"),
    ("Chi ha dipinto questo quadro?", "it", "Italian"),
    ("誰がこの絵を描きましたか", "ja", "Japanese"),
    ("这幅画是谁画的？", "zh", "Chinese"),
    ("من رسم هذه اللوحة؟", "ar", "Arabic"),
    ("Кто написал эту картину?", "ru", "Russian"),
    ("Who painted this picture?", "en", "English"),
])
def test_a_question_is_given_its_language(text: str, code: str, name: str) -> None:
    language = detect_language(text)
    assert language is not None and (language.code, language.name) == (code, name)
    assert 0.5 <= language.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "Taj Mahal", "1889"])
def test_no_language_is_named_for_names_numbers_or_nothing(text: str) -> None:
    assert detect_language(text) is None


def test_english_share_separates_english_from_other_languages() -> None:
    english, french, japanese = english_share(["A white marble mausoleum on the bank of a river",
                                               "Un mausolée de marbre blanc au bord d'un fleuve",
                                               "川のほとりにある白い大理石の霊廟"])
    assert english > 0.9 and french < 0.1 and japanese < 0.01


def test_every_language_told_apart_has_a_name() -> None:
    from artscope.languages import _get_identifier

    assert set(_get_identifier().labels) == set(LANGUAGE_NAMES)
