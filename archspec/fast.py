"""Speed options a trainer applies to a built model: torch.compile and bf16 autocast.

Training code calls these; nothing here changes what a model computes.

- `maybe_compile(model, enabled)`: the recipe's `trainer.compile`. Compiles in place
  (nn.Module.compile), so parameter names and checkpoints stay those of the eager model.
  Measured on a 2-core CPU it gives about 0.9-1.05x at small shapes and costs tens of seconds
  of cold compile (benchmarks/RESULTS.md), so it is off by default; on a GPU it usually pays.
- `autocast(device, precision)`: the forward's precision context. bf16 autocast runs the
  matmuls in bf16 and keeps reductions (softmax, norms, the loss) in fp32 where torch's
  autocast lists say so; every archspec attention path (SDPA with a causal flag, boolean masks,
  the float relative-position bias, the explicit relative-value path) runs under it on CPU and
  GPU (tests/test_fast.py).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import torch
    from torch import nn

Precision = Literal["32", "bf16-mixed"]


def maybe_compile(model: nn.Module, enabled: bool, **options: object) -> nn.Module:
    """The model, compiled in place with torch.compile when `enabled` (options go to
    torch.compile, e.g. mode="max-autotune"); returns the same module either way."""
    if enabled:
        model.compile(**options)
    return model


def is_compiled(model: nn.Module) -> bool:
    """Whether `maybe_compile(model, True)` has been applied."""
    return getattr(model, "_compiled_call_impl", None) is not None


def autocast(
    device: str | torch.device, precision: Precision = "bf16-mixed"
) -> contextlib.AbstractContextManager:
    """torch.autocast in bf16 on `device` for "bf16-mixed"; a no-op context for "32"."""
    import torch

    if precision == "32":
        return contextlib.nullcontext()
    device_type = torch.device(device).type
    return torch.autocast(device_type, dtype=torch.bfloat16)
