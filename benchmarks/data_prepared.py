"""Prepared and streamed data, measured: writes benchmarks/results/data.md.

    python -m benchmarks.data_prepared            # generates /tmp/archspec-corpus-*.txt once

1. `archspec prepare` throughput (MB of text per second, end to end: tokenizer training and
   tokenizing) on a generated ~1 GB corpus with the char tokenizer, and on its first 100 MB
   with a BPE tokenizer (training a BPE is the slow part, so it gets the smaller slice);
2. training tokens/s at the quickstart shape from prepared shards vs today's in-memory path,
   interleaved (A B A B ...) so that load changes hit both alike;
3. peak resident memory of a training run on the 1 GB corpus vs a 10 MB one (both prepared);
4. time from process start to the end of the first training step on the prepared 1 GB corpus.

Every run is a fresh `archspec` process; resident memory comes from wait4 (the child's own
high-water mark). The 1-minute load average is recorded beside every figure: throughput
measured on a busy machine is not a speed figure, memory is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.data_corpus import write_corpus

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = ROOT / "recipes/quickstart/shakespeare-char.yaml"
SHAPE = """\
model: {kind: decoder, d_model: 128, heads: 4, d_ff: 512, activation: gelu, vocab_size: 96,
        max_len: 128, positional: {kind: learned, max_len: 128}, tying: decoder,
        norm: {kind: layernorm, placement: pre}, decoder: {layers: 4},
        dropout: {residual: 0.0, attention: 0.0, embedding: 0.0}}
data:
  source: {kind: text, path: PATH}
  tokenizer: {kind: TOKENIZER}
  batching: {kind: examples, size: 32}
objective: {kind: causal-lm, sample_tokens: 0}
optimizer: {kind: adamw}
schedule: {kind: cosine, lr: 3.0e-3, warmup: 10, min_lr: 3.0e-4}
trainer: {max_steps: STEPS, val_every: 100000, val_batches: 2, log_every: 10}
"""
FIRST_STEP = """\
import time; t0 = time.perf_counter()
import sys, lightning as L
from pathlib import Path
from archspec.recipe import load_recipe
from archspec.train.run import train
class First(L.Callback):
    def on_train_batch_end(self, trainer, *a):
        if trainer.global_step == 1:
            print("FIRST_STEP", time.perf_counter() - t0, flush=True)
path = Path(sys.argv[1])
train(load_recipe(path), run_dir=Path(sys.argv[2]), recipe_path=path, extra_callbacks=[First()])
"""


def load() -> float:
    return os.getloadavg()[0]


def child(argv: list[str], cwd: Path) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of one process."""
    env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2")}
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{out[-3000:]}")
    return time.perf_counter() - start, usage.ru_maxrss // 1024, out


def recipe(folder: Path, name: str, corpus: Path, tokenizer: str, steps: int) -> Path:
    vocab = "96" if tokenizer == "char" else "4096"
    text = SHAPE.replace("PATH", str(corpus)).replace("TOKENIZER", tokenizer)
    path = folder / f"{name}.yaml"
    path.write_text(
        text.replace("STEPS", str(steps)).replace("vocab_size: 96", f"vocab_size: {vocab}")
    )
    return path


def archspec(*args: str) -> list[str]:
    return [sys.executable, "-m", "archspec", *args]


def prepare_throughput(work: Path, big: Path) -> list[str]:
    slice_ = work / "corpus-100m.txt"
    with open(big, "rb") as src, open(slice_, "wb") as dst:
        dst.write(src.read(100_000_000))
        dst.write(src.readline())
    rows = []
    for name, corpus, tok in (("char", big, "char"), ("bpe", slice_, "bpe")):
        path = recipe(work, f"prep-{name}", corpus, tok, 10)
        before = load()
        wall, rss, _ = child(archspec("prepare", str(path), "--out", str(work / f"p-{name}")), work)
        mb = corpus.stat().st_size / 1e6
        rows.append(
            f"| {tok} | {mb:,.0f} MB | {wall:.1f} s | **{mb / wall:.1f} MB/s** | {rss:,} MB "
            f"| {before:.1f} → {load():.1f} |"
        )
        shutil.rmtree(work / f"p-{name}")
    return rows


