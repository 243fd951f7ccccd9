"""Translation metrics, computed as sacreBLEU computes them.

BLEU: corpus-level, 4-grams, sacreBLEU's 13a tokenisation, case-sensitive, one reference per
sentence, through torchmetrics' SacreBLEUScore. Unsmoothed (smooth:none): sacreBLEU's default
`exp` smoothing differs only when some n-gram order has no match at all, where unsmoothed BLEU
is 0 and smoothed BLEU a small positive number.

chrF: character 6-grams without whitespace, beta 2, no word n-grams (chrF++ would add word
2-grams), precision and recall averaged over the orders that occur (sacreBLEU's default,
eff:yes). It is counted here rather than by torchmetrics: torchmetrics 1.9's CHRFScore drops
the reference n-grams of a hypothesis that shares no n-gram with its reference (an empty
output, say), which inflates the corpus score (Lightning-AI/torchmetrics#3480).

Both are on sacreBLEU's 0-100 scale; tests/evaluation/test_metrics.py checks them against the
`sacrebleu` package with the settings the signatures name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

BLEU_SIGNATURE = "nrefs:1|case:mixed|eff:no|tok:13a|smooth:none"
"""sacreBLEU's description of the BLEU computed here (its own signature format)."""
CHRF_SIGNATURE = "nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no"
"""sacreBLEU's description of the chrF computed here."""
CHAR_ORDER, BETA = 6, 2.0


def corpus_bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) of hypotheses against one reference each."""
    from torchmetrics.text import SacreBLEUScore

    _check(hypotheses, references)
    metric = SacreBLEUScore(n_gram=4, smooth=False, tokenize="13a", lowercase=False)
    return float(metric(list(hypotheses), [[r] for r in references])) * 100


def corpus_chrf(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus chrF (0-100) of hypotheses against one reference each."""
    _check(hypotheses, references)
    totals = [[0, 0, 0] for _ in range(CHAR_ORDER)]  # per order: hypothesis, reference, match
    for hyp, ref in zip(hypotheses, references, strict=True):
        for n, (h, r) in enumerate(zip(_char_ngrams(hyp), _char_ngrams(ref), strict=True)):
            totals[n][0] += sum(h.values())
            totals[n][1] += sum(r.values())
            totals[n][2] += sum((h & r).values())  # clipped matches: min of the two counts
    return _f_score(totals)


def _char_ngrams(text: str) -> list[Counter]:
    """Character n-gram counts of orders 1..6, whitespace removed."""
    chars = "".join(text.split())
    return [
        Counter(chars[i : i + n] for i in range(len(chars) - n + 1))
        for n in range(1, CHAR_ORDER + 1)
    ]


def _f_score(totals: list[list[int]]) -> float:
    """F_beta of the precision and recall averaged over the orders both sides have."""
    precision = recall = 0.0
    orders = 0
    for hyp, ref, match in totals:
        if hyp > 0 and ref > 0:
            precision += match / hyp
            recall += match / ref
            orders += 1
    if not orders:
        return 0.0
    precision, recall = precision / orders, recall / orders
    if precision + recall == 0:
        return 0.0
    factor = BETA**2
    return 100 * (1 + factor) * precision * recall / (factor * precision + recall)


def _check(hypotheses: Sequence[str], references: Sequence[str]) -> None:
    if len(hypotheses) != len(references):
        raise ValueError(f"{len(hypotheses)} hypotheses but {len(references)} references")
