"""Benchmark archspec-built models against hand-written and library peers at identical shapes.

One command, one run: every model of a shape trains interleaved with the others (throughput,
ratios to the fastest peer, model FLOPs against a matmul probe), then peak memory per model
(one subprocess each), torch.compile's speed-up, the instant commands' wall time, and the GPU
section (skipped without a GPU). Writes benchmarks/RESULTS.md and benchmarks/results.json.

    python benchmarks/run.py                  # the full run behind RESULTS.md (~25 min, 2 cores)
    python benchmarks/run.py --quick          # a smoke run of every table (~5 min)
    python benchmarks/run.py --only decoder --out /tmp/r.md
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

KINDS = ["decoder", "encoder-decoder", "encoder"]

NOTES = [
    "How to read the targets (what the profiles below show when a target is missed):",
    "",
    "- An archspec model with absolute positions runs the operators the best hand-written "
    "model runs (one fused QKV GEMM, SDPA's flash kernel with `is_causal`, fused AdamW), so "
    "against the nanoGPT-style model it is at parity by construction: the min-max range of "
    "its ratio is the run's noise, and a median a point below 1.00 is not a slower model. "
    "Against library peers it is faster where they do extra work (separate Q/K/V GEMMs, "
    "embedding LayerNorms, token-type tables, un-fused paths).",
    "- Shaw-style relative positions with value tables need the attention weights themselves, "
    "so they cannot use the flash kernel; they add the key- and value-table GEMMs and a "
    "gather and a scatter over [B, H, T, S] per layer. No peer computes them, so a relative "
    "variant is compared with the fastest peer for reference and held to its own target: at "
    "most 1.5x the step time of sinusoidal positions.",
    "- Model FLOPs are those of the architecture (benchmarks/flops.py), so the fraction of "
    "the matmul probe is what is left after the non-GEMM work (softmax over the vocabulary, "
    "LayerNorm, GELU, attention, the optimizer).",
]


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="few steps; no memory or compile runs")
    p.add_argument("--only", choices=KINDS, action="append", help="shape(s) to run")
    p.add_argument("--dropout", type=float, nargs="+", default=[0.0, 0.1])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, help="timed rounds per model (default 5; --quick 2)")
    p.add_argument("--steps", type=int, help="timed steps per model per round (default 3)")
    on_off = argparse.BooleanOptionalAction
    p.add_argument(
        "--memory", action=on_off, help="peak memory per model (default: unless --quick)"
    )
    p.add_argument(
        "--compile", action=on_off, help="compile/bf16 options (default: unless --quick)"
    )
    p.add_argument("--no-instant", action="store_true")
    p.add_argument("--peak-tflops", type=float, default=None, help="GPU peak for the MFU column")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "RESULTS.md")
    return p.parse_args()


def main() -> None:
    args = parse()
    warnings.filterwarnings("ignore")
    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    torch.set_num_threads(args.threads)

    from benchmarks import gpu, instant, machine, profiles, report
    from benchmarks.shapes import SHAPES
    from benchmarks.suite import QUICK, Settings, run_memory, run_options, run_saved, run_shape

    s = QUICK if args.quick else Settings()
    s = replace(
        s,
        memory=s.memory if args.memory is None else args.memory,
        compile=s.compile if args.compile is None else args.compile,
        rounds=args.rounds or s.rounds,
        steps=args.steps or s.steps,
    )
    kinds = args.only or KINDS
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    loads = [machine.load_average()]
    started = time.time()

    runs = []
    for kind in kinds:
        for dropout in args.dropout:
            run = run_shape(SHAPES[kind], dropout, s, log)
            loads.append(machine.load_average())
            if s.memory and dropout == args.dropout[0]:
                run_memory(run, log)
            else:
                run_saved(run)
            for missed, ours, theirs in report.misses(run):
                log(f"  profiling: {missed}")
                run.profiles.append((missed, profiles.compare(ours, theirs)))
            for r in run.runners:
                r.release()
            runs.append(run)
    options = []
    if s.compile:
        for kind in [k for k in kinds if k != "encoder"]:
            options.append(run_options(SHAPES[kind], "archspec sinusoidal pre-norm", s, log))
            loads.append(machine.load_average())
    instant_rows = [] if args.no_instant else instant.run(repeats=1 if args.quick else 5, log=log)
    gpu_lines = gpu.run(kinds, peak_tflops=args.peak_tflops, log=log)
    loads.append(machine.load_average())

    md = render(args, s, runs, options, instant_rows, gpu_lines, loads, started)
    args.out.write_text("\n".join(md) + "\n")
    raw = {
        f"{r.shape.kind} dropout {r.dropout}": {
            x.name: {"step_s_rounds": x.rounds, "memory": r.memory.get(x.name)} for x in r.runners
        }
        | {"matmul_flops_per_s": r.matmul_rates}
        for r in runs
    }
    raw["load_average"] = loads  # type: ignore[assignment]
    args.out.with_name(args.out.stem.lower() + ".json").write_text(json.dumps(raw, indent=1))
    log(f"wrote {args.out}")
    print("\n".join(report.targets_table(runs)))


def render(args, s, runs, options, instant_rows, gpu_lines, loads, started) -> list[str]:  # noqa: ANN001
    from benchmarks import instant, machine, report

    minutes = (time.time() - started) / 60
    md = [
        "# archspec against hand-written and library peers",
        "",
        "Generated by `benchmarks/run.py`; every number below comes from the one run described "
        "here. Reproduce with the command shown.",
        "",
        *machine.describe(args.threads),
        f"- settings: {s.warmup} warm-up steps, then {s.rounds} rounds x {s.steps} timed steps "
        f"per model, interleaved; {minutes:.0f} min in all",
        "- 1-minute load average at the start, after each shape and at the end: "
        + ", ".join(f"{x[0]:.2f}" for x in loads),
        "",
        "What is measured: a training step (forward, cross-entropy, backward, fused AdamW step, "
        "zero_grad) on one fixed random batch, fp32, the same for every model. tokens/s = tokens "
        "per step / median step time (source plus target tokens for encoder-decoder models). "
        "Model FLOPs are counted from the shape (benchmarks/flops.py) and compared with an "
        "fp32 2048^3 matmul probed between rounds. Dropout sits where the paper puts it "
        "(embedding sum and sub-layer outputs) in every model, peers included. Peak MB: "
        "high-water resident set of a fresh process above its post-import baseline (params, "
        "grads, AdamW state, activations, allocator slack); saved MB: activations autograd "
        "keeps for backward (benchmarks/memory.py).",
        "",
        "## Targets",
        "",
        *report.targets_table(runs),
        "",
        *NOTES,
        "",
        "## Throughput and memory",
    ]
    for run in runs:
        md += ["", f"### {run.shape.kind}, dropout {run.dropout}", "",
               run.shape.describe(), "", *report.throughput_table(run)]  # fmt: skip
        for missed, table in run.profiles:
            md += ["", f"Profile of a miss: {missed}.", "", *table]
    md += ["", "## Trainer options: torch.compile and bf16 autocast (archspec.fast)", ""]
    not_run = "Not run (--quick or --no-compile)."
    md += report.options_table(options) if options else [not_run]
    md += ["", "## Instant commands", ""]
    md += instant.markdown(instant_rows) if instant_rows else ["Not run (--no-instant)."]
    md += ["", "## GPU (bf16 autocast)", "", *gpu_lines]
    return md


if __name__ == "__main__":
    main()
