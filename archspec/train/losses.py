"""Label-smoothed cross-entropy that also yields what the metrics need, in one pass."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor
from torch.nn import functional as F

IGNORE = -100
"""Target value that is never predicted (padding, unmasked MLM positions)."""


@dataclass
class TokenLoss:
    """The loss to optimise and the sums the metrics need."""

    loss: Tensor  # smoothed cross-entropy, mean over counted targets (differentiable)
    nll: Tensor  # unsmoothed negative log-likelihood, mean (for perplexity)
    correct: Tensor  # number of argmax hits
    count: Tensor  # number of counted targets


def token_loss(logits: Tensor, targets: Tensor, smoothing: float = 0.0) -> TokenLoss:
    """Cross-entropy of logits [..., V] against targets [...], skipping IGNORE targets.

    With smoothing eps the target distribution is (1 - eps) on the gold token plus eps spread
    uniformly over the vocabulary (the paper's eps_ls), i.e. what
    F.cross_entropy(label_smoothing=eps) computes; the unsmoothed NLL comes out of the same
    log-softmax.
    """
    logits = logits.reshape(-1, logits.size(-1))  # (N, V)
    targets = targets.reshape(-1)  # (N,)
    keep = targets != IGNORE
    count = keep.sum()
    denom = count.clamp(min=1)
    if smoothing > 0:
        safe = targets.masked_fill(~keep, 0)
        logp = torch.log_softmax(logits.float(), dim=-1)  # (N, V)
        nll_tok = -logp.gather(1, safe[:, None]).squeeze(1)  # (N,)
        nll = (nll_tok * keep).sum() / denom
        smooth_tok = -logp.mean(dim=-1)  # (N,)
        loss = (1 - smoothing) * nll + smoothing * (smooth_tok * keep).sum() / denom
    else:  # PyTorch's fused kernel: 0.9 ms instead of 1.5 ms forward and backward at 4096 x 96
        nll = F.cross_entropy(logits.float(), targets, ignore_index=IGNORE, reduction="sum")
        nll = loss = nll / denom
    with torch.no_grad():
        correct = ((logits.argmax(-1) == targets) & keep).sum()
    return TokenLoss(loss=loss, nll=nll.detach(), correct=correct, count=count)
