"""Decoding speed: the key/value cache against full recomputation, and greedy against beam 4.

    python benchmarks/decoding.py                 # print the table
    python benchmarks/decoding.py --append        # and add it to benchmarks/DECODING.md

Models are randomly initialised (speed does not depend on the weights) in the shapes of
/work/shared/reference/performance-notes.md: a decoder-only model (d_model 256, 4 heads,
d_ff 1024, 4 layers, vocab 8000, learned positions) continuing a 16-token prompt, and an
encoder-decoder (3 + 3 layers, same widths) translating a 32-token source. Every run makes
exactly 128 new tokens per sequence (<eos> is never accepted). Cached and uncached runs
alternate, each row is the median of --repeats runs; tokens/s counts output tokens of the
best hypothesis (beam search does K times the decoder work for them).
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from archspec.build import build_model  # noqa: E402
from archspec.decoding.beam import beam_search  # noqa: E402
from archspec.decoding.greedy import greedy  # noqa: E402
from archspec.decoding.session import DecoderSession, Seq2SeqSession  # noqa: E402
from archspec.spec import Recipe  # noqa: E402

NEW_TOKENS, PROMPT, SOURCE, NEVER = 128, 16, 32, -1
SHAPE = {"d_model": 256, "heads": 4, "d_ff": 1024, "vocab_size": 8000, "max_len": 512}


def models() -> dict[str, torch.nn.Module]:
    torch.manual_seed(0)
    decoder = {"kind": "decoder", **SHAPE, "positional": {"kind": "learned", "max_len": 512}}
    decoder["decoder"] = {"layers": 4}
    seq2seq = {"kind": "encoder-decoder", **SHAPE, "encoder": {"layers": 3}}
    seq2seq["decoder"] = {"layers": 3}
    return {
        name: build_model(Recipe.model_validate({"model": spec})).eval()
        for name, spec in (("decoder", decoder), ("encoder-decoder", seq2seq))
    }


@torch.no_grad()
def run_once(model, kind: str, batch: int, beam: int, cache: bool) -> float:
    """Seconds to make NEW_TOKENS tokens for `batch` sequences."""
    g = torch.Generator().manual_seed(1)
    start = time.perf_counter()
    if kind == "decoder":
        first = torch.randint(5, 8000, (batch, PROMPT), generator=g)
        session = DecoderSession(model, prompt_len=PROMPT, use_cache=cache)
    else:
        src = torch.randint(5, 8000, (batch, SOURCE), generator=g)
        session = Seq2SeqSession(model, src, None, use_cache=cache)
        first = torch.full((batch, 1), 2)
    if beam == 1:
        out = greedy(session, first, NEW_TOKENS, NEVER)
        assert all(len(r) == NEW_TOKENS for r in out)
    else:
        out = beam_search(session, first, NEW_TOKENS, NEVER, beam=beam, alpha=0.6)
        assert all(len(r[0].tokens) == NEW_TOKENS for r in out)
    return time.perf_counter() - start


def measure(repeats: int) -> list[dict]:
    rows = []
    cases = [
        ("decoder", 1, 1),
        ("decoder", 8, 1),
        ("decoder", 1, 4),
        ("encoder-decoder", 1, 1),
        ("encoder-decoder", 8, 1),
        ("encoder-decoder", 1, 4),
        ("encoder-decoder", 8, 4),
    ]
    for name, model in models().items():
        run_once(model, name, 1, 1, True)  # warm-up
        for kind, batch, beam in cases:
            if kind != name:
                continue
            times = {True: [], False: []}
            for _ in range(repeats):
                for cache in (False, True):  # interleaved
                    times[cache].append(run_once(model, kind, batch, beam, cache))
            tokens = batch * NEW_TOKENS
            cached, full = statistics.median(times[True]), statistics.median(times[False])
            rows.append(
                {
                    "model": kind,
                    "batch": batch,
                    "method": "greedy" if beam == 1 else f"beam {beam}",
                    "uncached": tokens / full,
                    "cached": tokens / cached,
                }
            )
            print(format_row(rows[-1]), flush=True)
    return rows


HEADER = (
    "| model | batch | method | uncached tok/s | cached tok/s | speed-up |\n"
    "|---|---:|---|---:|---:|---:|"
)


def format_row(r: dict) -> str:
    return (
        f"| {r['model']} | {r['batch']} | {r['method']} | {r['uncached']:,.0f} | "
        f"{r['cached']:,.0f} | {r['cached'] / r['uncached']:.2f}x |"
    )


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = [
            ln.split(":", 1)[1].strip()
            for ln in cpuinfo.read_text().splitlines()
            if ln.startswith("model name")
        ]
        cpu = f"{names[0]} ({len(names)} logical cores)" if names else cpu
    return f"{cpu}, torch {torch.__version__}, {torch.get_num_threads()} threads"


def greedy_vs_beam(rows: list[dict]) -> list[str]:
    lines = []
    for kind in ("decoder", "encoder-decoder"):
        by = {(r["batch"], r["method"]): r for r in rows if r["model"] == kind}
        if (1, "greedy") in by and (1, "beam 4") in by:
            ratio = by[(1, "greedy")]["cached"] / by[(1, "beam 4")]["cached"]
            lines.append(f"- {kind}, batch 1, cached: greedy is {ratio:.2f}x as fast as beam 4")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--append", action="store_true", help="add the table to DECODING.md")
    args = parser.parse_args()
    print(HEADER)
    rows = measure(args.repeats)
    notes = greedy_vs_beam(rows)
    print("\n".join(notes))
    if args.append:
        text = [
            f"\n## {date.today().isoformat()}\n",
            f"`python benchmarks/decoding.py --repeats {args.repeats}` on {machine()}; "
            f"{NEW_TOKENS} new tokens per sequence, medians of {args.repeats} interleaved runs.\n",
            HEADER,
            *map(format_row, rows),
            "",
            *notes,
            "",
        ]
        with open(ROOT / "benchmarks" / "DECODING.md", "a", encoding="utf-8") as f:
            f.write("\n".join(text))


if __name__ == "__main__":
    main()
