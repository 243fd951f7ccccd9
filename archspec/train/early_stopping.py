"""trainer.early_stopping: Lightning's EarlyStopping on trainer.checkpoint_metric, which also
remembers the step it stopped at, so that summary.json and the report can say so.

Its state (validations without improvement, the best value, the step it stopped at) travels in
every checkpoint as Lightning's callback state, so a resumed run stops where an uninterrupted
one would have.  A non-finite metric is left to archspec.train.divergence, which decides what a
run does then.
"""

from __future__ import annotations

import math
from typing import Any

from lightning.pytorch.callbacks import EarlyStopping

from archspec.spec.trainer import TrainerSpec

STOPPED_EARLY = "stopped early"
"""summary.json's status of a run that early stopping ended before max_steps."""


class EarlyStop(EarlyStopping):
    """EarlyStopping checked after each validation (never at an epoch's end)."""

    def __init__(self, spec: TrainerSpec) -> None:
        assert spec.early_stopping is not None
        assert spec.checkpoint_metric is not None  # validation fills in the objective's
        super().__init__(
            monitor=spec.checkpoint_metric,
            mode=spec.checkpoint_mode or "min",
            patience=spec.early_stopping.patience,
            min_delta=spec.early_stopping.min_delta,
            check_finite=False,
            check_on_train_epoch_end=False,
            verbose=False,
        )
        self.stopped_step: int | None = None

    def on_validation_end(self, trainer, pl_module) -> None:
        super().on_validation_end(trainer, pl_module)
        if self.stopped_step is None and self.wait_count >= self.patience:
            self.stopped_step = trainer.global_step
            if trainer.is_global_zero:
                print(f"\n{self.message()}", flush=True)

    def message(self) -> str:
        """'Stopping early after step 600: val_loss did not improve by more than 0.01 in 3
        validations (best 1.234)'."""
        by = f" by more than {abs(self.min_delta):g}" if self.min_delta else ""
        return (
            f"Stopping early after step {self.stopped_step}: {self.monitor} did not improve{by} "
            f"in {self.patience} validations (best {self.best_value():.4g})"
        )

    def best_value(self) -> float | None:
        value = float(self.best_score)
        return value if math.isfinite(value) else None

    def state_dict(self) -> dict[str, Any]:
        return {**super().state_dict(), "stopped_step": self.stopped_step}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """The checkpoint's count and best value; the patience the resumed recipe asks for (a
        resume may raise it, to train a run that stopped early further)."""
        patience = self.patience
        super().load_state_dict(state_dict)
        self.patience = patience
        stopped = state_dict.get("stopped_step")
        self.stopped_step = stopped if self.wait_count >= patience else None

    def record(self, max_steps: int) -> dict[str, Any] | None:
        """summary.json's `early_stopping` entry: None unless it ended the run before
        max_steps (a stop on the last step is a finished run)."""
        if self.stopped_step is None or self.stopped_step >= max_steps:
            return None
        return {
            "step": self.stopped_step,
            "epoch": self.stopped_epoch,
            "metric": self.monitor,
            "best": self.best_value(),
            "patience": self.patience,
            "min_delta": abs(self.min_delta),
        }
