"""Position-wise feed-forward networks: FFN(x) = act(x W_1 + b_1) W_2 + b_2.

Shapes: B batch, T time, D d_model, F d_ff.

No dropout inside (the paper drops out the sub-layer output only; nn.TransformerEncoderLayer
also drops the F-wide activation, which costs time and is not the paper's model).
"""

from __future__ import annotations

from typing import Literal

from torch import Tensor, nn
from torch.nn import functional as F

Activation = Literal["relu", "gelu", "swiglu"]


class FeedForward(nn.Module):
    """relu / gelu (exact, erf form, as BERT and nn.Transformer) / swiglu.

    swiglu is gated (Shazeer 2020): (silu(x W) * (x V)) W_2; W and V are fused into one
    Linear `w_in` of D -> 2F whose first half is W (the gate) and second half V.
    """

    def __init__(self, d_model: int, d_ff: int, activation: Activation, bias: bool = True) -> None:
        super().__init__()
        self.activation = activation
        n_in = 2 if activation == "swiglu" else 1
        self.w_in = nn.Linear(d_model, n_in * d_ff, bias=bias)
        self.w_out = nn.Linear(d_ff, d_model, bias=bias)

    def forward(self, x: Tensor) -> Tensor:
        h = self.w_in(x)  # (B, T, F) or (B, T, 2F) for swiglu
        if self.activation == "relu":
            h = F.relu(h)
        elif self.activation == "gelu":
            h = F.gelu(h)
        else:
            gate, value = h.chunk(2, dim=-1)  # (B, T, F) each
            h = F.silu(gate) * value  # (B, T, F)
        return self.w_out(h)  # (B, T, D)
