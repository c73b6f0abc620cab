r"""Short-answer metrics: VQA accuracy (the official VQA evaluation), and the exact match and token F1
that artscope's MUSEUM-style QA protocol reports per question kind.

``vqa_accuracy`` ports GT-Vision-Lab/VQA ``PythonEvaluationTools/vqaEvaluation/vqaEval.py`` at commit
a013f00 (2021-03-11, "Fixed processing answers bug"), the current official version, exactly: newline
and tab become spaces and the answers are stripped; only when the human answers disagree do both they
and the prediction get the punctuation step and then lower-casing, number words → digits, article
removal and the contraction table; each answer is then left out in turn and the prediction scores
min(1, matches among the other answers / 3); the mean over the left-out answers is the accuracy.
Quirks kept: the period regex ``(?!<=\d)(\.)(?!\d)`` is a look-ahead, not a look-behind, and
``re.sub`` receives ``re.UNICODE`` as its count (32), as the original passes it positionally; when all
answers agree nothing is normalised, so "two" scores 0 against ten "2".
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Sequence

from artscope.errors import InvalidInputError

_CONTRACTIONS_PLAIN = (
    "aint ain't|arent aren't|cant can't|couldve could've|couldnt couldn't|couldn'tve couldn't've|"
    "couldnt've couldn't've|didnt didn't|doesnt doesn't|dont don't|hadnt hadn't|hadnt've hadn't've|"
    "hadn'tve hadn't've|hasnt hasn't|havent haven't|hed he'd|hed've he'd've|he'dve he'd've|hes he's|"
    "howd how'd|howll how'll|hows how's|Id've I'd've|I'dve I'd've|Im I'm|Ive I've|isnt isn't|itd it'd|"
    "itd've it'd've|it'dve it'd've|itll it'll|let's let's|maam ma'am|mightnt mightn't|"
    "mightnt've mightn't've|mightn'tve mightn't've|mightve might've|mustnt mustn't|mustve must've|"
    "neednt needn't|notve not've|oclock o'clock|oughtnt oughtn't|ow's'at 'ow's'at|'ows'at 'ow's'at|"
    "'ow'sat 'ow's'at|shant shan't|shed've she'd've|she'dve she'd've|she's she's|shouldve should've|"
    "shouldnt shouldn't|shouldnt've shouldn't've|shouldn'tve shouldn't've|somebody'd somebodyd|"
    "somebodyd've somebody'd've|somebody'dve somebody'd've|somebodyll somebody'll|somebodys somebody's|"
    "someoned someone'd|someoned've someone'd've|someone'dve someone'd've|someonell someone'll|"
    "someones someone's|somethingd something'd|somethingd've something'd've|"
    "something'dve something'd've|somethingll something'll|thats that's|thered there'd|"
    "thered've there'd've|there'dve there'd've|therere there're|theres there's|theyd they'd|"
    "theyd've they'd've|they'dve they'd've|theyll they'll|theyre they're|theyve they've|twas 'twas|"
    "wasnt wasn't|wed've we'd've|we'dve we'd've|weve we've|werent weren't|whatll what'll|"
    "whatre what're|whats what's|whatve what've|whens when's|whered where'd|wheres where's|"
    "whereve where've|whod who'd|whod've who'd've|who'dve who'd've|wholl who'll|whos who's|"
    "whove who've|whyll why'll|whyre why're|whys why's|wont won't|wouldve would've|wouldnt wouldn't|"
    "wouldnt've wouldn't've|wouldn'tve wouldn't've|yall y'all|yall'll y'all'll|y'allll y'all'll|"
    "yall'd've y'all'd've|y'alld've y'all'd've|y'all'dve y'all'd've|youd you'd|youd've you'd've|"
    "you'dve you'd've|youll you'll|youre you're|youve you've"
)
CONTRACTIONS = dict(pair.split(" ") for pair in _CONTRACTIONS_PLAIN.split("|"))
"""The official contraction table (straight apostrophes since the 2021 fix)."""
NUMBER_WORDS = {"none": "0", "zero": "0", "one": "1", "two": "2", "three": "3", "four": "4", "five": "5",
                "six": "6", "seven": "7", "eight": "8", "nine": "9", "ten": "10"}
ARTICLES = {"a", "an", "the"}
_PUNCT = [";", "/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!"]
_PERIOD_STRIP = re.compile(r"(?!<=\d)(\.)(?!\d)")
_COMMA_STRIP = re.compile(r"(\d)(,)(\d)")
_ORIGINAL_SUB_COUNT = int(re.UNICODE)  # 32: see the module docstring


def vqa_punctuation(text: str) -> str:
    """The official ``processPunctuation``: drop a mark next to a space (or anywhere once the text has
    a digit,digit comma), otherwise replace it by a space; then strip periods not followed by a digit."""
    out = text
    has_digit_comma = _COMMA_STRIP.search(text) is not None
    for mark in _PUNCT:
        if mark + " " in text or " " + mark in text or has_digit_comma:
            out = out.replace(mark, "")
        else:
            out = out.replace(mark, " ")
    return _PERIOD_STRIP.sub("", out, count=_ORIGINAL_SUB_COUNT)


def vqa_digits_articles(text: str) -> str:
    """The official ``processDigitArticle``: lower-case, number words → digits, drop articles, fix
    contractions."""
    words = [NUMBER_WORDS.get(word, word) for word in text.lower().split()]
    words = [word for word in words if word not in ARTICLES]
    return " ".join(CONTRACTIONS.get(word, word) for word in words)


def _clean(answer: str) -> str:
    return answer.replace("\n", " ").replace("\t", " ").strip()


def vqa_normalize(answer: str) -> str:
    """The normalisation the official evaluation applies to every answer of a question whose human
    answers disagree: whitespace, punctuation, then digits, articles and contractions."""
    return vqa_digits_articles(vqa_punctuation(_clean(answer)))


def vqa_accuracy(pred: str, answers: Sequence[str]) -> float:
    """VQA accuracy of one predicted answer against the human answers (usually 10), in [0, 1]:
    the mean over leave-one-out subsets of min(1, #matching answers among the others / 3)."""
    if not answers:
        raise InvalidInputError("vqa_accuracy needs at least one human answer.")
    predicted, humans = _clean(pred), [_clean(answer) for answer in answers]
    if len(set(humans)) > 1:
        predicted, humans = vqa_normalize(predicted), [vqa_normalize(answer) for answer in humans]
    scores = []
    for left_out in range(len(humans)):
        matches = sum(1 for i, answer in enumerate(humans) if i != left_out and answer == predicted)
        scores.append(min(1.0, matches / 3.0))
    return sum(scores) / len(scores)


_SQUAD_ARTICLES = re.compile(r"\b(a|an|the)\b")
_SQUAD_PUNCTUATION = set(string.punctuation)


def squad_normalize(answer: str) -> str:
    """SQuAD v1.1's ``normalize_answer``: lower-case, drop ASCII punctuation and the articles a/an/the,
    collapse whitespace."""
    text = "".join(ch for ch in answer.lower() if ch not in _SQUAD_PUNCTUATION)
    return " ".join(_SQUAD_ARTICLES.sub(" ", text).split())


def _gold(answers: Sequence[str]) -> list[str]:
    if isinstance(answers, str) or not answers:
        raise InvalidInputError("Pass the gold answers as a non-empty list of strings.")
    return list(answers)


def exact_match(pred: str, answers: Sequence[str]) -> float:
    """1.0 when the normalised prediction equals some normalised gold answer (SQuAD v1.1 ``exact_match_score``,
    max over the gold answers), else 0.0."""
    predicted = squad_normalize(pred)
    return float(any(predicted == squad_normalize(answer) for answer in _gold(answers)))


def token_f1(pred: str, answers: Sequence[str]) -> float:
    """The best token F1 of the prediction against any gold answer (SQuAD v1.1 ``f1_score`` with
    ``metric_max_over_ground_truths``): bag-of-token overlap after :func:`squad_normalize`."""
    predicted = squad_normalize(pred).split()
    best = 0.0
    for answer in _gold(answers):
        gold = squad_normalize(answer).split()
        same = sum((Counter(predicted) & Counter(gold)).values())
        if same:
            precision, recall = same / len(predicted), same / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


_WORD = re.compile(r"[^\W_]+")


def _answer_tokens(answer: str) -> frozenset[str]:
    """Lower-cased word tokens without articles: what "the same answer" means for museum fields."""
    return frozenset(t for t in _WORD.findall(answer.lower()) if t not in ARTICLES)


def _as_items(value: str | Sequence[str]) -> list[frozenset[str]]:
    values = [value] if isinstance(value, str) else list(value)
    return [tokens for tokens in map(_answer_tokens, values) if tokens]


def museum_precision_recall(pred: str | Sequence[str], gold: str | Sequence[str]) -> dict[str, float]:
    """Precision and recall of one answer's values (a string, or a list of values such as several
    materials), with complete and partial matching, for MUSEUM-65-style attribute questions.

    Values are compared as sets of lower-cased word tokens without articles and punctuation. A value
    matches *completely* when the sets are equal, *partially* when one contains the other ("Rembrandt"
    and "Rembrandt van Rijn"; "1642" and "1642-1643"). Precision is the share of predicted values that
    match some gold value, recall the share of gold values matched by some predicted value. An empty
    prediction has precision 0.
    """
    predicted, reference = _as_items(pred), _as_items(gold)
    if not reference:
        raise InvalidInputError("The gold answer has no values; drop the item or give a reference answer.")

    def share(items: list[frozenset[str]], others: list[frozenset[str]], partial: bool) -> float:
        if not items:
            return 0.0
        hit = [any(a == b or (partial and (a <= b or b <= a)) for b in others) for a in items]
        return sum(hit) / len(items)

    return {
        "precision_complete": share(predicted, reference, partial=False),
        "recall_complete": share(reference, predicted, partial=False),
        "precision_partial": share(predicted, reference, partial=True),
        "recall_partial": share(reference, predicted, partial=True),
    }
