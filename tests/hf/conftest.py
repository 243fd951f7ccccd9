"""Hugging Face models built from small configs with random weights (nothing is downloaded)."""

from __future__ import annotations

import pytest
import torch

transformers = pytest.importorskip("transformers")

TOL = dict(atol=1e-5, rtol=0.0)
"""fp32 parity: outputs within 1e-5."""


def randomize(model: torch.nn.Module, seed: int = 0) -> None:
    """Move every weight away from its initial value (norm gains 1, biases 0), so that a
    mis-mapped gain or bias cannot go unnoticed."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn(p.shape, generator=g) * 0.1)


def padded(batch: int, t: int, vocab: int, lengths: list[int], seed: int = 1):
    """Token ids [B, T] and the pad mask [B, T] (True at padding) of right-padded rows."""
    g = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, vocab, (batch, t), generator=g)
    pad = torch.arange(t)[None, :] >= torch.tensor(lengths)[:, None]
    return ids.masked_fill(pad, 1), pad


@pytest.fixture(autouse=True)
def fp32_eval():
    torch.manual_seed(0)
    yield
