"""What a run does when its loss or gradients stop being finite numbers (trainer.on_nonfinite).

    stop  (default) the step that went non-finite is not applied; training ends, last.ckpt keeps
          the last finite weights, summary.json says "diverged", and `archspec train` exits
          with status 3 (DIVERGED_EXIT).
    skip  the step is dropped (its gradients discarded) and training goes on; after
          trainer.skip_limit dropped steps the run stops as above.

A validation whose checkpoint metric is not finite also stops the run (a model that scores NaN
is not worth more steps), and neither last.ckpt nor best.ckpt is ever written from non-finite
weights (archspec.train.callbacks).  Under 16-mixed the gradient scaler owns inf gradients (it
skips such steps and lowers its scale), so there only the loss is checked.
"""

from __future__ import annotations

import math

import lightning as L
import torch

from archspec.spec.trainer import TrainerSpec

DIVERGED_EXIT = 3
"""Exit status of `archspec train` (and of a sweep variant's process) for a diverged run."""


def all_finite(tensors: list[torch.Tensor]) -> bool:
    """True when every element of every tensor is finite (one reduction per tensor)."""
    if not tensors:
        return True
    norms = torch._foreach_norm([t.detach().float() for t in tensors])
    return bool(torch.isfinite(torch.stack(norms)).all())


def weights_finite(module: torch.nn.Module) -> bool:
    return all_finite([p for p in module.parameters()])


class DivergenceGuard(L.Callback):
    """Checks every step's loss and gradients; applies trainer.on_nonfinite."""

    def __init__(self, spec: TrainerSpec) -> None:
        self.policy = spec.on_nonfinite
        self.limit = spec.skip_limit
        self.metric = spec.checkpoint_metric
        self.check_grads = spec.precision != "16-mixed"
        self.skipped = 0
        self.diverged = False
        self.reason: str | None = None
        self._bad_loss = False

    def on_before_backward(self, trainer, pl_module, loss) -> None:
        if not bool(torch.isfinite(loss.detach()).all()):
            self._bad_loss = True

    def on_before_optimizer_step(self, trainer, pl_module, optimizer) -> None:
        bad = self._bad_loss
        if not bad and self.check_grads:
            grads = [p.grad for g in optimizer.param_groups for p in g["params"]]
            bad = not all_finite([g for g in grads if g is not None])
        bad = trainer.strategy.reduce_boolean_decision(bad, all=False)
        what = "loss" if self._bad_loss else "gradients"
        self._bad_loss = False
        if not bad:
            return
        optimizer.zero_grad(set_to_none=True)  # Adam leaves parameters without a gradient alone
        step = trainer.global_step + 1
        if self.policy == "skip" and self.skipped < self.limit:
            self.skipped += 1
            print(
                f"\nwarning: step {step}: non-finite {what}; step skipped "
                f"({self.skipped} of at most {self.limit})",
                flush=True,
            )
            return
        self._stop(trainer, f"non-finite {what} at step {step}")

    def on_validation_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or self.diverged:
            return
        value = trainer.callback_metrics.get(self.metric)
        if value is not None and not math.isfinite(float(value)):
            self._stop(trainer, f"{self.metric} is {float(value)} at step {trainer.global_step}")

    def _stop(self, trainer, reason: str) -> None:
        if self.policy == "skip":
            reason += f" after {self.skipped} skipped steps"
        self.diverged, self.reason = True, reason
        trainer.should_stop = True
        print(
            f"\nerror: training diverged: {reason}; stopping (last.ckpt keeps the last finite "
            "weights)",
            flush=True,
        )

    def state_dict(self) -> dict[str, int]:
        return {"skipped": self.skipped}

    def load_state_dict(self, state: dict[str, int]) -> None:
        self.skipped = int(state.get("skipped", 0))
