"""The `trainer:` section: how long, where and how Lightning runs; every field is also a
`archspec train` flag."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from archspec.spec.base import Issues, Spec


class TrainerSpec(Spec):
    """Options passed to Lightning's Trainer (and a few archspec adds)."""

    accelerator: Literal["auto", "cpu", "gpu", "cuda", "mps", "tpu"] = "auto"
    """Hardware to run on."""
    devices: int | Literal["auto"] = 1
    """Devices per node (processes, with a DDP strategy)."""
    num_nodes: int = Field(1, ge=1)
    """Machines taking part."""
    strategy: Literal["auto", "ddp", "ddp_spawn", "fsdp", "deepspeed"] = "auto"
    """How work is split across devices (passed to Lightning)."""
    precision: Literal["32", "bf16-mixed", "16-mixed", "bf16-true"] = "32"
    """Numeric precision (mixed precision autocasts matmuls)."""
    max_steps: int = Field(1000, ge=1)
    """Optimizer steps to train for (schedules end here)."""
    max_epochs: int | None = Field(None, ge=1)
    """Stop after this many epochs too, if set."""
    val_every: int = Field(200, ge=1)
    """Validate every this many optimizer steps (and at the end)."""
    val_batches: int | None = Field(None, ge=1)
    """Validation batches per validation (None: the whole validation set)."""
    accumulate: int = Field(1, ge=1)
    """Batches whose gradients are summed into one optimizer step."""
    clip_grad: float | None = Field(1.0, gt=0)
    """Clip the gradient norm to this value (None: no clipping)."""
    seed: int = 0
    """Seed for weights, data order and masking."""
    deterministic: bool = False
    """Ask PyTorch for deterministic kernels (slower on some devices)."""
    compile: bool = False
    """torch.compile the model. The first compile takes 4-12 s for the benchmark models on 2 CPU
    cores, where compiled steps ran at 0.91-0.95x eager (benchmarks/RESULTS.md); measure on your
    device."""
    log_every: int = Field(10, ge=1)
    """Log training metrics every this many steps."""
    checkpoint_metric: str | None = None
    """Metric that picks the best checkpoint (default: the objective's; val_loss for every
    built-in objective). Validation checks that the objective logs it."""
    checkpoint_mode: Literal["min", "max"] | None = None
    """Whether a lower or a higher checkpoint_metric is better (default: the objective's mode
    for its default metric, else min)."""
    checkpoint_every: int | None = Field(None, ge=1)
    """Also save last.ckpt every this many steps (it is always saved at every validation)."""
    checkpoint_minutes: float | None = Field(10.0, gt=0)
    """Also save last.ckpt when this many minutes of training have passed since the last save,
    so that a kill loses little (None: only by steps and at validation)."""
    on_nonfinite: Literal["stop", "skip"] = "stop"
    """When the loss or the gradients are not finite: stop (the run ends as 'diverged', exit
    status 3, last.ckpt keeps the last finite weights) or skip that step."""
    skip_limit: int = Field(10, ge=1)
    """With on_nonfinite: skip, steps dropped before the run stops as diverged."""

    @field_validator("precision", mode="before")
    @classmethod
    def _precision_number(cls, value: object) -> object:
        """`--precision 32` reads as the integer 32: the same setting as '32'."""
        return str(value) if value in (32, 16) and not isinstance(value, bool) else value

    @model_validator(mode="after")
    def _rules(self) -> TrainerSpec:
        issues = Issues()
        if self.strategy in ("fsdp", "deepspeed") and self.accelerator == "cpu":
            issues.add("strategy", f"{self.strategy} needs GPUs; on CPU use ddp")
        if isinstance(self.devices, int) and self.devices < 1:
            issues.add("devices", "must be at least 1 (or 'auto')")
        issues.raise_if_any()
        return self
