"""The GPU section: the same models and shapes in bf16 autocast on CUDA, with model-FLOPs
utilisation (MFU) against the device's peak dense bf16 rate.

Peaks are the vendors' dense (no sparsity) bf16 tensor-core numbers; an unknown device needs
--peak-tflops. Peak memory is torch.cuda.max_memory_allocated during one training step above
what the model and its optimizer hold between steps. Without a GPU the section says why it was
skipped.

Run alone: python -m benchmarks.gpu [--peak-tflops 312]; a dry run of the code path on the CPU:
python -m benchmarks.gpu --device cpu --quick --only decoder
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

PEAK_BF16_TFLOPS: dict[str, float] = {
    "H200": 989.0,
    "H100 SXM": 989.0,
    "H100 PCIe": 756.0,
    "H100": 756.0,
    "GH200": 989.0,
    "A100": 312.0,
    "A10G": 125.0,
    "A10": 125.0,
    "L40S": 362.0,
    "L40": 181.0,
    "L4": 121.0,
    "RTX 4090": 165.0,
    "RTX 3090": 71.0,
    "RTX A6000": 155.0,
    "V100": 125.0,  # fp16 tensor cores; V100 has no bf16 tensor cores
    "T4": 65.0,  # fp16 tensor cores
}
"""Dense bf16 peak by a substring of torch.cuda.get_device_name(); the first match wins, so
longer names come first."""


def device_peak(name: str) -> float | None:
    """TFLOP/s for a device name, or None if the table does not know it."""
    for key, tflops in PEAK_BF16_TFLOPS.items():
        if key.lower() in name.lower():
            return tflops
    return None


def run(
    kinds: list[str],
    *,
    peak_tflops: float | None = None,
    device: str = "cuda",
    warmup: int = 5,
    rounds: int = 5,
    steps: int = 10,
    log: Callable[[str], None] = print,
) -> list[str]:
    """Markdown lines: one table per shape, or the reason the section was skipped.

    device="cpu" runs the same code path on the CPU (a dry run of this section; give
    --peak-tflops for an MFU column)."""
    import torch

    cuda = device == "cuda"
    if cuda and not torch.cuda.is_available():
        log("GPU section skipped: torch.cuda.is_available() is False")
        return ["Skipped: no CUDA device here (`torch.cuda.is_available()` is False). On a "
                "machine with one, the same command runs this section as is."]  # fmt: skip
    from archspec.fast import autocast
    from benchmarks.flops import train_flops
    from benchmarks.harness import Runner, interleave, ratio
    from benchmarks.peers import candidates
    from benchmarks.shapes import SHAPES, make_batch

    name = torch.cuda.get_device_name() if cuda else f"CPU dry run ({device})"
    peak = (peak_tflops or device_peak(name) or float("nan")) * 1e12
    source = "--peak-tflops" if peak_tflops else "table in benchmarks/gpu.py"
    lines = [f"Device: {name}; peak dense bf16 {peak / 1e12:.0f} TFLOP/s ({source})."]
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    for kind in kinds:
        shape = SHAPES[kind]  # type: ignore[index]
        batch = {k: v.to(device) for k, v in make_batch(shape).items()}
        runners = []
        for c in candidates(shape, 0.0):
            torch.manual_seed(0)
            bf16 = lambda: autocast(device, "bf16-mixed")  # noqa: E731
            runners.append(Runner(c, c.build().to(device), batch, autocast=bf16))
        log(f"{device} bf16 {kind}: {len(runners)} models")
        interleave(runners, warmup=warmup, rounds=rounds, steps=steps, sync=sync, log=log)
        peers = [r for r in runners if r.candidate.family == "peer"]
        best = min(peers, key=lambda r: r.median_step)
        lines += ["", f"#### {kind} ({shape.describe()})", "",
                  "| model | tokens/s | vs fastest peer | MFU | peak MB |",
                  "|---|---:|---:|---:|---:|"]  # fmt: skip
        for r in runners:
            k = 16 if "relative" in r.name else None
            mfu = train_flops(shape, k) / r.median_step / peak
            x = ratio(r, best)
            lines.append(
                f"| {r.name} | {shape.tokens_per_step / r.median_step:,.0f} | "
                f"{x[0]:.2f} ({x[1]:.2f}-{x[2]:.2f}) | {mfu:.1%} | "
                f"{_peak_memory(r) if cuda else float('nan'):.0f} |"
            )
        del runners
        if cuda:
            torch.cuda.empty_cache()
    return lines


def _peak_memory(r) -> float:  # noqa: ANN001
    """Peak CUDA memory of one more training step of this runner alone, above what the model
    and its optimizer hold between steps, in MB."""
    import torch

    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    base = torch.cuda.memory_allocated()
    r.step()
    torch.cuda.synchronize()
    return (torch.cuda.max_memory_allocated() - base) / 2**20


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", choices=["decoder", "encoder-decoder", "encoder"], action="append")
    p.add_argument("--peak-tflops", type=float, default=None)
    p.add_argument("--device", default="cuda", help="cpu: a dry run of this section's code")
    p.add_argument("--quick", action="store_true", help="1 warm-up step, 2 rounds of 2 steps")
    args = p.parse_args()
    kinds = args.only or ["decoder", "encoder-decoder", "encoder"]
    n = dict(warmup=1, rounds=2, steps=2) if args.quick else {}
    lines = run(kinds, peak_tflops=args.peak_tflops, device=args.device, **n)
    print("\n".join(lines))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    main()
