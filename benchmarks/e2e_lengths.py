"""Step time and saved activation memory by sequence length: the quickstart decoder with every
positional scheme the registry knows, against the nanoGPT-style model of the same shape.

    python benchmarks/e2e_lengths.py [--quick]     # prints the table (benchmarks/e2e.py
                                                   # puts it into results/e2e.md)

Shape: the quickstart's (4 layers, d_model 128, 4 heads, d_ff 512, vocabulary 96, dropout 0),
max_len = T, batch 4096 / T sequences (the same tokens per step at every T). A training step
is forward, cross-entropy, backward, fused AdamW and zero_grad on one fixed batch
(benchmarks/harness.py: interleaved rounds, median step). Saved MB: the storages autograd
keeps for backward in one forward and loss, parameters excluded (benchmarks/memory.py).
Every model of one T is timed interleaved with the others; a relative scheme is also given
as its step time over sinusoidal's (target <= 1.5x up to T = 1024).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.flops import matmul_flops_per_s  # noqa: E402
from benchmarks.harness import Runner, interleave  # noqa: E402
from benchmarks.memory import saved_activation_bytes  # noqa: E402
from benchmarks.peers import Candidate  # noqa: E402
from benchmarks.shapes import lm_loss  # noqa: E402

LENGTHS = (128, 256, 512, 1024, 2048)
TOKENS, VOCAB = 4096, 96
QUICKSTART = Path(__file__).resolve().parents[1] / "recipes/quickstart/shakespeare-char.yaml"


def _positional(kind: str, t: int) -> dict[str, Any]:
    """The scheme's defaults, with max_len = T where it has one."""
    from archspec.components.registry import entry

    fields = entry("positional", kind).spec.model_fields
    return {"kind": kind, **({"max_len": t} if "max_len" in fields else {})}


def _model_flops_per_token(t: int) -> float:
    """Training FLOPs per token of the quickstart with learned positions at max_len T."""
    from archspec.analysis.flops import training_flops_per_token
    from archspec.recipe import load_recipe

    pos = f"model.positional={{kind: learned, max_len: {t}}}"
    return training_flops_per_token(load_recipe(QUICKSTART, [f"model.max_len={t}", pos]), t)


def candidates(t: int) -> list[Candidate]:
    from archspec import build_model
    from archspec.components.registry import kinds
    from archspec.recipe import load_recipe
    from benchmarks.peers.nanogpt_style import GPT

    def archspec_model(kind: str) -> Any:
        pos = _positional(kind, t)
        text = "{" + ", ".join(f"{k}: {v}" for k, v in pos.items()) + "}"
        recipe = load_recipe(QUICKSTART, [f"model.max_len={t}", f"model.positional={text}"])
        return build_model(recipe)

    loss = lambda m, b: lm_loss(m(b["tokens"]), b["targets"])  # noqa: E731
    out = [Candidate("nanoGPT-style", "peer", lambda: GPT(VOCAB, t, 128, 4, 512, 4, 0.0), loss)]
    for kind in kinds("positional"):
        out.append(
            Candidate(f"archspec {kind}", "archspec", lambda k=kind: archspec_model(k), loss)
        )
    return out


def measure(quick: bool = False) -> dict[int, dict[str, dict[str, float]]]:
    """T -> model name -> {"step_ms", "saved_mb"}."""
    import contextlib
    import io

    import torch

    lengths = (64, 128) if quick else LENGTHS
    results: dict[int, dict[str, dict[str, float]]] = {}
    for t in lengths:
        b = max(1, TOKENS // t)
        g = torch.Generator().manual_seed(t)
        seq = torch.randint(5, VOCAB, (b, t + 1), generator=g)
        batch = {"tokens": seq[:, :-1], "targets": seq[:, 1:]}
        with contextlib.redirect_stderr(io.StringIO()):  # the --set notes of each recipe
            runners = [Runner(c, c.build(), batch) for c in candidates(t)]
        saved = {r.name: saved_activation_bytes(r) / 2**20 for r in runners}
        # 12 timed steps per model up to T 512 (6 left the 1.1x-level ranking to chance)
        rounds, steps = (1, 2) if quick else ((6, 2) if t <= 512 else (3, 2))
        interleave(runners, warmup=1, rounds=rounds, steps=steps, log=lambda _: None)
        results[t] = {
            r.name: {"step_ms": r.median_step * 1000, "saved_mb": saved[r.name]} for r in runners
        }
        flops = b * t * _model_flops_per_token(t)  # the learned-position model; nanoGPT's too
        probe = matmul_flops_per_s()
        for name in ("nanoGPT-style", "archspec learned"):
            if name in results[t]:
                share = flops / (results[t][name]["step_ms"] / 1000) / probe
                results[t][name]["flop_share"] = share
        print(f"  T={t}: " + ", ".join(f"{k} {v['step_ms']:.0f} ms" for k, v in results[t].items()),
              flush=True)  # fmt: skip
        for r in runners:
            r.release()
    return results


def markdown(results: dict[int, dict[str, dict[str, float]]]) -> list[str]:
    names = list(next(iter(results.values())))
    head = "| model | " + " | ".join(f"T={t} (B={max(1, TOKENS // t)})" for t in results) + " |"
    rule = "|---|" + "---|" * len(results)
    lines = ["## Step time and saved activations by sequence length", "",
             f"{TOKENS} tokens per step at every T; ms per training step (x the nanoGPT-style "
             "model's), then MB autograd keeps for backward.", "", head, rule]  # fmt: skip
    for name in names:
        cells = []
        for per in results.values():
            ms, peer = per[name]["step_ms"], per["nanoGPT-style"]["step_ms"]
            cells.append(f"{ms:.0f} ms ({ms / peer:.2f}x)")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += ["", head.replace("model", "saved MB"), rule]
    for name in names:
        lines.append(
            f"| {name} | "
            + " | ".join(f"{per[name]['saved_mb']:.1f}" for per in results.values())
            + " |"
        )
    shares = [
        f"T={t} "
        + " / ".join(f"{per[n]['flop_share']:.2f}" for n in names if "flop_share" in per[n])
        for t, per in results.items()
        if any("flop_share" in v for v in per.values())
    ]
    if shares:
        lines += [
            "",
            "Model FLOP/s over a 2048^3 fp32 matmul probed after each length "
            "(nanoGPT-style / archspec learned; target >= 0.6): " + ", ".join(shares) + ".",
        ]
    if "archspec relative" in names and "archspec sinusoidal" in names:
        ratio = [
            per["archspec relative"]["step_ms"] / per["archspec sinusoidal"]["step_ms"]
            for per in results.values()
        ]
        lines += ["", "Relative over sinusoidal step time: " + ", ".join(
            f"T={t} {r:.2f}x" for t, r in zip(results, ratio, strict=True)) + "."]  # fmt: skip
    return [*lines, ""]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    print("\n".join(markdown(measure(args.quick))))


if __name__ == "__main__":
    main()
