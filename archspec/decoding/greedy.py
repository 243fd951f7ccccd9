"""Greedy decoding: at every step the most likely next token.

Legend: B batch, S source length, T generated length, V vocabulary.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


@torch.no_grad()
def greedy_translate(
    model: nn.Module,
    src: Tensor,
    src_pad: Tensor | None,
    bos: int,
    eos: int,
    pad: int,
    max_new: int,
) -> Tensor:
    """Translate a batch with an encoder-decoder: src (B, S) -> token ids (B, <= max_new).

    Every row starts from <bos>; a finished row (it produced <eos>) is padded afterwards.
    """
    memory = model.encode(src, src_pad)  # (B, S, D)
    batch = src.size(0)
    ys = torch.full((batch, 1), bos, dtype=torch.long, device=src.device)  # (B, 1)
    done = torch.zeros(batch, dtype=torch.bool, device=src.device)
    for _ in range(max_new):
        logits = model.decode(ys, memory, src_pad)[:, -1]  # (B, V)
        nxt = logits.argmax(-1).masked_fill(done, pad)  # (B,)
        ys = torch.cat([ys, nxt[:, None]], dim=1)  # (B, T + 1)
        done |= nxt == eos
        if bool(done.all()):
            break
    return ys[:, 1:]
