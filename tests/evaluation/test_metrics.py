"""BLEU (through torchmetrics) and chrF equal the sacrebleu package's own numbers."""

from __future__ import annotations

import pytest
import sacrebleu
from sacrebleu.metrics import BLEU, CHRF

from archspec.evaluation.metrics import (
    BLEU_SIGNATURE,
    CHRF_SIGNATURE,
    corpus_bleu,
    corpus_chrf,
)

# verse pairs from data/en-es/val.tsv with hand-made "hypotheses" of varying quality
REFERENCES = [
    "Y dijo Dios: Sea la luz: y fué la luz.",
    "En el principio era el Verbo, y el Verbo era con Dios, y el Verbo era Dios.",
    "Bienaventurados los mansos: porque ellos recibirán la tierra por heredad.",
    "Y lloró Jesús.",
    "¿Quién nos apartará del amor de Cristo?",
]
HYPOTHESES = [
    "Y dijo Dios: Sea la luz, y fue la luz.",
    "En el principio era el Verbo, y el Verbo estaba con Dios.",
    "Bienaventurados los mansos, porque ellos heredarán la tierra.",
    "Jesús lloró.",
    "¿Quién nos separará del amor de Cristo?",
]


def test_bleu_equals_sacrebleu() -> None:
    expected = sacrebleu.corpus_bleu(HYPOTHESES, [REFERENCES]).score
    assert corpus_bleu(HYPOTHESES, REFERENCES) == pytest.approx(expected, abs=1e-4)
    assert 20 < expected < 80  # a corpus where every n-gram order matches somewhere


def test_chrf_equals_sacrebleu() -> None:
    expected = sacrebleu.corpus_chrf(HYPOTHESES, [REFERENCES]).score
    assert corpus_chrf(HYPOTHESES, REFERENCES) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(
    "hyps",
    [
        ["o", "  a  ", "Y dijo Dios", "", "xyz"],  # shorter than the 6-gram order, empty
        ["", "", "", "", ""],
        ["qqqqqqqq", "En el principio", "   ", "Y lloró Jesús.", "¿Quién?"],  # no overlap
    ],
)
def test_chrf_of_degenerate_output_equals_sacrebleu(hyps) -> None:
    expected = sacrebleu.corpus_chrf(hyps, [REFERENCES]).score
    assert corpus_chrf(hyps, REFERENCES) == pytest.approx(expected, abs=1e-9)


def test_without_any_four_gram_match_bleu_is_unsmoothed_bleu() -> None:
    hyps, refs = ["the cat sat here", "a dog ran"], ["the cat is here", "a dog walked"]
    unsmoothed = sacrebleu.corpus_bleu(hyps, [refs], smooth_method="none").score
    assert corpus_bleu(hyps, refs) == pytest.approx(unsmoothed, abs=1e-6) == 0.0
    assert sacrebleu.corpus_bleu(hyps, [refs]).score > 0  # sacreBLEU's default smooths


def test_signatures_are_sacrebleus() -> None:
    bleu, chrf = BLEU(smooth_method="none"), CHRF()
    bleu.corpus_score(HYPOTHESES, [REFERENCES])
    chrf.corpus_score(HYPOTHESES, [REFERENCES])
    assert str(bleu.get_signature()).startswith(BLEU_SIGNATURE + "|version:")
    assert str(chrf.get_signature()).startswith(CHRF_SIGNATURE + "|version:")


def test_perfect_and_empty_hypotheses() -> None:
    assert corpus_bleu(REFERENCES, REFERENCES) == pytest.approx(100.0)
    assert corpus_chrf(REFERENCES, REFERENCES) == pytest.approx(100.0)
    assert corpus_bleu([""] * 5, REFERENCES) == 0.0
