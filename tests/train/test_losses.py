"""The training loss against PyTorch's own cross-entropy with label smoothing."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from archspec.train.losses import IGNORE, token_loss


@pytest.mark.parametrize("eps", [0.0, 0.1, 0.3])
def test_matches_cross_entropy_with_label_smoothing_and_ignored_targets(eps: float) -> None:
    torch.manual_seed(0)
    logits = torch.randn(4, 7, 11, requires_grad=True)
    targets = torch.randint(0, 11, (4, 7))
    targets[0, 5:] = IGNORE
    targets[3, :] = IGNORE
    out = token_loss(logits, targets, eps)
    ref = F.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1), label_smoothing=eps)
    assert out.loss.item() == pytest.approx(ref.item(), rel=1e-6)
    (g,) = torch.autograd.grad(out.loss, logits)
    (g_ref,) = torch.autograd.grad(ref, logits)
    torch.testing.assert_close(g, g_ref)
    nll = F.cross_entropy(logits.reshape(-1, 11), targets.reshape(-1))
    assert out.nll.item() == pytest.approx(nll.item(), rel=1e-6)
    keep = targets != IGNORE
    assert int(out.count) == int(keep.sum())
    assert int(out.correct) == int(((logits.argmax(-1) == targets) & keep).sum())


@pytest.mark.parametrize("eps", [0.0, 0.1])
def test_all_ignored_gives_zero_loss_not_nan(eps: float) -> None:
    out = token_loss(torch.randn(2, 3, 5), torch.full((2, 3), IGNORE), eps)
    assert out.loss.item() == 0.0 and int(out.count) == 0
