"""The measurements of one benchmark run: throughput per shape, torch.compile, memory.

Each function builds its models, times them interleaved (benchmarks/harness.py) and returns
plain results that benchmarks/report.py turns into tables.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.flops import matmul_flops_per_s, train_flops
from benchmarks.harness import Runner, interleave, ratio
from benchmarks.peers import Candidate, archspec_candidates, candidates
from benchmarks.shapes import Shape, make_batch


@dataclass(frozen=True)
class Settings:
    warmup: int = 2
    rounds: int = 5
    steps: int = 3
    memory: bool = True
    compile: bool = True


QUICK = Settings(warmup=1, rounds=2, steps=2, memory=False, compile=False)


@dataclass
class ShapeRun:
    """Every model of one shape at one dropout, timed in one interleaved run."""

    shape: Shape
    dropout: float
    runners: list[Runner]
    matmul_rates: list[float]
    memory: dict[str, dict[str, float]] = field(default_factory=dict)
    profiles: list[tuple[str, list[str]]] = field(default_factory=list)
    """(missed target, Markdown op table) for each target this run missed."""

    @property
    def peers(self) -> list[Runner]:
        return [r for r in self.runners if r.candidate.family == "peer"]

    @property
    def ours(self) -> list[Runner]:
        return [r for r in self.runners if r.candidate.family == "archspec"]

    @property
    def fastest_peer(self) -> Runner:
        return min(self.peers, key=lambda r: r.median_step)

    @property
    def matmul_rate(self) -> float:
        return statistics.median(self.matmul_rates)

    def get(self, name: str) -> Runner:
        (r,) = [r for r in self.runners if r.name == name]
        return r

    def tokens_per_s(self, r: Runner) -> float:
        return self.shape.tokens_per_step / r.median_step

    def model_flops_per_s(self, r: Runner) -> float:
        k = 16 if "relative" in r.name else None
        return train_flops(self.shape, k) / r.median_step

    def vs_fastest_peer(self, r: Runner) -> tuple[float, float, float]:
        return ratio(r, self.fastest_peer)


def seed_all(seed: int = 0) -> None:
    import torch

    torch.manual_seed(seed)


def _runners(cands: list[Candidate], shape: Shape) -> list[Runner]:
    batch = make_batch(shape)
    out = []
    for c in cands:
        seed_all()
        out.append(Runner(c, c.build(), batch))
    return out


def run_shape(shape: Shape, dropout: float, s: Settings, log: Callable[[str], None]) -> ShapeRun:
    """Time every peer and archspec variant of `shape`, with a matmul-rate probe per round."""
    cands = candidates(shape, dropout)
    if dropout:  # relative positions' cost is measured at dropout 0; spare the machine here
        cands = [c for c in cands if "relative" not in c.name]
    runners = _runners(cands, shape)
    rates: list[float] = []
    log(f"{shape.kind}, dropout {dropout}: {len(runners)} models")
    interleave(
        runners, warmup=s.warmup, rounds=s.rounds, steps=s.steps,
        between_rounds=lambda: rates.append(matmul_flops_per_s()), log=log,
    )  # fmt: skip
    run = ShapeRun(shape, dropout, runners, rates)
    for r in runners:
        log(f"  {r.name:34s} {run.tokens_per_s(r):7.0f} tok/s  {r.median_step * 1e3:6.0f} ms")
    return run


def run_memory(run: ShapeRun, log: Callable[[str], None]) -> None:
    """Peak memory of every model of the run, each in a fresh subprocess."""
    from benchmarks.memory import measure_in_subprocess

    for r in run.runners:
        run.memory[r.name] = measure_in_subprocess(run.shape.kind, run.dropout, r.name)
        m = run.memory[r.name]
        log(f"  memory {r.name:34s} peak {m['peak_mb']:6.0f} MB, saved {m['saved_mb']:5.0f} MB")


def run_saved(run: ShapeRun) -> None:
    """Activation bytes saved for backward per model, in this process (peak memory needs a
    fresh process each: run_memory)."""
    from benchmarks.memory import saved_activation_bytes

    for r in run.runners:
        saved = saved_activation_bytes(r) / 2**20
        run.memory[r.name] = {"peak_mb": float("nan"), "saved_mb": saved}


@dataclass
class OptionsRun:
    """One archspec variant trained eager fp32, compiled fp32 and eager under bf16 autocast."""

    shape: Shape
    name: str
    eager: Runner
    compiled: Runner
    bf16: Runner
    cold_s: float
    """Wall time of the first compiled step (tracing and compiling forward and backward)."""


def run_options(shape: Shape, variant: str, s: Settings, log: Callable[[str], None]) -> OptionsRun:
    """The trainer options on one archspec variant, interleaved: torch.compile
    (archspec.fast.maybe_compile; compiling happens before timing) and bf16 autocast."""
    from archspec.fast import autocast, maybe_compile

    (cand,) = [c for c in archspec_candidates(shape, 0.0) if c.name == variant]
    eager, compiled, bf16 = _runners([cand, cand, cand], shape)
    bf16.autocast = lambda: autocast("cpu", "bf16-mixed")
    maybe_compile(compiled.model, True)
    t0 = time.perf_counter()
    compiled.step()
    cold = time.perf_counter() - t0
    log(f"{shape.kind}: cold compile of {variant}: {cold:.1f} s")
    interleave([eager, compiled, bf16], warmup=s.warmup, rounds=s.rounds, steps=s.steps, log=log)
    return OptionsRun(shape, variant, eager, compiled, bf16, cold)
