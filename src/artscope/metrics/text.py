"""Captioning metrics as pycocoevalcap 1.2 computes them: BLEU-1..4, ROUGE-L, CIDEr-D and METEOR.

pycocoevalcap tokenises with Stanford's PTBTokenizer (Java, ``-preserveLines -lowerCase``) and then drops
the tokens in its ``PUNCTUATIONS`` list. artscope needs no Java: :func:`ptb_tokenize` reproduces that
pipeline in Python for ordinary caption text (lower-casing, splitting off punctuation and the clitics
``n't 's 're 've 'll 'd 'm``, keeping hyphenated words, numbers such as ``3.5`` or ``1,000`` and
abbreviations such as ``e.g.``, turning brackets into ``-lrb-``/``-rrb-``..., which PTB lower-cases and
pycocoevalcap therefore keeps). Pass ``tokenize=False`` to score text that is already tokenised.

The scores are pycocoevalcap's to 1e-6 on the same tokens (checked in the tests):
- BLEU: corpus-level modified n-gram precisions with the "closest" reference length brevity penalty and
  pycocoevalcap's smoothing constants (tiny = 1e-15, small = 1e-9).
- ROUGE-L: per caption the LCS F-measure with β = 1.2 from the best precision and the best recall over
  the references; mean over captions.
- CIDEr-D: tf-idf n-gram vectors (n = 1..4, idf from the evaluated references themselves), clipped
  candidate weights, a Gaussian length penalty with σ = 6, mean over n, mean over references, ×10.
- METEOR 1.5 is not re-implemented: :func:`meteor` runs pycocoevalcap's own ``Meteor`` (the jar it
  ships, through Java) on the tokenised captions, so it needs the ``eval`` extra and a Java runtime.
  SPICE is not offered: it needs Stanford CoreNLP models that pycocoevalcap downloads on first use.
"""

from __future__ import annotations

import math
import re
import shutil
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from artscope.errors import DependencyMissingError, InvalidInputError
from artscope.metrics.answers import museum_precision_recall, vqa_accuracy

# pycocoevalcap's PUNCTUATIONS (tokenizer/ptbtokenizer.py); its upper-case bracket names never match
# PTB's lower-cased output, so brackets survive as -lrb- etc., exactly as in the reference.
_DROPPED = {"''", "'", "``", "`", ".", "?", "!", ",", ":", "-", "--", "...", ";"}
_BRACKETS = {"(": "-lrb-", ")": "-rrb-", "[": "-lsb-", "]": "-rsb-", "{": "-lcb-", "}": "-rcb-"}
_TOKEN = re.compile(
    r"""[\w.+-]+@[\w-]+(?:\.[\w-]+)+      # e-mail address
      | (?:https?://|www\.)[^\s()\[\]{}"]+[^\s()\[\]{}".,;:!?]  # URL
      | (?:[^\W\d_]\.){2,}                # abbreviation: e.g. a.m. u.s.
      | \d+(?:[.,:]\d+)+                  # number with separators: 3.5 1,000 10:30
      | \w+(?=n't\b)                      # "is" of "isn't"
      | n't\b
      | '(?:s|d|m|ll|re|ve)\b             # clitics
      | \w+(?:[-/]\w+)*                   # words, hyphenated words, a/b
      | --+ | \.\.\.+
      | \S                                # any other single character
    """,
    re.VERBOSE,
)
_N = 4
_CIDER_SIGMA = 6.0

Refs = Mapping[Hashable, Sequence[str]]
Hyps = Mapping[Hashable, str]


def ptb_tokenize(text: str) -> str:
    """Lower-case and tokenise a caption as pycocoevalcap's PTBTokenizer + punctuation filter would."""
    tokens = []
    for token in _TOKEN.findall(text.replace("\n", " ").lower()):
        token = _BRACKETS.get(token, token)
        if token not in _DROPPED and token != '"':
            tokens.append(token)
    return " ".join(tokens)


def _prepare(refs: Refs, hyps: Hyps, tokenize: bool) -> tuple[list[list[str]], list[list[list[str]]]]:
    """Pair hypotheses with references (same keys, as pycocoevalcap requires) and split into tokens."""
    if set(refs) != set(hyps):
        missing, extra = set(refs) - set(hyps), set(hyps) - set(refs)
        raise InvalidInputError(
            f"refs and hyps must cover the same ids ({len(missing)} ids lack a hypothesis, "
            f"{len(extra)} hypotheses lack references); score only items that have both."
        )
    if not refs:
        raise InvalidInputError("No captions to score.")
    clean = ptb_tokenize if tokenize else (lambda s: s)
    keys = list(refs)
    hyp_tokens, ref_tokens = [], []
    for key in keys:
        if not isinstance(hyps[key], str) or not refs[key]:
            raise InvalidInputError(f"Item {key!r} needs one hypothesis string and at least one reference.")
        hyp_tokens.append(clean(hyps[key]).split())
        ref_tokens.append([clean(ref).split() for ref in refs[key]])
    return hyp_tokens, ref_tokens


def _ngrams(tokens: list[str], n: int = _N) -> Counter:
    return Counter(tuple(tokens[i:i + k]) for k in range(1, n + 1) for i in range(len(tokens) - k + 1))


