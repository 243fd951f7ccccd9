"""Training-step time of each positional scheme against sinusoidal, at the benchmark shapes.

    python -m benchmarks.positions                     # all three shapes, writes the Markdown
    python -m benchmarks.positions --shapes decoder --rounds 3 --steps 3   # a quick look
    python -m benchmarks.positions --lengths 1024      # also the decoder at T 1024 (same tokens)

Every scheme of a shape trains the same pre-norm archspec model on the same batch (shapes.py),
interleaved round by round (harness.py), so a ratio compares like with like even on a busy
machine. Targets (issue 11, item 7): rotary and alibi within 1.1x of sinusoidal's step time,
t5 within 1.3x. The table goes to benchmarks/results/positions.md with the load average.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from benchmarks.harness import Runner, interleave
from benchmarks.machine import load_average
from benchmarks.peers import Candidate, _decoder_loss, _encoder_loss, _seq2seq_loss
from benchmarks.peers.archspec_models import recipe
from benchmarks.shapes import SHAPES, Shape, make_batch

LONG_SCHEMES = ("sinusoidal", "rotary", "alibi", "t5")
"""The schemes timed at the long lengths (`--lengths`): the issue's targets."""

SCHEMES: dict[str, dict[str, Any] | None] = {
    "sinusoidal": {"kind": "sinusoidal"},
    "rotary": {"kind": "rotary"},
    "alibi": {"kind": "alibi"},
    "t5": {"kind": "t5", "buckets": 32, "max_distance": 128},
    "relative": {"kind": "relative", "max_distance": 16},
    "none": {"kind": "none"},
}
TARGETS = {"rotary": 1.1, "alibi": 1.1, "t5": 1.3}
OUT = Path(__file__).parent / "results" / "positions.md"
PROFILE = (Path(__file__).parent / "positions_profile.md").read_text(encoding="utf-8")
"""What the profiles showed (written by hand, appended to every run's Markdown)."""


def build(shape: Shape, positional: dict[str, Any], dropout: float) -> Any:
    from archspec import build_model
    from archspec.recipe import recipe_from_dict

    spec = recipe(shape, "sinusoidal", "pre", dropout)
    spec["model"]["positional"] = positional
    return build_model(recipe_from_dict(spec))


def candidate(shape: Shape, name: str, dropout: float) -> Candidate:
    if shape.kind == "decoder":
        loss = _decoder_loss(lambda m, x: m(x))
    elif shape.kind == "encoder-decoder":
        loss = _seq2seq_loss(lambda m, s, t: m(s, t))
    else:
        loss = _encoder_loss(lambda m, x: m(x), lambda m: m.token_embedding.weight)
    positional = SCHEMES[name]
    assert positional is not None
    return Candidate(name, "archspec", partial(build, shape, positional, dropout), loss)


def long_shape(length: int) -> Shape:
    """The decoder shape at sequence `length`, the batch cut to keep its tokens per step."""
    base = SHAPES["decoder"]
    return replace(base, tgt_len=length, batch=max(1, base.tokens_per_step // length))


def run_shape(
    shape: Shape, rounds: int, steps: int, dropout: float, names: tuple[str, ...] = tuple(SCHEMES)
) -> list[Runner]:
    import torch

    torch.manual_seed(0)
    batch = make_batch(shape)
    runners = [Runner(c, c.build(), batch) for c in (candidate(shape, n, dropout) for n in names)]
    interleave(runners, warmup=2, rounds=rounds, steps=steps, log=lambda s: print(s, flush=True))
    return runners


def table(shape: Shape, runners: list[Runner]) -> list[str]:
    base = runners[0]
    lines = [
        f"### {shape.kind}: {shape.describe()}",
        "",
        "| scheme | median step (ms) | × sinusoidal (median of rounds) | range | target |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    for r in runners:
        per_round = [a / b for a, b in zip(r.round_medians(), base.round_medians(), strict=True)]
        med = statistics.median(per_round)
        target = TARGETS.get(r.name)
        verdict = "" if target is None else f"≤ {target}× {'met' if med <= target else 'MISSED'}"
        lines.append(
            f"| {r.name} | {1000 * r.median_step:.1f} | {med:.3f} | "
            f"{min(per_round):.3f}–{max(per_round):.3f} | {verdict} |"
        )
    return [*lines, ""]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shapes", nargs="+", default=list(SHAPES), choices=list(SHAPES))
    parser.add_argument(
        "--lengths",
        nargs="*",
        type=int,
        default=[],
        help="also time the decoder shape at these sequence lengths (same tokens per step)",
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    command = " ".join(["python -m benchmarks.positions", *(argv or sys.argv[1:])])
    before = load_average()[0]
    sections: list[str] = []
    for kind in args.shapes:
        print(f"{kind}: {SHAPES[kind].describe()}", flush=True)
        runners = run_shape(SHAPES[kind], args.rounds, args.steps, args.dropout)
        sections += table(SHAPES[kind], runners)
        write(args, command, before, sections)  # after every shape: a stopped run keeps them
    for length in args.lengths:
        shape = long_shape(length)
        print(f"decoder at {length}: {shape.describe()}", flush=True)
        runners = run_shape(shape, args.rounds, args.steps, args.dropout, LONG_SCHEMES)
        sections += table(shape, runners)
        write(args, command, before, sections)
    print(f"wrote {args.out}")


def write(args: argparse.Namespace, command: str, before: float, sections: list[str]) -> None:
    import torch

    header = [
        "# Positional schemes: training-step time against sinusoidal",
        "",
        f"`{command}`",
        "",
        f"torch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads, {args.rounds} rounds × {args.steps} steps "
        f"interleaved, dropout {args.dropout}; load average {before:.2f} before, "
        f"{load_average()[0]:.2f} after (on {os.cpu_count()} CPUs). A training step is forward, "
        "loss, backward and AdamW on one fixed batch; each ratio is taken per round, then the "
        "median.",
        "",
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(header + sections + [PROFILE]))


if __name__ == "__main__":
    main()
