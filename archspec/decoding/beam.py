"""Beam search with GNMT's length penalty, the paper's decoding (beam 4, alpha 0.6).

Legend: A sentences still being searched, K beam size, V vocabulary, T tokens so far.

Each step extends every alive hypothesis by every token and keeps the 2K best candidates by
summed log-probability: an <eos> candidate among the best K becomes a finished hypothesis,
scored logp / lp(|Y|) with lp(|Y|) = ((5 + |Y|) / 6)^alpha (Wu et al. 2016; |Y| counts the
<eos>); the best K other candidates stay alive. A sentence stops once it has K finished
hypotheses (fairseq's rule) or reaches its length limit, where the alive hypotheses are
finished as they are. With K = 1 this is exactly greedy search.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from archspec.decoding.loop import limits_of

NEG_INF = float("-inf")


def length_penalty(length: int, alpha: float) -> float:
    """GNMT's lp(Y) = ((5 + |Y|) / 6)^alpha; alpha 0 gives 1 (plain log-probability)."""
    return ((5 + length) / 6) ** alpha


@dataclass(frozen=True)
class Hypothesis:
    """One finished hypothesis: its tokens (ending in <eos> unless cut by the length limit)."""

    tokens: list[int]
    logp: float
    """Sum of the tokens' log-probabilities."""
    score: float
    """logp / lp(len(tokens)): what the search maximises."""


@torch.no_grad()
def beam_search(
    session,
    first: Tensor,
    max_new: int | Sequence[int],
    eos: int,
    *,
    beam: int = 4,
    alpha: float = 0.6,
) -> list[list[Hypothesis]]:
    """Beam search from `first` (B, T0) in a decoding session (archspec.decoding.session).

    Returns every row's finished hypotheses, best score first. The session is expanded to
    B*K rows after the first step and reordered at every step.
    """
    k = beam
    limits = limits_of(max_new, first.size(0))
    finished: list[list[Hypothesis]] = [[] for _ in range(first.size(0))]
    sentences = [i for i, limit in enumerate(limits) if limit > 0]
    if not sentences:
        return finished
    device = first.device
    logits = session.advance(first)  # (B, V)
    if len(sentences) < first.size(0):
        keep = torch.tensor(sentences, device=device)
        session.select(keep)
        logits = logits.index_select(0, keep)
    a = len(sentences)
    session.select(torch.arange(a, device=device).repeat_interleave(k))  # (A*K,) copies
    logp = logits.float().log_softmax(-1).repeat_interleave(k, 0)  # (A*K, V)
    scores = torch.full((a, k), NEG_INF, device=device)
    scores[:, 0] = 0.0  # only the first copy is alive: the K copies are one hypothesis
    hyps = torch.zeros(a, k, 0, dtype=torch.long, device=device)  # (A, K, T)
    step = 0
    while True:
        step += 1
        v = logp.size(-1)
        cand = (scores[:, :, None] + logp.view(a, k, v)).view(a, k * v)  # (A, K*V)
        top, idx = cand.topk(min(2 * k, k * v), dim=1)  # (A, 2K)
        origin, token = idx // v, idx % v  # (A, 2K)
        is_eos = token == eos
        lp = length_penalty(step, alpha)
        _collect_eos(finished, sentences, hyps, top, origin, is_eos, k, eos, lp)
        alive, pick = top.masked_fill(is_eos, NEG_INF).topk(k, dim=1)  # (A, K)
        alive_origin, alive_token = origin.gather(1, pick), token.gather(1, pick)  # (A, K)
        t = hyps.size(2)
        hyps = hyps.gather(1, alive_origin[:, :, None].expand(a, k, t))  # (A, K, T)
        hyps = torch.cat([hyps, alive_token[:, :, None]], dim=2)  # (A, K, T + 1)
        remaining = []
        for i, row in enumerate(sentences):
            if len(finished[row]) >= k:
                continue
            if step >= limits[row]:  # cut by the limit: finish the alive hypotheses as they are
                for r, logp_r in enumerate(alive[i].tolist()):
                    if logp_r > NEG_INF:
                        finished[row].append(Hypothesis(hyps[i, r].tolist(), logp_r, logp_r / lp))
                continue
            remaining.append(i)
        if not remaining:
            break
        rest = torch.tensor(remaining, device=device)
        rows = (rest[:, None] * k + alive_origin.index_select(0, rest)).view(-1)  # (A'*K,)
        session.select(rows)
        tokens = alive_token.index_select(0, rest).view(-1, 1)  # (A'*K, 1)
        scores, hyps = alive.index_select(0, rest), hyps.index_select(0, rest)
        sentences = [sentences[i] for i in remaining]
        a = len(sentences)
        logp = session.advance(tokens).float().log_softmax(-1)  # (A*K, V)
    return [sorted(h, key=lambda x: x.score, reverse=True) for h in finished]


def _collect_eos(finished, sentences, hyps, top, origin, is_eos, k, eos, lp) -> None:
    """Finish the <eos> candidates among each sentence's best K (fairseq considers no more)."""
    top_l, origin_l, eos_l = top[:, :k].tolist(), origin[:, :k].tolist(), is_eos[:, :k].tolist()
    for i, row in enumerate(sentences):
        for r in range(len(top_l[i])):
            if eos_l[i][r] and top_l[i][r] > NEG_INF:
                tokens = hyps[i, origin_l[i][r]].tolist() + [eos]
                finished[row].append(Hypothesis(tokens, top_l[i][r], top_l[i][r] / lp))
