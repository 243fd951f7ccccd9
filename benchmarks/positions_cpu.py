"""Training-step thread CPU time of the positional schemes on one thread: a check that holds
on a loaded machine, where wall-clock ratios (benchmarks/positions.py) scatter.

    python -m benchmarks.positions_cpu                 # the decoder shape (T 128, batch 16)
    python -m benchmarks.positions_cpu --length 1024   # the same tokens at T 1024, batch 2

One thread, so the thread's CPU time is the step's work, whatever else runs; schemes
interleaved step by step after two warm-up steps each; medians printed with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from dataclasses import replace

from benchmarks.harness import Runner
from benchmarks.positions import candidate
from benchmarks.shapes import SHAPES, make_batch

NAMES = ("sinusoidal", "rotary", "alibi", "t5")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=128)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    base = SHAPES["decoder"]
    shape = replace(base, tgt_len=args.length, batch=base.tokens_per_step // args.length)
    torch.manual_seed(0)
    batch = make_batch(shape)
    runners = [Runner(c, c.build(), batch) for c in (candidate(shape, n, 0.1) for n in NAMES)]
    for r in runners:
        r.step(), r.step()
    times: dict[str, list[float]] = {n: [] for n in NAMES}
    for _ in range(args.rounds):
        for name, r in zip(NAMES, runners, strict=True):
            t0 = time.thread_time()
            r.step()
            times[name].append(time.thread_time() - t0)
    first = statistics.median(times[NAMES[0]])
    print(f"decoder at T {shape.tgt_len}, batch {shape.batch}; 1 thread, thread CPU time")
    for name in NAMES:
        m = statistics.median(times[name])
        print(f"{name:10s} {1000 * m:8.1f} ms  x{m / first:.3f}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
