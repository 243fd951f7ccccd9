"""The optimizer a recipe asks for, with weight decay only where it belongs."""

from __future__ import annotations

import torch
from torch import nn

from archspec.spec.optim import OptimizerSpec
from archspec.spec.trainer import TrainerSpec

MIXED = ("16-mixed", "bf16-mixed")
"""Precision settings whose plugin unscales gradients before clipping (AMP)."""


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


def build_optimizer(
    model: nn.Module, spec: OptimizerSpec, trainer: TrainerSpec | None = None
) -> torch.optim.Optimizer:
    """Adam or AdamW at base lr 1.0 (the schedule supplies the absolute rate).

    The fused implementation runs the whole update in one kernel (about 4x faster steps on
    CPU at a few million parameters); it is used wherever every parameter allows it, except
    under mixed precision with gradient clipping: a fused optimizer unscales gradients inside
    its own step, so Lightning cannot clip them first and refuses to train.  There PyTorch's
    default implementation takes its place (foreach on CUDA, a loop over tensors on CPU).
    Measured AdamW steps at 1.05M parameters on 2 CPU cores: fused 0.32 ms, the default loop
    1.21 ms, foreach 2.20 ms (so not foreach on CPU).
    """
    cls = torch.optim.AdamW if spec.kind == "adamw" else torch.optim.Adam
    params = list(model.parameters())
    fused = bool(params) and all(
        p.is_floating_point() and p.device.type in ("cpu", "cuda") for p in params
    )
    amp_clips = trainer is not None and trainer.precision in MIXED and bool(trainer.clip_grad)
    use_fused = None if amp_clips else (fused or None)  # None: PyTorch's default choice
    groups = _groups(model, spec, params)
    beta1, beta2 = spec.betas
    return cls(groups, lr=1.0, betas=(beta1, beta2), eps=spec.eps, fused=use_fused)


def _groups(model: nn.Module, spec: OptimizerSpec, params: list) -> list[dict]:
    if spec.kind == "adamw":
        return param_groups(model, spec.weight_decay)
    return [{"params": [p for p in params if p.requires_grad], "weight_decay": spec.weight_decay}]
