"""Collation: next-token targets, classification labels, and BERT's 15% / 80-10-10 masking."""

from __future__ import annotations

import math

import torch

from archspec.data.collate import IGNORE, MaskTokens, collate_causal, collate_tokens


def test_causal_targets_are_the_next_token_and_ignore_padding():
    items = [
        {"index": 0, "seq": torch.tensor([2, 10, 11, 12, 3])},
        {"index": 1, "seq": torch.tensor([2, 20, 3])},
    ]
    batch = collate_causal(items)
    assert batch["tokens"].tolist() == [[2, 10, 11, 12], [2, 20, 0, 0]]
    assert batch["targets"].tolist() == [[10, 11, 12, 3], [20, 3, IGNORE, IGNORE]]
    assert batch["pad"].tolist() == [[False] * 4, [False, False, True, True]]


def _masked(n_rows=400, length=500, vocab=1000, seed=0, step=0):
    gen = torch.Generator().manual_seed(123)
    lengths = torch.randint(length // 2, length + 1, (n_rows,), generator=gen)
    items = [
        {"index": i, "seq": torch.randint(5, vocab, (int(n),), generator=gen)}
        for i, n in enumerate(lengths)
    ]
    batch = collate_tokens(items)
    masking = MaskTokens(vocab_size=vocab, first_ordinary=5, seed=seed)
    return batch, masking(batch, epoch=0, step=step)


def _within(count, n, p):
    """count / n is p up to 5 binomial standard deviations."""
    return abs(count - n * p) <= 5 * math.sqrt(n * p * (1 - p))


def test_masking_proportions_and_labels():
    clean, out = _masked()
    real = ~clean["pad"]
    chosen = out["targets"] != IGNORE
    n_real, n_chosen = int(real.sum()), int(chosen.sum())
    assert n_real > 100_000
    assert not (chosen & clean["pad"]).any()  # never a padding position
    assert _within(n_chosen, n_real, 0.15)
    assert torch.equal(out["targets"][chosen], clean["tokens"][chosen])  # labels: the originals
    masked = chosen & (out["tokens"] == 4)
    unchanged = chosen & (out["tokens"] == clean["tokens"])
    replaced = chosen & ~masked & ~unchanged
    assert _within(int(masked.sum()), n_chosen, 0.8)
    # a random replacement hits the original token 1 time in 995: it then counts as unchanged
    assert _within(int(replaced.sum()), n_chosen, 0.1 * (1 - 1 / 995))
    assert _within(int(unchanged.sum()), n_chosen, 0.1 + 0.1 / 995)
    assert int(out["tokens"][replaced].min()) >= 5  # random tokens are ordinary tokens
    assert torch.equal(out["tokens"][~chosen], clean["tokens"][~chosen])


def test_masking_replays_for_the_same_step_and_changes_across_steps():
    _, first = _masked(n_rows=8, length=64, step=3)
    _, again = _masked(n_rows=8, length=64, step=3)
    _, other = _masked(n_rows=8, length=64, step=4)
    assert torch.equal(first["tokens"], again["tokens"])
    assert torch.equal(first["targets"], again["targets"])
    assert not torch.equal(first["targets"], other["targets"])
