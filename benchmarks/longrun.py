"""Activation checkpointing measured: the activation bytes kept after a training forward
against the memory model's prediction, and the step time it costs, for a recipe's model at a
batch; writes benchmarks/results/longrun.md.

Kept bytes (`kept_bytes`): every storage an operator creates during the forward and the
cross-entropy (seen by a TorchDispatchMode), still alive when the forward has returned and
only the loss is held: what autograd and torch.utils.checkpoint's recompute closures keep for
the backward pass.  Exact and independent of the allocator (CPU has no allocator statistics).
Step time: forward, backward and an AdamW step on one fixed batch, the choices interleaved
round by round, median per choice; the 1-minute load average is recorded beside it.

    python -m benchmarks.longrun --batch 8 --rounds 5
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CHOICES = ("off", "{every: 2}", "all")


def kept_bytes(model: Any, forward: Callable[[], Any]) -> int:
    """Bytes of the non-parameter storages made by `forward()` still alive once it returned
    (module docstring); `forward` returns the loss, which is then backpropagated."""
    import torch
    from torch.multiprocessing.reductions import StorageWeakRef
    from torch.utils._python_dispatch import TorchDispatchMode
    from torch.utils._pytree import tree_leaves

    made: list[tuple[int, Any, int]] = []  # an address can be freed and reused

    class Alive(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            for t in tree_leaves(out):
                if isinstance(t, torch.Tensor) and t.device.type == "cpu":
                    s = t.untyped_storage()
                    made.append((s.data_ptr(), StorageWeakRef(s), s.nbytes()))
            return out

    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    with Alive():
        loss = forward()
    skip = {*params, loss.untyped_storage().data_ptr()}
    alive = {ptr: n for ptr, ref, n in made if ptr not in skip and not ref.expired()}
    loss.backward()
    return sum(alive.values())


def _recipe(path: Path, choice: str) -> Any:
    from archspec.recipe import load_recipe

    return load_recipe(path, [f"trainer.activation_checkpointing={choice}", "model.vocab_size=128"])


def _lm_forward(model: Any, batch: int, seq_len: int, vocab: int) -> Callable[[], Any]:
    import torch
    import torch.nn.functional as F

    def forward() -> Any:
        ids = torch.randint(0, vocab, (batch, seq_len + 1))
        logits = model(ids[:, :-1])
        return F.cross_entropy(logits.flatten(0, 1), ids[:, 1:].flatten())

    return forward


def measure(path: Path, batch: int, seq_len: int, rounds: int) -> dict[str, Any]:
    import torch

    from archspec.analysis.flops import training_flops_per_token
    from archspec.analysis.memory import activation_bytes, recompute_peak_bytes
    from archspec.build import build_model

    rows: dict[str, dict[str, Any]] = {}
    models, steps = {}, {}
    for choice in CHOICES:
        recipe = _recipe(path, choice)
        torch.manual_seed(0)
        model = build_model(recipe).train()
        vocab = recipe.model.vocab_size
        kept = kept_bytes(model, _lm_forward(model, batch, seq_len, vocab))
        rows[choice] = {
            "predicted": activation_bytes(recipe, batch, seq_len),
            "kept": kept,
            "recompute_peak": recompute_peak_bytes(recipe, batch, seq_len),
            "train_flops": training_flops_per_token(recipe, seq_len),
            "times": [],
        }
        models[choice] = model
        opt = torch.optim.AdamW(model.parameters(), lr=1e-4)
        fixed = torch.randint(0, vocab, (batch, seq_len + 1))

        def step(model=model, opt=opt, fixed=fixed) -> None:
            logits = model(fixed[:, :-1])
            loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), fixed[:, 1:].flatten())
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)

        step()  # warm-up
        steps[choice] = step
    loads = [os.getloadavg()[0]]
    for _ in range(rounds):
        for choice in CHOICES:
            t0 = time.perf_counter()
            steps[choice]()
            rows[choice]["times"].append(time.perf_counter() - t0)
        loads.append(os.getloadavg()[0])
    return {"rows": rows, "loads": loads}


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def render(path: Path, batch: int, seq_len: int, rounds: int, result: dict[str, Any]) -> str:
    import torch

    rows = result["rows"]
    base = statistics.median(rows["off"]["times"])
    flops0 = rows["off"]["train_flops"]
    lines = [
        "# Activation checkpointing: kept memory and step time",
        "",
        f"Generated by `python -m benchmarks.longrun --batch {batch} --seq-len {seq_len} "
        f"--rounds {rounds}` on `{path.relative_to(ROOT)}` (vocab 128), batch {batch} × {seq_len},"
        f" fp32, torch {torch.__version__}, {platform.processor() or platform.machine()}, "
        f"{torch.get_num_threads()} threads.",
        f"1-minute load average at the start and after each round: "
        f"{', '.join(f'{x:.2f}' for x in result['loads'])} (the machine was shared: step times are"
        " ratios of interleaved rounds, not absolute speeds).",
        "",
        "| activation_checkpointing | predicted kept MB | measured kept MB | predicted/measured "
        "| + recompute peak MB | training FLOPs (model) | step time (median) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for choice, r in rows.items():
        t = statistics.median(r["times"])
        lines.append(
            f"| `{choice}` | {_mb(r['predicted'])} | {_mb(r['kept'])} | "
            f"{r['predicted'] / r['kept']:.3f} | {_mb(r['recompute_peak'])} | "
            f"{r['train_flops'] / flops0:.2f}x | {t / base:.2f}x ({t * 1000:.0f} ms) |"
        )
    lines += [
        "",
        "Measured kept bytes: storages made in the forward and alive after it (a "
        "TorchDispatchMode; tests/train/test_activation_checkpointing.py holds small models of "
        "every kind to 5% of the prediction). The recompute peak is what the backward pass adds "
        "while one checkpointed layer is recomputed.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipe", type=Path, default=ROOT / "recipes/examples/gpt-small.yaml")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--seq-len", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/longrun.md")
    args = parser.parse_args()
    result = measure(args.recipe.resolve(), args.batch, args.seq_len, args.rounds)
    text = render(args.recipe.resolve(), args.batch, args.seq_len, args.rounds, result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
