"""Callbacks archspec adds to Lightning's Trainer: throughput, last checkpoints, exact resume
(RNG state), graceful Ctrl-C, and a check that DDP ranks end in sync."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

import lightning as L
import torch


class Throughput(L.Callback):
    """Counts tokens the model reads per second of training (validation excluded) and shows
    it in the progress bar as tok/s."""

    def __init__(self) -> None:
        self.tokens = 0
        self.seconds = 0.0
        self._t0 = 0.0
        self._recent: list[tuple[int, float]] = []
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
        pl_module.log("tok/s", rate * trainer.world_size, prog_bar=True, logger=False)

    def on_train_end(self, trainer, pl_module) -> None:
        total = trainer.strategy.reduce(torch.tensor(float(self.tokens)), reduce_op="sum")
        self.rate = float(total) / max(1e-9, self.seconds)  # over all ranks


class LastCheckpoint(L.Callback):
    """Writes checkpoints/last.ckpt every `every` steps, after each validation and at the end,
    so an interrupted run resumes close to where it stopped."""

    def __init__(self, path: Path, every: int | None) -> None:
        self.path = path
        self.every = every

    def save(self, trainer: L.Trainer) -> None:
        trainer.save_checkpoint(self.path, weights_only=False)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self.every and trainer.global_step % self.every == 0:
            self.save(trainer)

    def on_validation_end(self, trainer, pl_module) -> None:
        if not trainer.sanity_checking:
            self.save(trainer)

    def on_train_end(self, trainer, pl_module) -> None:
        self.save(trainer)


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
