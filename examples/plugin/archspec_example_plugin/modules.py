"""The plugin's torch modules (imported only when a model is built).

Shapes: B batch, T time, D d_model.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from archspec.nn.positions import SinusoidalPositions


class ScaleNorm(nn.Module):
    """g * x / max(||x||_2, eps) over the last dimension, one scalar gain g."""

    def __init__(self, d_model: int, eps: float = 1e-5) -> None:
        super().__init__()
        self.eps = eps
        self.initial = math.sqrt(d_model)
        self.gain = nn.Parameter(torch.tensor(self.initial))  # ()

    def reset_parameters(self) -> None:
        nn.init.constant_(self.gain, self.initial)

    def forward(self, x: Tensor) -> Tensor:
        norm = x.norm(dim=-1, keepdim=True).clamp_min(self.eps)  # (B, T, 1)
        return self.gain * x / norm  # (B, T, D)


class ScaledSinusoids(SinusoidalPositions):
    """The fixed table (a non-persistent buffer) times a learned scalar."""

    def __init__(self, d_model: int, max_len: int, base: float, scale: float) -> None:
        super().__init__(d_model, max_len, base)
        self.initial = scale
        self.gain = nn.Parameter(torch.tensor(scale))  # ()

    def reset_parameters(self) -> None:
        super().reset_parameters()
        nn.init.constant_(self.gain, self.initial)

    def forward(self, t: int, offset: int = 0) -> Tensor:
        return super().forward(t, offset) * self.gain  # (T, D)
