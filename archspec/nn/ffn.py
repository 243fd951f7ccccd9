"""Position-wise feed-forward networks: FFN(x) = act(x W_1 + b_1) W_2 + b_2, or gated.

Shapes: B batch, T time, D d_model, F d_ff.

No dropout inside (the paper drops out the sub-layer output only; nn.TransformerEncoderLayer
also drops the F-wide activation, which costs time and is not the paper's model).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn
from torch.nn import functional as F

ActivationFn = Callable[[Tensor], Tensor]


def gelu_tanh(x: Tensor) -> Tensor:
    """GPT-2's "gelu_new": 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), one fused op."""
    return F.gelu(x, approximate="tanh")


def identity(x: Tensor) -> Tensor:
    """No activation (the bilinear gated form)."""
    return x


ACTIVATIONS: dict[str, ActivationFn] = {
    "relu": F.relu,
    "gelu": F.gelu,  # erf form
    "gelu_tanh": gelu_tanh,
    "silu": F.silu,  # swish with beta 1
    "sigmoid": torch.sigmoid,
    "identity": identity,
}
"""The activation functions feed-forward kinds name (archspec/components/ffn/)."""


class FeedForward(nn.Module):
    """act(x W_1) W_2, or gated (Shazeer 2020): (act(x W) * (x V)) W_2.

    The builder passes the activation function (one of ACTIVATIONS). When gated, W and V are
    fused into one Linear `w_in` of D -> 2F whose first half is W (the gate) and second half V.
    """

    def __init__(
        self, d_model: int, d_ff: int, activation: ActivationFn, *, gated: bool, bias: bool = True
    ) -> None:
        super().__init__()
        self.activation = activation
        self.gated = gated
        self.w_in = nn.Linear(d_model, (2 if gated else 1) * d_ff, bias=bias)
        self.w_out = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        h = self.w_in(x)  # (B, T, F), or (B, T, 2F) when gated
        if self.gated:
            gate, value = h.chunk(2, dim=-1)  # (B, T, F) each
            h = self.activation(gate) * value  # (B, T, F)
        else:
            h = self.activation(h)  # (B, T, F)
        return self.w_out(h)  # (B, T, D)
