"""The `trainer:` section: how long, where and how Lightning runs; every field is also a
`archspec train` flag."""

from __future__ import annotations

import importlib.util
from typing import Any, Literal

from pydantic import Field, field_validator
from pydantic_core import PydanticCustomError

from archspec.spec.base import Issues, Spec, cross_check

LOGGERS = ("csv", "tensorboard", "wandb", "mlflow")
"""Experiment trackers `trainer.loggers` may name (Lightning's loggers)."""

LOGGER_PACKAGES = {"tensorboard": "tensorboard", "wandb": "wandb", "mlflow": "mlflow"}
"""The package each optional tracker needs, which is also its archspec extra."""


class CheckpointEvery(Spec):
    """Activation checkpointing of every k-th layer: layers 0, k, 2k, ... of each stack."""

    every: int = Field(ge=1)
    """Checkpoint one layer in this many (1: every layer, the same as `all`)."""


class EarlyStoppingSpec(Spec):
    """Stop when `trainer.checkpoint_metric` has not improved for `patience` validations."""

    patience: int = Field(3, ge=1)
    """Validations in a row without an improvement of at least min_delta before stopping."""
    min_delta: float = Field(0.0, ge=0)
    """The smallest change of the metric (in its better direction) that counts as improving."""


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
    activation_checkpointing: Literal["off", "all"] | CheckpointEvery = "off"
    """Recompute layers' activations in the backward pass instead of keeping them
    (torch.utils.checkpoint): `off`, `all` layers, or `{every: k}` for layers 0, k, 2k, ... of
    each stack. Saves the activation memory of those layers and costs one more forward of each
    (`archspec diff` shows both); gradients are unchanged."""
    early_stopping: EarlyStoppingSpec | None = None
    """Stop when checkpoint_metric stops improving, e.g. `{patience: 3, min_delta: 0.01}`
    (Lightning's EarlyStopping; the run ends with status 'stopped early'). None: never."""
    loggers: tuple[Literal["csv", "tensorboard", "wandb", "mlflow"], ...] = ("csv",)
    """Experiment trackers the metrics go to, among csv, tensorboard, wandb and mlflow (each
    but csv an extra: pip install 'archspec[wandb]'). metrics.csv is always written: the
    report, curves and sweep tables read it. wandb honours WANDB_MODE=offline and
    WANDB_PROJECT; mlflow logs to MLFLOW_TRACKING_URI, else RUN/mlflow.db."""

    @field_validator("activation_checkpointing", mode="before")
    @classmethod
    def _checkpointing_bool(cls, value: object) -> object:
        """YAML reads `off` as false and `on` as true."""
        if isinstance(value, bool):
            return "all" if value else "off"
        if isinstance(value, str) and value not in ("off", "all"):
            raise PydanticCustomError("checkpointing", "expected off, all or {every: k}")
        return value

    @field_validator("loggers", mode="before")
    @classmethod
    def _one_logger(cls, value: object) -> object:
        """`loggers: wandb` (or `--loggers wandb`) is the list of one; `a,b` splits."""
        return tuple(value.split(",")) if isinstance(value, str) else value

    def checkpointed(self, layers: int) -> frozenset[int]:
        """The indices of a stack's layers whose activations are recomputed."""
        every = _every(self.activation_checkpointing)
        return frozenset(range(0, layers, every)) if every else frozenset()

    @field_validator("precision", mode="before")
    @classmethod
    def _precision_number(cls, value: object) -> object:
        """`--precision 32` reads as the integer 32: the same setting as '32'."""
        return str(value) if value in (32, 16) and not isinstance(value, bool) else value

    @cross_check("strategy", "accelerator")
    def _strategy_needs_gpus(self, issues: Issues) -> None:
        if self.strategy in ("fsdp", "deepspeed") and self.accelerator == "cpu":
            issues.add("strategy", f"{self.strategy} needs GPUs; on CPU use ddp")

    @cross_check("devices")
    def _devices_positive(self, issues: Issues) -> None:
        if isinstance(self.devices, int) and self.devices < 1:
            issues.add("devices", "must be at least 1 (or 'auto')")

    @cross_check("loggers")
    def _loggers_once(self, issues: Issues) -> None:
        if len(set(self.loggers)) != len(self.loggers):
            issues.add("loggers", f"names a logger twice: {list(self.loggers)}")


def _every(choice: Any) -> int | None:
    if isinstance(choice, CheckpointEvery):
        return choice.every
    return 1 if choice == "all" else None


def missing_package(name: str) -> str | None:
    """Why the tracker `name` cannot run here (None when it can): its package is missing."""
    package = LOGGER_PACKAGES.get(name)
    if package is None or importlib.util.find_spec(package) is not None:
        return None
    if name == "tensorboard" and importlib.util.find_spec("tensorboardX") is not None:
        return None  # Lightning writes events with either
    return (
        f"the {name} logger needs the {package} package, which is not installed: "
        f"pip install 'archspec[{name}]' (or pip install {package})"
    )
