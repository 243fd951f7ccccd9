"""Peak memory of training one model, measured in a fresh process per model.

CPU: torch allocates through the C allocator, which tracemalloc does not see, so the honest
number is the process's resident set. Each model runs in its own subprocess that first imports
every peer library (the same baseline for all), records its resident set, then builds the model,
its optimizer and batch and takes `steps` training steps; the reported peak is the high-water
resident set (VmHWM) minus that baseline: parameters, gradients, AdamW state,
activations and the allocator's slack together. GPU: torch.cuda.max_memory_allocated.

Alongside, the bytes of activations autograd saves for backward in one step (tensors packed by
saved_tensors_hooks, each storage counted once, parameters excluded): exact and independent
of the allocator, and the part an implementation controls.

Run one model: python -m benchmarks.memory --shape decoder --dropout 0 --name "HF GPT-2"
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _peak_rss_bytes() -> int:
    """This process's high-water resident set (VmHWM). Not getrusage's ru_maxrss, which Linux
    carries over from the parent across fork and exec (a big parent would mask the child)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def saved_activation_bytes(runner) -> int:  # noqa: ANN001  (a harness.Runner)
    """Bytes autograd saves for backward in one forward pass, parameters excluded."""
    import torch

    params = {p.untyped_storage().data_ptr() for p in runner.model.parameters()}
    storages: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        s = t.untyped_storage()
        if s.data_ptr() not in params and s.device.type != "meta":
            storages[s.data_ptr()] = s.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = runner.candidate.loss(runner.model, runner.batch)
    loss.backward()
    runner.optimizer.zero_grad(set_to_none=True)
    return sum(storages.values())


def measure(kind: str, dropout: float, name: str, steps: int = 3) -> dict[str, float]:
    """In this process: peak resident set above the post-import baseline, and saved bytes."""
    import torch

    torch.set_num_threads(2)
    import transformers  # noqa: F401  (the same imports, so the same baseline, for every model)
    import x_transformers  # noqa: F401

    import archspec.build  # noqa: F401
    from benchmarks.harness import Runner
    from benchmarks.peers import candidates
    from benchmarks.shapes import SHAPES, make_batch

    shape = SHAPES[kind]  # type: ignore[index]
    (cand,) = [c for c in candidates(shape, dropout) if c.name == name]
    base = _rss_bytes()
    runner = Runner(cand, cand.build(), make_batch(shape))
    for _ in range(steps):
        runner.step()
    peak = _peak_rss_bytes()
    saved = saved_activation_bytes(runner)
    return {"peak_mb": (peak - base) / 2**20, "saved_mb": saved / 2**20}


def measure_in_subprocess(kind: str, dropout: float, name: str) -> dict[str, float]:
    """`measure` in a fresh interpreter (so earlier models leave no high-water mark)."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.memory", "--shape", kind, "--dropout", str(dropout),
         "--name", name],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--shape", required=True)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--name", required=True)
    args = p.parse_args()
    import warnings

    warnings.filterwarnings("ignore")
    print(json.dumps(measure(args.shape, args.dropout, args.name)))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
