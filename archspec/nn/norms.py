"""Normalisations over the feature dimension.

Shapes: B batch, T time, D d_model.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F


class LayerNorm(nn.LayerNorm):
    """(x - mean) / sqrt(var + eps) * gain (+ bias): nn.LayerNorm with the bias optional."""

    def __init__(self, d_model: int, eps: float = 1e-5, bias: bool = True) -> None:
        super().__init__(d_model, eps=eps, bias=bias)


class RMSNorm(nn.Module):
    """x / sqrt(mean(x^2) + eps) * gain: no mean subtraction and no bias (Zhang & Sennrich 2019)."""

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d_model))  # (D,)

    def reset_parameters(self) -> None:
        nn.init.ones_(self.weight)

    def forward(self, x: Tensor) -> Tensor:
        if hasattr(F, "rms_norm"):  # torch >= 2.4: one fused op
            return F.rms_norm(x, self.weight.shape, self.weight, self.eps)
        x32 = x.float()
        scale = torch.rsqrt(x32.pow(2).mean(-1, keepdim=True) + self.eps)  # (B, T, 1)
        return (x32 * scale).type_as(x) * self.weight  # (B, T, D)
