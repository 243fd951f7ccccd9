"""Beam search against exhaustive search and greedy search; sampling filters against their
definitions. A bigram "model" (next-token logits depend on the last token only) makes every
sequence's probability easy to write out in the test."""

from __future__ import annotations

import itertools
import math

import pytest
import torch

from archspec.decoding.beam import beam_search
from archspec.decoding.greedy import greedy
from archspec.decoding.sampling import filter_logits, sample_tokens

EOS = 3


class Bigram:
    """A decoding session whose next-token logits are table[last token]."""

    def __init__(self, table: torch.Tensor) -> None:
        self.table = table
        self.last: torch.Tensor | None = None

    def advance(self, tokens: torch.Tensor) -> torch.Tensor:
        self.last = tokens[:, -1]
        return self.table[self.last]

    def select(self, index: torch.Tensor) -> None:
        self.last = self.last.index_select(0, index)


def bigram(seed: int, vocab: int = 6, sharp: float = 2.0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(vocab, vocab, generator=g) * sharp


def best_by_enumeration(table, start: int, max_new: int, alpha: float) -> list[int]:
    """argmax over every sequence of length <= max_new (only the last token may be <eos>,
    and a sequence shorter than max_new must end with it) of logp / ((5 + |Y|) / 6)^alpha."""
    logp = table.log_softmax(-1).double()
    vocab = table.size(0)
    words = [t for t in range(vocab) if t != EOS]
    best, best_score = None, -math.inf
    for n in range(1, max_new + 1):
        for body in itertools.product(words, repeat=n - 1):
            for last in [EOS] if n < max_new else [*words, EOS]:
                seq = [*body, last]
                prev, total = start, 0.0
                for tok in seq:
                    total += float(logp[prev, tok])
                    prev = tok
                score = total / ((5 + n) / 6) ** alpha
                if score > best_score:
                    best, best_score = seq, score
    return best


@pytest.mark.parametrize("alpha", [0.0, 0.6, 2.0])
@pytest.mark.parametrize("seed", range(4))
def test_a_wide_beam_finds_the_best_sequence(seed: int, alpha: float) -> None:
    table = bigram(seed, sharp=1.0)
    starts = torch.tensor([[0], [4], [5]])
    found = beam_search(Bigram(table), starts, 4, EOS, beam=200, alpha=alpha)
    for row, start in enumerate(starts[:, 0].tolist()):
        assert found[row][0].tokens == best_by_enumeration(table, start, 4, alpha)


@pytest.mark.parametrize("seed", range(6))
def test_beam_of_one_is_greedy(seed: int) -> None:
    table = bigram(seed)
    starts = torch.tensor([[0], [1], [2], [4], [5]])
    limits = [7, 3, 9, 1, 5]
    beams = beam_search(Bigram(table), starts, limits, EOS, beam=1, alpha=0.6)
    greedies = greedy(Bigram(table), starts, limits, EOS)
    assert [b[0].tokens for b in beams] == greedies
    for g, limit in zip(greedies, limits, strict=True):
        assert len(g) == limit or g[-1] == EOS


def test_length_penalty_prefers_longer_hypotheses_as_alpha_grows() -> None:
    found = {
        alpha: beam_search(
            Bigram(bigram(3, sharp=1.0)), torch.tensor([[0]]), 6, EOS, beam=50, alpha=alpha
        )[0][0]
        for alpha in (0.0, 1.0, 3.0)
    }
    lengths = [len(found[a].tokens) for a in (0.0, 1.0, 3.0)]
    assert lengths == sorted(lengths) and lengths[0] < lengths[-1]


def test_finished_hypotheses_report_their_scores() -> None:
    table = bigram(1)
    hyps = beam_search(Bigram(table), torch.tensor([[0]]), 5, EOS, beam=4, alpha=0.6)[0]
    logp = table.log_softmax(-1)
    assert len(hyps) >= 4
    for h in hyps:
        prev, total = 0, 0.0
        for tok in h.tokens:
            total += float(logp[prev, tok])
            prev = tok
        assert h.logp == pytest.approx(total, abs=1e-5)
        assert h.score == pytest.approx(total / ((5 + len(h.tokens)) / 6) ** 0.6, abs=1e-5)
    assert [h.score for h in hyps] == sorted((h.score for h in hyps), reverse=True)


def test_top_k_keeps_the_k_most_likely_tokens() -> None:
    logits = torch.tensor([[1.0, 5.0, 3.0, 2.0, 4.0]])
    kept = filter_logits(logits, top_k=2).isfinite()
    assert kept.tolist() == [[False, True, False, False, True]]


def test_top_p_keeps_the_smallest_set_reaching_p() -> None:
    probs = torch.tensor([[0.05, 0.5, 0.2, 0.25]])
    logits = probs.log()
    # sorted: 0.5, 0.25, 0.2, 0.05; cumulative 0.5, 0.75, 0.95, 1.0
    assert filter_logits(logits, top_p=0.5).isfinite().tolist() == [[False, True, False, False]]
    assert filter_logits(logits, top_p=0.7).isfinite().tolist() == [[False, True, False, True]]
    assert filter_logits(logits, top_p=0.9).isfinite().tolist() == [[False, True, True, True]]
    # temperature 0.5 squares the probabilities: 0.0025, 0.25, 0.04, 0.0625 -> normalised
    # 0.007, 0.704, 0.113, 0.176; top-p 0.9 then keeps three tokens and renormalises them
    tempered = filter_logits(logits, temperature=0.5, top_p=0.9).softmax(-1)
    squared = torch.tensor([[0.0, 0.25, 0.04, 0.0625]])
    torch.testing.assert_close(tempered, squared / squared.sum())


def test_sampling_follows_the_filtered_distribution() -> None:
    table = torch.log(torch.tensor([[0.1, 0.6, 0.0, 0.0, 0.3]] * 5) + 1e-12)
    g = torch.Generator().manual_seed(0)
    starts = torch.zeros(4000, 1, dtype=torch.long)
    drawn = sample_tokens(Bigram(table), starts, 1, None, top_k=2, generator=g)
    counts = torch.bincount(torch.tensor(drawn)[:, 0], minlength=5).float() / 4000
    torch.testing.assert_close(
        counts, torch.tensor([0.0, 2 / 3, 0.0, 0.0, 1 / 3]), atol=0.03, rtol=0
    )
