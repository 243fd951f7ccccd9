"""Grouped-query attention against multi-head attention: KV-cache memory and step times.

    python benchmarks/gqa.py                  # writes benchmarks/results/gqa.md
    python benchmarks/gqa.py --quick          # a smoke run (tiny repeats), same file

One decoder-only shape (d_model 512, 8 heads of 64, d_ff 2048, 4 layers, vocab 8000, rotary
positions, pre RMSNorm, SwiGLU, no dropout), randomly initialised, with kv_heads 8 (multi-head),
2 (grouped-query) and 1 (multi-query). For each:

- KV cache: the bytes of the cache tensors a decoding run really holds (KVCache.nbytes()) after
  a PROMPT-token prefill and NEW one-token steps, against the spec's prediction
  (analysis.memory.kv_cache_bytes_per_token x rows x positions) and against multi-head's.
- decoding step: median seconds of one cached one-token step (the model's forward, no sampling)
  over the NEW steps of a run.
- training step: median seconds of forward, cross-entropy, backward and a fused AdamW step on a
  fixed random batch.
Variants alternate within every repeat, so machine load hits them alike; the load average is
recorded beside the numbers. GQA also has fewer K/V projection parameters: its step times
include that saving.
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

from archspec.analysis.memory import kv_cache_bytes_per_token  # noqa: E402
from archspec.build import build_model  # noqa: E402
from archspec.nn.cache import KVCache  # noqa: E402
from archspec.spec import Recipe  # noqa: E402

KV_HEADS = (8, 2, 1)
ROWS, PROMPT, NEW = 8, 64, 192
TRAIN_BATCH, TRAIN_LEN, VOCAB = 8, 128, 8000
OUT = ROOT / "benchmarks" / "results" / "gqa.md"


def recipe(kv_heads: int) -> Recipe:
    model: dict[str, Any] = {
        "kind": "decoder",
        "d_model": 512,
        "heads": 8,
        "d_ff": 2048,
        "vocab_size": VOCAB,
        "max_len": 512,
        "activation": "swiglu",
        "bias": False,
        "embed_scale": False,
        "positional": {"kind": "rotary"},
        "norm": {"kind": "rmsnorm", "placement": "pre"},
        "attention": {"kind": "multihead", "kv_heads": kv_heads},
        "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
        "decoder": {"layers": 4},
    }
    return Recipe.model_validate({"model": model})


@torch.no_grad()
def decode(model: torch.nn.Module, new: int) -> tuple[list[float], int]:
    """Per-step seconds of `new` cached one-token steps after the prompt; the cache's bytes."""
    g = torch.Generator().manual_seed(1)
    cache = KVCache()
    logits = model(torch.randint(0, VOCAB, (ROWS, PROMPT), generator=g), cache=cache)
    steps = []
    for _ in range(new):
        token = logits[:, -1:].argmax(-1)  # (B, 1)
        start = time.perf_counter()
        logits = model(token, cache=cache)
        steps.append(time.perf_counter() - start)
    return steps, cache.nbytes()


def train_steps(model: torch.nn.Module, n: int) -> list[float]:
    g = torch.Generator().manual_seed(2)
    tokens = torch.randint(0, VOCAB, (TRAIN_BATCH, TRAIN_LEN + 1), generator=g)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, fused=True)
    out = []
    for _ in range(n):
        start = time.perf_counter()
        logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.flatten(0, 1), tokens[:, 1:].flatten())
        loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--train-steps", type=int, default=8)
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--quick", action="store_true", help="1 repeat, 16 decode steps")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    repeats, new, n_train = (1, 16, 2) if args.quick else (args.repeats, NEW, args.train_steps)
    torch.manual_seed(0)
    models = {g: build_model(recipe(g)) for g in KV_HEADS}
    loads = [os.getloadavg()[0]]
    step: dict[int, list[float]] = {g: [] for g in KV_HEADS}
    train: dict[int, list[float]] = {g: [] for g in KV_HEADS}
    held: dict[int, int] = {}
    for _ in range(repeats):
        for g, model in models.items():  # interleaved: each repeat runs every variant
            times, held[g] = decode(model.eval(), new)
            step[g].append(statistics.median(times[2:] or times))
            train[g].append(statistics.median(train_steps(model.train(), n_train)[1:]))
        loads.append(os.getloadavg()[0])
    write(models, step, train, held, new, repeats, loads)


def write(
    models: dict[int, torch.nn.Module],
    step: dict[int, list[float]],
    train: dict[int, list[float]],
    held: dict[int, int],
    new: int,
    repeats: int,
    loads: list[float],
) -> None:
    base = KV_HEADS[0]
    positions = PROMPT + new
    lines = [
        "# Grouped-query attention: KV-cache memory and step times",
        "",
        f"`python benchmarks/gqa.py{' '.join(['', *sys.argv[1:]])}` (see its docstring); "
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, {os.cpu_count()} "
        f"logical cores; medians, {repeats} interleaved repeats. 1-minute load average at the "
        f"start and after each repeat: {', '.join(f'{x:.2f}' for x in loads)} (a shared, "
        "loaded machine inflates times: read the ratios).",
        "",
        f"Decoding: {ROWS} rows, {PROMPT}-token prompt, {new} one-token cached steps "
        f"({positions} positions cached). Training: batch {TRAIN_BATCH} x {TRAIN_LEN} tokens.",
        "",
        "| kv_heads | parameters | KV cache held (measured) | predicted | vs multi-head "
        "| decode step | vs multi-head | train step | vs multi-head |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for g, model in models.items():
        predicted = (kv_cache_bytes_per_token(recipe(g)) or 0) * ROWS * positions
        d, t = statistics.median(step[g]), statistics.median(train[g])
        d0, t0 = statistics.median(step[base]), statistics.median(train[base])
        params = sum(p.numel() for p in model.parameters())
        lines.append(
            f"| {g} | {params:,} | {held[g]:,} B | {predicted:,} B | {held[g] / held[base]:.3f}x "
            f"| {d * 1e3:.2f} ms | {d / d0:.2f}x | {t * 1e3:.1f} ms | {t / t0:.2f}x |"
        )
    lines += [
        "",
        "The cache shrinks exactly by heads / kv_heads (8 / kv_heads): K and V are stored with "
        "kv_heads heads and SDPA shares each among its query heads (enable_gqa) without "
        "repeating it.",
        "",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