def quickstart_speed(work: Path, rounds: int, steps: int) -> tuple[list[str], float]:
    text = QUICKSTART.read_text().replace("data/shakespeare/", str(ROOT / "data/shakespeare") + "/")
    text = text.replace("max_steps: 1000", f"max_steps: {steps}").replace(
        "val_every: 200", "val_every: 100000"
    )
    speeds: dict[str, list[float]] = {"in memory": [], "prepared": []}
    dirs = {"in memory": work / "mem", "prepared": work / "shards"}
    for d in dirs.values():
        d.mkdir(exist_ok=True)
        (d / "shakespeare-char.yaml").write_text(text)
    child(archspec("prepare", "shakespeare-char.yaml"), dirs["prepared"])
    for r in range(rounds):
        for mode, d in dirs.items():
            run = d / f"run{r}"
            child(archspec("train", "shakespeare-char.yaml", "--run-dir", str(run), "--quiet"), d)
            speeds[mode].append(json.loads((run / "summary.json").read_text())["tokens_per_second"])
    med = {m: statistics.median(v) for m, v in speeds.items()}
    rows = [
        f"| {m} | {', '.join(f'{x:,.0f}' for x in v)} | **{med[m]:,.0f}** |"
        for m, v in speeds.items()
    ]
    return rows, med["prepared"] / med["in memory"]


def memory_and_first_step(work: Path, big: Path, small: Path, steps: int) -> list[str]:
    rows = []
    script = work / "first_step.py"
    script.write_text(FIRST_STEP)
    for label, corpus in (("10 MB", small), ("1 GB", big)):
        name = f"mem-{label.replace(' ', '')}"
        path = recipe(work, name, corpus, "char", steps)
        child(archspec("prepare", str(path)), work)
        before = load()
        wall, rss, out = child(
            [sys.executable, str(script), str(path), str(work / f"run-{name}")], work
        )
        first = next(
            float(line.split()[1]) for line in out.splitlines() if line.startswith("FIRST_STEP")
        )
        rows.append(
            f"| {label} | {corpus.stat().st_size / 1e6:,.0f} MB | {steps} | **{rss:,} MB** "
            f"| **{first:.1f} s** | {wall:.0f} s | {before:.1f} → {load():.1f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path("/tmp/archspec-corpus-1g.txt"))
    parser.add_argument("--small", type=Path, default=Path("/tmp/archspec-corpus-10m.txt"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/data.md")
    parser.add_argument("--skip-prepare", action="store_true", help="skip part 1")
    parser.add_argument("--skip-speed", action="store_true", help="skip part 2")
    args = parser.parse_args()
    for path, mb in ((args.corpus, 1000), (args.small, 10)):
        if not path.exists():
            write_corpus(path, mb)
    work = Path(tempfile.mkdtemp(prefix="archspec-data-bench-"))
    start_load = load()
    prep = [] if args.skip_prepare else prepare_throughput(work, args.corpus)
    speed, ratio = (
        ([], float("nan")) if args.skip_speed else quickstart_speed(work, args.rounds, args.steps)
    )
    mem = memory_and_first_step(work, args.corpus, args.small, args.steps)
    shutil.rmtree(work, ignore_errors=True)
    lines = [
        "# Prepared and streamed data",
        "",
        f"Generated by `python -m benchmarks.data_prepared` ({os.cpu_count()} cores; "
        f"1-minute load average {start_load:.1f} at the start, {load():.1f} at the end). "
        "Corpora are generated by benchmarks/data_corpus.py (seeded pseudo-English).",
        "",
        "## prepare throughput (end to end, tokenizer training included)",
        "",
        "| tokenizer | text | wall | throughput | peak RSS | load |",
        "|---|---|---|---|---|---|",
        *prep,
        "",
        f"## Training tokens/s at the quickstart shape ({args.steps} steps, {args.rounds} "
        "interleaved rounds)",
        "",
        "| data | tokens/s per round | median |",
        "|---|---|---|",
        *speed,
        "",
        f"prepared / in memory: **{ratio:.3f}** (target: within 5%)",
        "",
        "## Peak memory and time to first step (quickstart model, prepared char shards)",
        "",
        "| corpus | size | steps | peak RSS | first step after | wall | load |",
        "|---|---|---|---|---|---|---|",
        *mem,
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
