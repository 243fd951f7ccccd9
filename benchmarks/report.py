"""Markdown tables of a benchmark run (benchmarks/RESULTS.md)."""

from __future__ import annotations

import statistics

from benchmarks.harness import Runner, ratio
from benchmarks.suite import OptionsRun, ShapeRun

TARGET_RATIO = 1.0
"""Every archspec variant >= this x the throughput of the fastest peer of its shape."""
TARGET_RELATIVE = 1.5
"""Relative positions cost at most this x the step time of sinusoidal positions."""
TARGET_MFU = 0.6
"""The fastest archspec variant of each shape reaches this fraction of the measured fp32 matmul
rate in model FLOP/s."""


def _r(x: tuple[float, float, float]) -> str:
    return f"{x[0]:.2f} ({x[1]:.2f}-{x[2]:.2f})"


def throughput_table(run: ShapeRun) -> list[str]:
    best = run.fastest_peer
    mm = run.matmul_rate
    head = "| model | tokens/s | step ms | vs fastest peer | model GFLOP/s | of matmul |"
    sep = "|---|---:|---:|---:|---:|---:|"
    if run.memory:
        head += " peak MB | saved MB |"
        sep += "---:|---:|"
    lines = [head, sep]
    for r in run.runners:
        name = f"**{r.name}**" if r is best else r.name
        flops = run.model_flops_per_s(r)
        row = (
            f"| {name} | {run.tokens_per_s(r):,.0f} | {r.median_step * 1e3:.0f} | "
            f"{_r(run.vs_fastest_peer(r))} | {flops / 1e9:.1f} | {flops / mm:.2f} |"
        )
        if run.memory:
            m = run.memory.get(r.name, {})
            nan = float("nan")
            row += f" {m.get('peak_mb', nan):.0f} | {m.get('saved_mb', nan):.0f} |"
        lines.append(row)
    lines.append("")
    lines.append(
        f"Fastest peer (bold): {best.name}. Ratios are throughput over the fastest peer's, taken "
        f"round by round: median (min-max) over {len(best.rounds)} rounds. Measured fp32 matmul "
        f"rate in this run: {mm / 1e9:.1f} GFLOP/s (median of "
        f"{len(run.matmul_rates)} probes, range {min(run.matmul_rates) / 1e9:.1f}-"
        f"{max(run.matmul_rates) / 1e9:.1f})."
    )
    return lines


def relative_cost(run: ShapeRun) -> dict[str, tuple[float, float, float]]:
    """Step time of relative over sinusoidal, per placement: (median, min, max) over rounds."""
    out = {}
    names = {r.name for r in run.runners}
    for placement in ("pre", "post"):
        if f"archspec relative {placement}-norm" not in names:
            continue
        rel = run.get(f"archspec relative {placement}-norm")
        sin = run.get(f"archspec sinusoidal {placement}-norm")
        out[placement] = ratio(sin, rel)  # time_rel / time_sin
    return out


def worst_ratio(run: ShapeRun, include_relative: bool) -> tuple[Runner, tuple[float, float, float]]:
    ours = [r for r in run.ours if include_relative or "relative" not in r.name]
    pairs = [(r, run.vs_fastest_peer(r)) for r in ours]
    return min(pairs, key=lambda p: p[1][0])


def targets_table(runs: list[ShapeRun]) -> list[str]:
    lines = ["| shape | dropout | target | measured | met |", "|---|---|---|---|---|"]

    def row(run: ShapeRun, target: str, measured: str, ok: bool) -> None:
        lines.append(
            f"| {run.shape.kind} | {run.dropout} | {target} | {measured} | "
            f"{'yes' if ok else '**no**'} |"
        )

    for run in runs:
        r, x = worst_ratio(run, include_relative=False)
        row(run, f"absolute-position variants >= {TARGET_RATIO:.1f}x fastest peer "
            f"({run.fastest_peer.name})", f"slowest: {r.name} {x[0]:.2f}x",
            x[0] >= TARGET_RATIO)  # fmt: skip
        r, x = worst_ratio(run, include_relative=True)
        if "relative" in r.name:
            row(run, f"relative variants >= {TARGET_RATIO:.1f}x fastest peer",
                f"slowest: {r.name} {x[0]:.2f}x", x[0] >= TARGET_RATIO)  # fmt: skip
        for placement, c in relative_cost(run).items():
            row(run, f"relative step time <= {TARGET_RELATIVE}x sinusoidal ({placement}-norm)",
                f"{c[0]:.2f}x", c[0] <= TARGET_RELATIVE)  # fmt: skip
        best = max(run.ours, key=lambda r: run.model_flops_per_s(r))
        frac = run.model_flops_per_s(best) / run.matmul_rate
        row(run, f"model FLOP/s >= {TARGET_MFU} of measured matmul ({best.name})",
            f"{frac:.2f}", frac >= TARGET_MFU)  # fmt: skip
    return lines


def options_table(runs: list[OptionsRun]) -> list[str]:
    lines = [
        "| shape | model | eager fp32 tokens/s | compiled: speed-up | first compile "
        "| bf16 autocast: speed-up |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for o in runs:
        t = o.shape.tokens_per_step
        lines.append(
            f"| {o.shape.kind} | {o.name} | {t / o.eager.median_step:,.0f} | "
            f"{_r(ratio(o.compiled, o.eager))} | {o.cold_s:.0f} s | {_r(ratio(o.bf16, o.eager))} |"
        )
    lines += [
        "",
        "First compile: the first compiled step, in seconds; Inductor's on-disk cache "
        "(/tmp/torchinductor_$USER) makes it shorter on a rerun. The speed-ups are median "
        "(min-max) ratios of step time, round by round, against eager fp32.",
    ]
    return lines


def misses(run: ShapeRun) -> list[tuple[str, Runner, Runner]]:
    """(what was missed, our model, the model to profile it against) for each missed target."""
    out = []
    r, x = worst_ratio(run, include_relative=False)
    if x[0] < TARGET_RATIO:
        out.append((f"{r.name} at {x[0]:.2f}x the fastest peer", r, run.fastest_peer))
    rel = [p for p in run.ours if "relative" in p.name]
    if rel:
        r = min(rel, key=lambda p: run.vs_fastest_peer(p)[0])
        x = run.vs_fastest_peer(r)
        if x[0] < TARGET_RATIO:
            out.append((f"{r.name} at {x[0]:.2f}x the fastest peer", r, run.fastest_peer))
        for placement, c in relative_cost(run).items():
            if c[0] > TARGET_RELATIVE:
                rel_r = run.get(f"archspec relative {placement}-norm")
                sin_r = run.get(f"archspec sinusoidal {placement}-norm")
                out.append(
                    (f"{rel_r.name} at {c[0]:.2f}x the step time of sinusoidal", rel_r, sin_r)
                )
    return out


def median_load(samples: list[tuple[float, float, float]]) -> float:
    return statistics.median(s[0] for s in samples)
