"""Callbacks archspec adds to Lightning's Trainer: throughput, last checkpoints, exact resume
(RNG state), graceful Ctrl-C, and a check that DDP ranks end in sync.

Checkpoints are never written from non-finite weights: last.ckpt keeps the last finite state
and best.ckpt is never a NaN validation (archspec.train.divergence decides what a run does).
Every checkpoint carries the hash of the recipe it trained (RECIPE_HASH_KEY), so that a resume
with an edited RUN/recipe.yaml is refused before any weights are loaded.
"""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import ModelCheckpoint

from archspec.train.divergence import weights_finite

RECIPE_HASH_KEY = "archspec_recipe_hash"
"""Checkpoint key holding the sha256 of the recipe (without its trainer section)."""


class Throughput(L.Callback):
    """Counts tokens the model reads per second of training (validation excluded); `recent`
    (the last 20 steps, all ranks) is what the terminal shows as tok/s. It is read from here,
    not logged through Lightning: a self.log call costs about 0.5 ms a step."""

    def __init__(self) -> None:
        self.tokens = 0
        self.seconds = 0.0
        self._t0 = 0.0
        self._recent: list[tuple[int, float]] = []
        self.recent = 0.0
        self.rate = 0.0

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        self._t0 = time.perf_counter()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        dt = time.perf_counter() - self._t0
        n = pl_module.batch_tokens(batch)
        self.tokens += n
        self.seconds += dt
        self._recent = [*self._recent[-19:], (n, dt)]
        rate = sum(k for k, _ in self._recent) / max(1e-9, sum(t for _, t in self._recent))
        self.recent = rate * trainer.world_size

    def on_train_end(self, trainer, pl_module) -> None:
        total = trainer.strategy.reduce(torch.tensor(float(self.tokens)), reduce_op="sum")
        self.rate = float(total) / max(1e-9, self.seconds)  # over all ranks


class LastCheckpoint(L.Callback):
    """Writes checkpoints/last.ckpt every `every` steps, every `minutes` of training, after
    each validation and at the end, so an interrupted run resumes close to where it stopped.
    Non-finite weights are never saved: last.ckpt then keeps the last finite state."""

    def __init__(self, path: Path, every: int | None, minutes: float | None = None) -> None:
        self.path = path
        self.every = every
        self.seconds = minutes * 60 if minutes else None
        self._saved_at = time.monotonic()
        self.saved_step: int | None = None

    def save(self, trainer: L.Trainer) -> None:
        if self.saved_step == trainer.global_step and self.path.is_file():
            return  # this state is on disk already (validation and the end on one step)
        finite = weights_finite(trainer.lightning_module)
        if not trainer.strategy.reduce_boolean_decision(finite, all=True):
            print(
                f"\nwarning: weights are not finite at step {trainer.global_step}; "
                f"{self.path.name} keeps step {self.saved_step}",
                flush=True,
            )
            return
        trainer.save_checkpoint(self.path, weights_only=False)
        self.saved_step = trainer.global_step
        self._saved_at = time.monotonic()

    def due(self, trainer: L.Trainer) -> bool:
        """Whether this step ends a checkpoint interval (steps or time; same on every rank)."""
        by_steps = self.every is not None and trainer.global_step % self.every == 0
        by_time = self.seconds is not None and time.monotonic() - self._saved_at >= self.seconds
        if trainer.world_size > 1 and self.seconds is not None:
            by_time = trainer.strategy.reduce_boolean_decision(by_time, all=False)
        return by_steps or by_time

    def on_train_start(self, trainer, pl_module) -> None:
        self._saved_at = time.monotonic()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.due(trainer):
            self.save(trainer)

    def on_validation_end(self, trainer, pl_module) -> None:
        if not trainer.sanity_checking:
            self.save(trainer)

    def on_train_end(self, trainer, pl_module) -> None:
        self.save(trainer)


class FiniteBest(ModelCheckpoint):
    """best.ckpt as Lightning's ModelCheckpoint keeps it, except that a validation whose metric
    is not finite, or non-finite weights, never become the best."""

    def check_monitor_top_k(self, trainer, current=None) -> bool:
        finite = current is not None and bool(torch.isfinite(current).all())
        finite = finite and weights_finite(trainer.lightning_module)
        if not trainer.strategy.reduce_boolean_decision(finite, all=True):
            return False
        return super().check_monitor_top_k(trainer, current)


class RecipeStamp(L.Callback):
    """Writes the recipe's hash into every checkpoint (see archspec.train.rundir)."""

    def __init__(self, recipe_hash: str) -> None:
        self.recipe_hash = recipe_hash

    def on_save_checkpoint(self, trainer, pl_module, checkpoint: dict[str, Any]) -> None:
        checkpoint[RECIPE_HASH_KEY] = self.recipe_hash


class RandomState(L.Callback):
    """Saves the random generators with each checkpoint and restores them right before the
    first batch after a resume, so dropout draws continue exactly where they stopped."""

    def __init__(self) -> None:
        self._pending: dict[str, Any] | None = None

    def state_dict(self) -> dict[str, Any]:
        return {"torch": torch.get_rng_state(), "python": random.getstate()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._pending = state

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx) -> None:
        if self._pending is not None:
            torch.set_rng_state(self._pending["torch"])
            random.setstate(self._pending["python"])
            self._pending = None


class GracefulStop(L.Callback):
    """The first Ctrl-C (or SIGTERM) finishes the current step, writes last.ckpt and stops;
    a second Ctrl-C aborts at once."""

    def __init__(self, last: LastCheckpoint) -> None:
        self.last = last
        self.requested = False
        self._previous: dict[int, Any] = {}

    def _handler(self, signum, frame) -> None:
        if self.requested:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt
        self.requested = True
        print("\nStopping after this step (Ctrl-C again to abort)...", flush=True)

    def on_train_start(self, trainer, pl_module) -> None:
        # Installed here, after Lightning registered its own SIGTERM handler (which would end
        # the run before the step's checkpoint is written): ours replaces it while training.
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handler)
        except ValueError:  # not the main thread: leave signals alone
            self._previous.clear()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        stop = trainer.strategy.reduce_boolean_decision(self.requested, all=False)
        if stop and not trainer.should_stop:
            self.requested = True
            self.last.save(trainer)
            trainer.should_stop = True

    def _restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def on_train_end(self, trainer, pl_module) -> None:
        self._restore()

    def on_exception(self, trainer, pl_module, exception) -> None:
        self._restore()


class RanksInSync(L.Callback):
    """At the end of training every rank hashes its weights; summary.json records whether
    all ranks agree (they must under DDP)."""

    def __init__(self) -> None:
        self.in_sync: bool | None = None

    def on_train_end(self, trainer, pl_module) -> None:
        with torch.no_grad():
            flat = torch.cat([p.detach().double().flatten() for p in pl_module.parameters()])
            digest = torch.stack([flat.sum(), (flat * flat).sum(), flat[::7].sum()])
        lo = trainer.strategy.reduce(digest.clone(), reduce_op="min")
        hi = trainer.strategy.reduce(digest.clone(), reduce_op="max")
        self.in_sync = bool(torch.equal(lo, hi))
