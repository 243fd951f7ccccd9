"""Why a target was missed: torch.profiler op tables of an archspec model beside the model it
was measured against, from the same run's already-built models.

Each model is profiled for a few training steps, alternately (A, B, A, B) so that a busy
moment of the machine falls on both; the table lists self CPU time per step by operator,
largest differences first, so the extra work (or the slower kernel) is named.
"""

from __future__ import annotations

from collections import defaultdict

from benchmarks.harness import Runner

ROWS = 12


def op_times(runner: Runner, steps: int = 2) -> dict[str, float]:
    """Self CPU milliseconds per training step, by operator."""
    from torch.profiler import ProfilerActivity, profile

    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(steps):
            runner.step()
    out: dict[str, float] = defaultdict(float)
    for event in prof.key_averages():
        if event.key.startswith(("aten::", "Optimizer")) or "Backward" in event.key:
            out[event.key] += event.self_cpu_time_total / 1e3 / steps
    return out


def compare(ours: Runner, theirs: Runner, repeats: int = 2) -> list[str]:
    """Markdown: the operators whose time differs most between the two models."""
    a: dict[str, float] = defaultdict(float)
    b: dict[str, float] = defaultdict(float)
    for _ in range(repeats):
        for target, runner in ((a, ours), (b, theirs)):
            for op, ms in op_times(runner).items():
                target[op] += ms / repeats
    ops = sorted(set(a) | set(b), key=lambda op: -abs(a[op] - b[op]))[:ROWS]
    lines = [
        f"| operator (self CPU ms per step) | {ours.name} | {theirs.name} | difference |",
        "|---|---:|---:|---:|",
    ]
    for op in ops:
        name = op if len(op) <= 48 else op[:45] + "..."
        lines.append(f"| `{name}` | {a[op]:.1f} | {b[op]:.1f} | {a[op] - b[op]:+.1f} |")
    ta, tb = sum(a.values()), sum(b.values())
    lines.append(f"| all operators | {ta:.1f} | {tb:.1f} | {ta - tb:+.1f} |")
    return lines
