"""Initialisers that cost nothing on the meta device.

torch's normal_ on a meta tensor runs a Python decomposition whose first call imports
torch._dynamo (about 1.3 s), which `archspec summary` (built on meta) would pay for nothing:
a meta tensor has no values to initialise.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn


def normal_(w: Tensor, std: float) -> Tensor:
    """N(0, std^2) in place; nothing on the meta device."""
    if not w.is_meta:
        nn.init.normal_(w, std=std)
    return w


def embedding(vocab: int, d_model: int, std: float) -> nn.Embedding:
    """An nn.Embedding initialised N(0, std^2) (nn.Embedding's own N(0, 1) is skipped)."""
    table = nn.Embedding(vocab, d_model, _weight=torch.empty(vocab, d_model))
    normal_(table.weight, std)
    return table
