"""The step loop greedy search and sampling share: choose a token per row, feed it, repeat.

Legend: N rows, T0 first tokens (the prompt, or <bos>), V vocabulary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor

Choose = Callable[[Tensor], Tensor]
"""Next-token logits (N, V) -> the chosen tokens Long[N]."""


def limits_of(max_new: int | Sequence[int], n: int) -> list[int]:
    """One new-token limit per row, from one number or one per row."""
    limits = [int(max_new)] * n if isinstance(max_new, int) else [int(m) for m in max_new]
    if len(limits) != n:
        raise ValueError(f"{len(limits)} limits for {n} rows")
    return limits


@torch.no_grad()
def decode_loop(
    session, first: Tensor, max_new: int | Sequence[int], eos: int | None, choose: Choose
) -> list[list[int]]:
    """Feed `first` (N, T0), then choose and feed one token per unfinished row at a time.

    A row finishes after producing `eos` (kept as its last token) or its `max_new` tokens
    (one limit, or one per row). Finished rows leave the session, so the batch shrinks as
    rows finish. Returns the new tokens of every row.
    """
    n = first.size(0)
    limits = limits_of(max_new, n)
    out: list[list[int]] = [[] for _ in range(n)]
    alive = [row for row in range(n) if limits[row] > 0]
    if not alive:
        return out
    logits = session.advance(first)  # (N, V)
    if len(alive) < n:
        index = torch.tensor(alive, device=first.device)
        session.select(index)
        logits = logits.index_select(0, index)
    while True:
        nxt = choose(logits)  # (A,)
        keep = []
        for j, (row, token) in enumerate(zip(alive, nxt.tolist(), strict=True)):
            out[row].append(token)
            if token != eos and len(out[row]) < limits[row]:
                keep.append(j)
        if not keep:
            return out
        if len(keep) < len(alive):
            index = torch.tensor(keep, device=nxt.device)
            session.select(index)
            nxt = nxt.index_select(0, index)
            alive = [alive[j] for j in keep]
        logits = session.advance(nxt[:, None])  # (A, V)


def pad_rows(rows: list[list[int]], pad: int, device: torch.device) -> Tensor:
    """Token lists -> Long[N, longest], filled with `pad`."""
    width = max((len(r) for r in rows), default=0)
    out = torch.full((len(rows), width), pad, dtype=torch.long, device=device)  # (N, W)
    for i, r in enumerate(rows):
        out[i, : len(r)] = torch.tensor(r, dtype=torch.long)
    return out
