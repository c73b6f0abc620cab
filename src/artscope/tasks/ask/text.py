"""Words and sentences: the small amount of English text handling the model-free answerer needs."""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A sentence ends at . ! ? followed by a space and a capital, digit or quote; abbreviations such as
# "St. Augustine" or "ca. 1500" are kept whole by the short-word rule in split_sentences.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“'(A-Z0-9])")
_ABBREVIATION = re.compile(r"\b(?:st|ca|c|mr|mrs|dr|no|vol|fig|approx|e\.g|i\.e|[a-z])\.$", re.IGNORECASE)

_STOPWORD_TEXT = """
a an the of in on at to for from by with and or but is are was were be been being it its this that these
those there here what which who whom whose when where why how do does did done has have had can could
would should will shall may might must about into over under than then as so not no yes if any all some
me my we our you your he she they them his her their i tell show give please much many made make
one ones work works artwork artworks object objects piece pieces item items collection collections
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())
"""Words that say nothing about what a question is about (question words, auxiliaries, generic nouns)."""


def fold(text: str) -> str:
    """Lower-case without accents (Père -> pere), so catalogue and question spellings meet."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded word tokens, in order."""
    return _WORD.findall(fold(text))


def stem(word: str) -> str:
    """A light plural stem (paintings -> painting, churches -> church), enough to match question words."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 6 and word.endswith(("ise", "ize", "ised", "ized")):  # symbolise -> symbol
        return word[:-4] if word.endswith("d") else word[:-3]
    return word


_SYNONYM_GROUPS = {
    "build": "build built builds building constructed construct construction erected erect commissioned "
             "commission founded established",
    "paint": "paint painted painter painting drew drawn drawing created create creator",
    "date": "date dated year century",
    "locate": "located location situated lies stands",
    "size": "long length stretch stretches stretching tall height high wide width big large size measure "
            "measures measuring",
    "give": "give gave given gives gift gifted donate donated donation offered presented",
    "use": "use used uses served serve serves purpose function",
}
SYNONYMS = {word: key for key, group in _SYNONYM_GROUPS.items() for word in group.split()}
"""Words that questions and museum texts use for the same thing ("built" / "constructed" / "commissioned")."""


def stems(text: str) -> set[str]:
    """Stemmed words that carry meaning, as written (no synonyms: "paintings" stays "painting")."""
    return {stem(w) for w in words(text) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def content_terms(text: str) -> set[str]:
    """Stemmed words that carry meaning (no stopwords, no single letters), synonyms made one."""
    return {SYNONYMS.get(w, stem(w)) for w in words(text)
            if w not in STOPWORDS and (len(w) > 1 or w.isdigit())}


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, whitespace-normalised."""
    pieces = _SENTENCE_END.split(" ".join(text.split()))
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    return [s.strip() for s in sentences if s.strip()]


def contains_phrase(text: str, phrase: str) -> bool:
    """True when ``phrase`` occurs in ``text`` as whole words (accent- and case-insensitive)."""
    needle = " ".join(words(phrase))
    return bool(needle) and f" {needle} " in f" {' '.join(words(text))} "
