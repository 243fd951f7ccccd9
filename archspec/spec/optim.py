"""The `optimizer:` and `schedule:` sections."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from archspec.spec.base import Spec


class OptimizerSpec(Spec):
    """Adam or AdamW; defaults are the paper's (beta1 0.9, beta2 0.98, eps 1e-9)."""

    kind: Literal["adam", "adamw"] = "adam"
    """adam (L2 weight decay added to the gradient) or adamw (decoupled weight decay)."""
    betas: tuple[Annotated[float, Field(ge=0, lt=1)], Annotated[float, Field(ge=0, lt=1)]] = (
        0.9,
        0.98,
    )
    """Adam's beta1 and beta2, each in [0, 1)."""
    eps: float = Field(1e-9, gt=0)
    """Adam's epsilon."""
    weight_decay: float = Field(0.0, ge=0)
    """Weight decay (adamw applies it to matrices only, not to biases, norms or embeddings'
    positions)."""


class NoamSchedule(Spec):
    """The paper's inverse-square-root warm-up:
    lr(step) = scale * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5)."""

    kind: Literal["noam"] = "noam"
    warmup: int = Field(4000, ge=1)
    """Warm-up steps (4000 in the paper)."""
    scale: float = Field(1.0, gt=0)
    """Multiplies the whole schedule (1.0 in the paper)."""


class CosineSchedule(Spec):
    """Linear warm-up to `lr`, then cosine decay to `min_lr` at the last training step."""

    kind: Literal["cosine"] = "cosine"
    lr: float = Field(3e-4, gt=0)
    """Peak learning rate."""
    warmup: int = Field(100, ge=0)
    """Linear warm-up steps."""
    min_lr: float = Field(0.0, ge=0)
    """Learning rate at the end of training."""


class ConstantSchedule(Spec):
    """A constant learning rate after an optional linear warm-up."""

    kind: Literal["constant"] = "constant"
    lr: float = Field(1e-3, gt=0)
    """Learning rate."""
    warmup: int = Field(0, ge=0)
    """Linear warm-up steps."""


Schedule = Annotated[NoamSchedule | CosineSchedule | ConstantSchedule, Field(discriminator="kind")]
"""Every learning-rate schedule."""
