"""Which language a text is written in, by py3langid (langid.py's naive Bayes model over byte n-grams,
shipped inside the package; BSD-3-Clause).

Used below the tasks: by the builtin embedder (its English-only MiniLM half counts as far as a text is
English) and by ``ask`` (an answer notes the question's language). The identifier is restricted to
the widely written languages named in ``LANGUAGE_NAMES``: on short texts, the full set of 140 labels
mistakes Mandarin for Wu Chinese and Spanish for Extremaduran, and restricting it halves the errors on
artscope's multilingual benchmark queries (11 to 5 of 184). It loads once a process, on first use
(about 1.5 s: the model is xz-compressed), and is thread-safe.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from artscope.errors import DependencyMissingError

LANGUAGE_NAMES: dict[str, str] = {
    "ar": "Arabic", "bg": "Bulgarian", "ca": "Catalan", "cs": "Czech", "da": "Danish", "de": "German",
    "el": "Greek", "en": "English", "es": "Spanish", "fa": "Persian", "fi": "Finnish", "fr": "French",
    "he": "Hebrew", "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
    "ru": "Russian", "sv": "Swedish", "th": "Thai", "tr": "Turkish", "uk": "Ukrainian", "vi": "Vietnamese",
    "zh": "Chinese",
}
"""The languages told apart (ISO 639-1 code -> English name)."""
MIN_CONFIDENCE = 0.5
"""Below this probability of its best language a text is too short or mixed to name one ("Taj Mahal"
is 0.23 Indonesian)."""

_identifier: Any = None
_lock = threading.Lock()


@dataclass(frozen=True)
class Language:
    """A detected language."""

    code: str
    """ISO 639-1, e.g. ``fr``."""
    name: str
    """In English, e.g. ``French``."""
    confidence: float
    """The identifier's probability of it, 0..1."""


def _get_identifier() -> Any:
    global _identifier
    with _lock:
        if _identifier is None:
            try:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier
            except ImportError as exc:
                raise DependencyMissingError(
                    "Language detection needs the package py3langid: run `pip install py3langid`.") from exc
            identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            identifier.set_languages(list(LANGUAGE_NAMES))
            _identifier = identifier
    return _identifier


def language_probabilities(text: str) -> dict[str, float]:
    """Each language of ``LANGUAGE_NAMES`` -> its probability for ``text`` (summing to 1; uniform for a
    text without letters)."""
    return {code: float(p) for code, p in _get_identifier().rank(text)}


def english_share(texts: Sequence[str]) -> list[float]:
    """The probability that each text is English."""
    return [language_probabilities(text).get("en", 0.0) for text in texts]


def detect_language(text: str, min_confidence: float = MIN_CONFIDENCE) -> Language | None:
    """The language ``text`` is written in, or None when no language reaches ``min_confidence``."""
    if not text or not text.strip():
        return None
    code, confidence = _get_identifier().classify(text)
    if confidence < min_confidence:
        return None
    return Language(code=code, name=LANGUAGE_NAMES[code], confidence=round(float(confidence), 4))


__all__ = ["LANGUAGE_NAMES", "Language", "detect_language", "english_share", "language_probabilities"]
