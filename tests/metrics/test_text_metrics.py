"""Captioning metrics against pycocoevalcap 1.2 on random pre-tokenised captions, the Python tokeniser
against Stanford's PTBTokenizer where Java is available, and hand-computed values from the definitions."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from artscope.errors import InvalidInputError
from artscope.metrics import bleu, cider_d, meteor, ptb_tokenize, rouge_l

VOCAB = ["a", "the", "man", "woman", "dog", "cat", "red", "blue", "painting", "of", "on", "in", "with",
         "sits", "stands", "near", "old", "portrait"]


def _random_captions(seed: int, n_items: int = 25) -> tuple[dict, dict]:
    rng = np.random.default_rng(seed)

    def caption() -> str:
        return " ".join(rng.choice(VOCAB, size=rng.integers(1, 14)))

    refs = {f"img{i}": [caption() for _ in range(rng.integers(1, 6))] for i in range(n_items)}
    hyps = {key: caption() for key in refs}
    return refs, hyps


def test_bleu_hand_computed() -> None:
    # 3 of 3 unigrams right, 2 of 2 bigrams; closest reference length 6 → BP = exp(1 − 6/3)
    refs = {1: ["the cat sat on the mat"]}
    scores = bleu(refs, {1: "the cat sat"}, tokenize=False)
    assert scores[0] == pytest.approx(math.exp(-1.0), abs=1e-6)
    assert scores[1] == pytest.approx(math.exp(-1.0), abs=1e-6)
    assert bleu(refs, {1: "the cat sat on the mat"})[3] == pytest.approx(1.0, abs=1e-6)


def test_rouge_and_cider_hand_computed() -> None:
    # LCS("a b c d", "a c e") = 2: P = 2/3, R = 2/4, F = (1 + β²)PR / (R + β²P)
    p, r, beta2 = 2 / 3, 2 / 4, 1.2**2
    expected = (1 + beta2) * p * r / (r + beta2 * p)
    assert rouge_l({0: ["a b c d"]}, {0: "a c e"}, tokenize=False) == pytest.approx(expected, abs=1e-9)
    # with a single image every n-gram has idf log(1) − log(1) = 0, so CIDEr-D is 0 by definition
    assert cider_d({0: ["a b c"]}, {0: "a b c"}) == 0.0


@pytest.mark.parametrize("seed", range(3))
def test_against_pycocoevalcap(seed: int) -> None:
    pytest.importorskip("pycocoevalcap")
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.rouge.rouge import Rouge

    refs, hyps = _random_captions(seed)
    gts, res = {k: list(v) for k, v in refs.items()}, {k: [v] for k, v in hyps.items()}
    expected_bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    np.testing.assert_allclose(bleu(refs, hyps, tokenize=False), expected_bleu, atol=1e-6)
    assert rouge_l(refs, hyps, tokenize=False) == pytest.approx(Rouge().compute_score(gts, res)[0], abs=1e-6)
    assert cider_d(refs, hyps, tokenize=False) == pytest.approx(Cider().compute_score(gts, res)[0], abs=1e-6)


SENTENCES = [
    "A man's riding a horse (on the beach), isn't he?",
    'The dog-walker walks 3.5 miles... "Quickly!" she said; it\'s 10:30 a.m. in the U.S.',
    "Two people--a woman & a child--look at the $5 painting's frame/edge.",
    "Don't you think it's a well-known work, e.g. by Monet?",
    "He said 'hello' and left.   Multiple   spaces here.",
    "The year 1642-1643 saw 1,000 people; they'd've come.",
]


def test_tokenizer_examples() -> None:
    assert ptb_tokenize(SENTENCES[0]) == "a man 's riding a horse -lrb- on the beach -rrb- is n't he"
    assert ptb_tokenize(SENTENCES[2]) == "two people a woman & a child look at the $ 5 painting 's frame/edge"


@pytest.mark.skipif(shutil.which("java") is None, reason="Stanford PTBTokenizer needs Java")
def test_tokenizer_matches_stanford_ptb(tmp_path: Path) -> None:
    pytest.importorskip("pycocoevalcap")
    from pycocoevalcap.tokenizer import ptbtokenizer

    jar = Path(ptbtokenizer.__file__).parent / ptbtokenizer.STANFORD_CORENLP_3_4_1_JAR
    source = tmp_path / "captions.txt"
    source.write_text("\n".join(SENTENCES))
    output = subprocess.run(["java", "-cp", str(jar), "edu.stanford.nlp.process.PTBTokenizer",
                             "-preserveLines", "-lowerCase", str(source)],
                            capture_output=True, text=True, check=True, timeout=120).stdout
    for sentence, line in zip(SENTENCES, output.splitlines(), strict=True):
        expected = " ".join(w for w in line.rstrip().split(" ") if w not in ptbtokenizer.PUNCTUATIONS)
        assert ptb_tokenize(sentence) == expected


def test_mismatched_ids_raise() -> None:
    with pytest.raises(InvalidInputError, match="same ids"):
        bleu({1: ["a b"]}, {2: "a b"})


@pytest.mark.skipif(shutil.which("java") is None, reason="METEOR 1.5 is a Java program (.ci/run installs one)")
def test_meteor_equals_pycocoevalcaps_pipeline() -> None:
    """The expected value is COCOEvalCap's own steps on the same captions (Stanford PTBTokenizer, then
    ``Meteor().compute_score``), stored in tests/data/pycocoevalcap/meteor.json."""
    pytest.importorskip("pycocoevalcap")
    expected = json.loads((Path(__file__).resolve().parents[1] / "data" / "pycocoevalcap" / "meteor.json").read_text())
    assert meteor(expected["refs"], expected["hyps"]) == pytest.approx(expected["meteor"], abs=1e-9)
