"""The optimizer a recipe asks for, with weight decay only where it belongs."""

from __future__ import annotations

import torch
from torch import nn

from archspec.spec.optim import OptimizerSpec


def param_groups(model: nn.Module, weight_decay: float) -> list[dict]:
    """Decay matrices; never biases, norm gains or 1-D parameters (the GPT-2/nanoGPT rule)."""
    seen: set[int] = set()
    decay: list[nn.Parameter] = []
    no_decay: list[nn.Parameter] = []
    for p in model.parameters():
        if not p.requires_grad or id(p) in seen:
            continue
        seen.add(id(p))
        (decay if p.ndim >= 2 else no_decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return groups


def build_optimizer(model: nn.Module, spec: OptimizerSpec) -> torch.optim.Optimizer:
    """Adam or AdamW at base lr 1.0 (the schedule supplies the absolute rate).

    The fused implementation runs the whole update in one kernel (about 4x faster steps on
    CPU at a few million parameters); it is used wherever every parameter allows it.
    """
    cls = torch.optim.AdamW if spec.kind == "adamw" else torch.optim.Adam
    params = list(model.parameters())
    fused = bool(params) and all(
        p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in params
    )
    if spec.kind == "adamw":
        groups = param_groups(model, spec.weight_decay)
    else:
        groups = [
            {"params": [p for p in params if p.requires_grad], "weight_decay": spec.weight_decay}
        ]
    return cls(groups, lr=1.0, betas=tuple(spec.betas), eps=spec.eps, fused=fused or None)