def bleu(refs: Refs, hyps: Hyps, tokenize: bool = True) -> list[float]:
    """Corpus BLEU-1..4 (pycocoevalcap ``Bleu(4)`` with ``option="closest"``)."""
    hyp_tokens, ref_tokens = _prepare(refs, hyps, tokenize)
    tiny, small = 1e-15, 1e-9
    guess, correct = [0] * _N, [0] * _N
    test_len = ref_len = 0
    for hyp, references in zip(hyp_tokens, ref_tokens, strict=True):
        max_ref_counts: Counter = Counter()
        for ref in references:
            max_ref_counts |= _ngrams(ref)  # element-wise max: clipping counts per n-gram
        for ngram, count in _ngrams(hyp).items():
            correct[len(ngram) - 1] += min(max_ref_counts.get(ngram, 0), count)
        for k in range(_N):
            guess[k] += max(0, len(hyp) - k)
        test_len += len(hyp)
        # closest reference length; ties go to the shorter reference, as min over (|diff|, len) does
        ref_len += min((abs(len(ref) - len(hyp)), len(ref)) for ref in references)[1]
    scores, product = [], 1.0
    for k in range(_N):
        product *= (correct[k] + tiny) / (guess[k] + small)
        scores.append(product ** (1.0 / (k + 1)))
    ratio = (test_len + tiny) / (ref_len + small)
    if ratio < 1:
        scores = [s * math.exp(1 - 1 / ratio) for s in scores]
    return scores


def _lcs_length(a: list[str], b: list[str]) -> int:
    previous = [0] * (len(b) + 1)
    for token in a:
        current = [0]
        for j, other in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if token == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


def rouge_l(refs: Refs, hyps: Hyps, tokenize: bool = True, beta: float = 1.2) -> float:
    """Mean ROUGE-L F-measure (pycocoevalcap ``Rouge``: best precision and best recall over references)."""
    hyp_tokens, ref_tokens = _prepare(refs, hyps, tokenize)
    scores = []
    for hyp, references in zip(hyp_tokens, ref_tokens, strict=True):
        # pycocoevalcap splits on single spaces, so an empty caption is one empty token
        hyp = hyp or [""]
        lcs = [_lcs_length(ref or [""], hyp) for ref in references]
        precision = max(v / len(hyp) for v in lcs)
        recall = max(v / len(ref or [""]) for v, ref in zip(lcs, references, strict=True))
        if precision and recall:
            scores.append((1 + beta**2) * precision * recall / (recall + beta**2 * precision))
        else:
            scores.append(0.0)
    return float(np.mean(scores))


def _tfidf(counts: Counter, doc_freq: Counter, log_n_docs: float) -> tuple[list[dict], np.ndarray, int]:
    """Per-order tf-idf vectors, their norms, and the bigram count pycocoevalcap uses as "length"."""
    vectors: list[dict] = [{} for _ in range(_N)]
    norms = np.zeros(_N)
    for ngram, term_freq in counts.items():
        order = len(ngram) - 1
        weight = term_freq * (log_n_docs - math.log(max(1.0, doc_freq[ngram])))
        vectors[order][ngram] = weight
        norms[order] += weight**2
    # pycocoevalcap's CiderScorer counts the bigrams (its `n == 1`) as the caption length
    length = sum(c for ngram, c in counts.items() if len(ngram) == 2)
    return vectors, np.sqrt(norms), length


def cider_d(refs: Refs, hyps: Hyps, tokenize: bool = True, sigma: float = _CIDER_SIGMA) -> float:
    """Corpus CIDEr-D (pycocoevalcap ``Cider``): idf over the references of exactly these items."""
    hyp_tokens, ref_tokens = _prepare(refs, hyps, tokenize)
    ref_counts = [[_ngrams(ref) for ref in references] for references in ref_tokens]
    doc_freq: Counter = Counter()
    for counts in ref_counts:
        doc_freq.update(set().union(*counts))
    log_n_docs = math.log(float(len(ref_counts)))
    scores = []
    for hyp, references in zip(hyp_tokens, ref_counts, strict=True):
        vec, norm, length = _tfidf(_ngrams(hyp), doc_freq, log_n_docs)
        total = np.zeros(_N)
        for ref in references:
            vec_ref, norm_ref, length_ref = _tfidf(ref, doc_freq, log_n_docs)
            penalty = math.exp(-((length - length_ref) ** 2) / (2 * sigma**2))
            for order in range(_N):
                value = sum(min(w, vec_ref[order].get(g, 0.0)) * vec_ref[order].get(g, 0.0)
                            for g, w in vec[order].items())
                if norm[order] != 0 and norm_ref[order] != 0:
                    value /= norm[order] * norm_ref[order]
                total[order] += value * penalty
        scores.append(float(np.mean(total)) / len(references) * 10.0)
    return float(np.mean(scores))


def meteor(refs: Refs, hyps: Hyps, tokenize: bool = True) -> float:
    """Corpus METEOR 1.5 as pycocoevalcap reports it (``Meteor().compute_score``, the jar's aggregate over
    all captions, not the mean of per-caption scores), on the same tokens as the other metrics."""
    try:
        from pycocoevalcap.meteor.meteor import Meteor
    except ImportError:
        raise DependencyMissingError("METEOR runs pycocoevalcap's METEOR 1.5: pip install 'artscope[eval]'.") from None
    if shutil.which("java") is None:
        raise DependencyMissingError("METEOR 1.5 is a Java program: install a Java runtime (Debian: apt-get "
                                     "install default-jre-headless).")
    hyp_tokens, ref_tokens = _prepare(refs, hyps, tokenize)
    gts = {n: [" ".join(ref) for ref in references] for n, references in enumerate(ref_tokens)}
    res = {n: [" ".join(hyp)] for n, hyp in enumerate(hyp_tokens)}
    scorer = Meteor()
    try:
        score, _ = scorer.compute_score(gts, res)
    finally:
        del scorer  # its __del__ ends the Java process
    return float(score)


__all__ = ["bleu", "cider_d", "meteor", "museum_precision_recall", "ptb_tokenize", "rouge_l", "vqa_accuracy"]
