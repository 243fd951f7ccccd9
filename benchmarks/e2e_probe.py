"""Run one training process and record when each optimizer step finished.

    python benchmarks/e2e_probe.py OUT.json archspec train RECIPE ...   # the archspec CLI
    python benchmarks/e2e_probe.py OUT.json benchmarks/peers/loop_lm.py ...  # a script

One global optimizer step post-hook (torch.optim.optimizer.register_optimizer_step_post_hook)
appends time.time() after every step, whoever calls it (Lightning or a hand-written loop), and
OUT.json gets {"steps": [...]} when the process exits. Nothing else is changed: the hook costs
one list append per step. The parent (benchmarks/e2e.py) notes the wall clock before it
starts this process and after it ends, so time to first step and time after the last step
include interpreter start-up and shut-down.
"""

from __future__ import annotations

import atexit
import json
import runpy
import sys
import time


def main() -> None:
    out, target, *args = sys.argv[1:]
    from torch.optim.optimizer import register_optimizer_step_post_hook

    steps: list[float] = []
    register_optimizer_step_post_hook(lambda *_: steps.append(time.time()))

    def write() -> None:
        with open(out, "w") as f:
            json.dump({"steps": steps}, f)

    atexit.register(write)
    if target == "archspec":
        from archspec.cli import main as cli

        sys.argv = ["archspec", *args]
        cli()
    else:
        sys.argv = [target, *args]
        runpy.run_path(target, run_name="__main__")


if __name__ == "__main__":
    main()
