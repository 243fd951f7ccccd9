"""Sliding-window attention: what the window's mask costs a training step on CPU.

    python benchmarks/sliding_window.py       # writes benchmarks/results/sliding-window.md

One archspec decoder (d_model 256, 4 heads, d_ff 1024, 4 layers, vocab 8000, rotary, pre
RMSNorm, no dropout) at length T, trained with a plain causal mask (SDPA's is_causal path),
with a window W >= T (which archspec runs as plain causal: nothing to hide) and with windows
W < T (one Bool band mask per stack forward). Interleaved repeats, medians of the step times
(forward, cross-entropy, backward, fused AdamW), load recorded. A second table times SDPA
alone (forward + backward of one [8, 4, T, 64] call, the minimum of 15 interleaved calls,
robust to load): whether the CPU kernel skips the blocks a window hides or only pays for
reading the mask.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archspec.build import build_model  # noqa: E402
from archspec.spec import Recipe  # noqa: E402

BATCH, VOCAB = 8, 8000
OUT = ROOT / "benchmarks" / "results" / "sliding-window.md"


def model(length: int, window: int | None) -> torch.nn.Module:
    mask: dict[str, Any] = {"kind": "causal", "window": window}
    spec: dict[str, Any] = {
        "kind": "decoder",
        "d_model": 256,
        "heads": 4,
        "d_ff": 1024,
        "vocab_size": VOCAB,
        "max_len": length,
        "bias": False,
        "embed_scale": False,
        "positional": {"kind": "rotary"},
        "norm": {"kind": "rmsnorm", "placement": "pre"},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "decoder": {"layers": 4, "mask": mask},
    }
    torch.manual_seed(0)
    return build_model(Recipe.model_validate({"model": spec})).train()


def steps(net: torch.nn.Module, length: int, n: int) -> float:
    g = torch.Generator().manual_seed(2)
    tokens = torch.randint(0, VOCAB, (BATCH, length + 1), generator=g)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4, fused=True)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        logits = net(tokens[:, :-1])
        F.cross_entropy(logits.flatten(0, 1), tokens[:, 1:].flatten()).backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def sdpa_alone(t: int, windows: list[int | None], calls: int = 15) -> dict[int | None, float]:
    """Minimum seconds of SDPA forward + backward per mask, calls interleaved."""
    q, k, v = (torch.randn(BATCH, 4, t, 64, requires_grad=True) for _ in range(3))
    i, j = torch.arange(t)[:, None], torch.arange(t)[None, :]
    masks = {w: None if w is None else ((j <= i) & (j > i - w))[None, None] for w in windows}
    best = dict.fromkeys(windows, float("inf"))
    for _ in range(calls):
        for w, mask in masks.items():
            start = time.perf_counter()
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None)
            out.sum().backward()
            best[w] = min(best[w], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--length", type=int, default=512)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    t = args.length
    windows: list[int | None] = [None, t, t // 4, t // 16]
    nets = {w: model(t, w) for w in windows}
    loads = [os.getloadavg()[0]]
    times: dict[int | None, list[float]] = {w: [] for w in windows}
    for _ in range(args.repeats):
        for w, net in nets.items():
            times[w].append(steps(net, t, args.steps))
        loads.append(os.getloadavg()[0])
    alone = sdpa_alone(t, windows)
    loads.append(os.getloadavg()[0])
    base = statistics.median(times[None])
    lines = [
        "# Sliding-window attention: the mask's cost on CPU",
        "",
        f"`python benchmarks/sliding_window.py{' '.join(['', *sys.argv[1:]])}` (see its "
        f"docstring); torch {torch.__version__}, {torch.get_num_threads()} threads; batch "
        f"{BATCH} x {t} tokens; medians of {args.steps} steps, {args.repeats} interleaved "
        f"repeats. 1-minute load average at the start and after each repeat: "
        f"{', '.join(f'{x:.2f}' for x in loads)}.",
        "",
        "| mask | SDPA path | train step | vs causal |",
        "|---|---|---:|---:|",
    ]
    for w in windows:
        name = "causal" if w is None else f"causal, window {w}"
        path = "is_causal" if w is None or w >= t else "Bool band mask"
        step = statistics.median(times[w])
        lines.append(f"| {name} | {path} | {step * 1e3:.1f} ms | {step / base:.2f}x |")
    lines += [
        "",
        f"SDPA alone, forward + backward of q, k, v [{BATCH}, 4, {t}, 64] (minimum of 15 "
        "interleaved calls):",
        "",
        "| mask | time | vs is_causal |",
        "|---|---:|---:|",
    ]
    for w in windows:
        name = "is_causal" if w is None else f"Bool band mask, window {w}"
        lines.append(f"| {name} | {alone[w] * 1e3:.1f} ms | {alone[w] / alone[None]:.2f}x |")
    lines.append("")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
