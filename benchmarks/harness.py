"""Interleaved training-step timing: every model of a shape takes its turn in each round, so a
slow minute on a shared machine slows every model alike and the ratios hold.

A training step is forward, loss, backward, AdamW step and zero_grad, on one fixed batch. Every
model gets AdamW (fused where this torch has it), fp32, the same threads and the same batch.
Per round each model runs `steps` timed steps; its time in a round is the median of those, and a
ratio against another model is taken round by round (same minute of machine time), then the
median over rounds is reported.
"""

from __future__ import annotations

import contextlib
import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from torch import Tensor, nn

    from benchmarks.peers import Candidate


def make_optimizer(model: nn.Module) -> torch.optim.Optimizer:
    """AdamW, fused when the installed torch supports it for these parameters."""
    import torch

    params = [p for p in model.parameters() if p.requires_grad]
    try:
        return torch.optim.AdamW(params, lr=1e-4, fused=True)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(params, lr=1e-4, foreach=True)


@dataclass
class Runner:
    """One model ready to train: its candidate, module, optimizer and batch."""

    candidate: Candidate
    model: nn.Module
    batch: dict[str, Tensor]
    optimizer: torch.optim.Optimizer = field(init=False)
    autocast: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext
    """The forward's precision context (torch.autocast for bf16 on a GPU)."""
    rounds: list[list[float]] = field(default_factory=list)
    """Step times in seconds, one list per round."""

    def __post_init__(self) -> None:
        self.model.train()
        self.optimizer = make_optimizer(self.model)

    @property
    def name(self) -> str:
        return self.candidate.name

    def step(self) -> float:
        """One training step; returns the loss (a Python float, which also syncs)."""
        with self.autocast():
            loss = self.candidate.loss(self.model, self.batch)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return float(loss.detach())

    def release(self) -> None:
        """Drop the model, optimizer and batch (keeping the timings) once a run is done."""
        self.model = self.optimizer = self.batch = None  # type: ignore[assignment]

    def round_medians(self) -> list[float]:
        return [statistics.median(r) for r in self.rounds]

    @property
    def median_step(self) -> float:
        return statistics.median(t for r in self.rounds for t in r)


def interleave(
    runners: Sequence[Runner],
    *,
    warmup: int,
    rounds: int,
    steps: int,
    between_rounds: Callable[[], None] | None = None,
    sync: Callable[[], None] = lambda: None,
    log: Callable[[str], None] = print,
) -> None:
    """Warm every runner up, then run `rounds` rounds of `steps` timed steps per runner; the
    order rotates each round so no model always follows the same neighbour."""
    for r in runners:
        for _ in range(warmup):
            r.step()
        sync()
    for i in range(rounds):
        order = list(runners[i % len(runners) :]) + list(runners[: i % len(runners)])
        for r in order:
            gc.collect()
            times = []
            for _ in range(steps):
                t0 = time.perf_counter()
                r.step()
                sync()
                times.append(time.perf_counter() - t0)
            r.rounds.append(times)
        if between_rounds is not None:
            between_rounds()
        log(f"  round {i + 1}/{rounds} done")


def ratio(a: Runner, b: Runner) -> tuple[float, float, float]:
    """Throughput of a over b, per round: (median, min, max) of time_b / time_a."""
    per_round = [tb / ta for ta, tb in zip(a.round_medians(), b.round_medians(), strict=True)]
    return statistics.median(per_round), min(per_round), max(per_round)
