"""Sampling continuations from a decoder-only model (temperature and top-k).

Legend: B batch, T context length, V vocabulary.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


@torch.no_grad()
def sample(
    model: nn.Module,
    prompt: Tensor,
    new_tokens: int,
    max_len: int,
    temperature: float = 0.8,
    top_k: int | None = 40,
    generator: torch.Generator | None = None,
) -> Tensor:
    """Continue prompt (B, T0) by new_tokens tokens; the context is cropped to max_len."""
    ids = prompt
    for _ in range(new_tokens):
        logits = model(ids[:, -max_len:])[:, -1] / max(temperature, 1e-6)  # (B, V)
        if top_k is not None and top_k < logits.size(-1):
            kth = torch.topk(logits, top_k).values[:, -1:]  # (B, 1)
            logits = logits.masked_fill(logits < kth, float("-inf"))
        probs = torch.softmax(logits, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)  # (B, 1)
        ids = torch.cat([ids, nxt], dim=1)
    return ids[:, prompt.size(1) :]
