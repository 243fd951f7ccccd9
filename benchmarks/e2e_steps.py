"""Where one training step's time goes, for `archspec train` and the hand-written loop alike.

    python benchmarks/e2e_steps.py archspec train RECIPE --max-steps 60 --plain ...
    python benchmarks/e2e_steps.py benchmarks/peers/loop_lm.py --steps 60 --out-dir /tmp/x
    python benchmarks/e2e_steps.py --cpu ...   # this thread's CPU time instead of the wall
                                               # clock: steadier on a loaded machine (with
                                               # OMP_NUM_THREADS=1 all the work is this thread's)

Runs the command in this process with timers around the parts every training step has, by
wrapping the functions both sides call (whoever calls them: Lightning or the loop):

    forward    the model's top-level forward (archspec's DecoderTransformer, the loop's GPT)
    backward   torch.Tensor.backward
    clip       torch.nn.utils.clip_grad_norm_
    zero_grad  torch.optim.Optimizer.zero_grad
    optimizer  torch.optim.Optimizer.step's own work (between its pre and post hooks)

and prints, over the steps from the 10th on, the median milliseconds per step of each part and
of the rest (the step's wall time between two optimizer steps less the parts: loss, data,
logging, callbacks, Lightning's loop). The parts are timed with time.perf_counter only; no
profiler runs, so the step times are those of an ordinary run (a few microseconds per wrap).
"""

from __future__ import annotations

import atexit
import functools
import runpy
import statistics
import sys
import time
from collections import defaultdict
from typing import Any

PARTS = ("forward", "backward", "clip", "zero_grad", "optimizer")
MODELS = {"DecoderTransformer", "GPT"}
"""Top-level model classes whose forward is timed (archspec's decoder, the loop's GPT)."""


class Clock:
    """Seconds spent in each part since the last optimizer step, and the steps' boundaries."""

    def __init__(self, cpu: bool = False) -> None:
        self.now = time.thread_time if cpu else time.perf_counter
        self.current: dict[str, float] = defaultdict(float)
        self.steps: list[tuple[float, dict[str, float]]] = []
        self._opt_start = 0.0
        self._inside = 0.0
        self._depth = 0

    def wrap(self, owner: Any, attr: str, part: str) -> None:
        real = getattr(owner, attr)

        @functools.wraps(real)
        def timed(*args: Any, **kwargs: Any) -> Any:
            if self._depth:  # a part inside another (e.g. zero_grad inside a step) counts once
                return real(*args, **kwargs)
            self._depth += 1
            start = self.now()
            try:
                return real(*args, **kwargs)
            finally:
                self.current[part] += self.now() - start
                self._depth -= 1

        setattr(owner, attr, timed)

    def before_step(self, *_: Any) -> None:
        self._opt_start = self.now()
        self._inside = sum(self.current.values())

    def after_step(self, *_: Any) -> None:
        now = self.now()
        # Lightning runs forward and backward in the closure it passes to step(): those parts
        # count as themselves, not as the optimizer's
        inside = sum(self.current.values()) - self._inside
        self.current["optimizer"] += now - self._opt_start - inside
        self.steps.append((now, dict(self.current)))
        self.current.clear()

    def table(self, skip: int = 10) -> list[str]:
        rows = self.steps[skip:]
        walls = [b[0] - a[0] for a, b in zip(self.steps[skip - 1 :], rows, strict=False)]
        lines = [f"steps {skip + 1}-{len(self.steps)}: median ms per step"]
        parts = {p: [r[1].get(p, 0.0) * 1e3 for r in rows] for p in PARTS}
        rest = [w * 1e3 - sum(parts[p][i] for p in PARTS) for i, w in enumerate(walls)]
        lines.append(f"  step (wall)  {statistics.median(walls) * 1e3:8.2f}")
        for p in PARTS:
            lines.append(f"  {p:<11}  {statistics.median(parts[p]):8.2f}")
        lines.append(f"  rest         {statistics.median(rest):8.2f}")
        return lines


def install(clock: Clock) -> None:
    import torch
    from torch.optim.optimizer import (
        register_optimizer_step_post_hook,
        register_optimizer_step_pre_hook,
    )

    clock.wrap(torch.Tensor, "backward", "backward")
    clock.wrap(torch.nn.utils, "clip_grad_norm_", "clip")
    clock.wrap(torch.optim.Optimizer, "zero_grad", "zero_grad")
    register_optimizer_step_pre_hook(clock.before_step)
    register_optimizer_step_post_hook(clock.after_step)
    starts: list[float] = []

    def pre(module: Any, _: Any) -> None:
        if type(module).__name__ in MODELS and not clock._depth:
            starts.append(clock.now())

    def post(module: Any, _: Any, __: Any) -> None:
        if type(module).__name__ in MODELS and starts:
            clock.current["forward"] += clock.now() - starts.pop()

    torch.nn.modules.module.register_module_forward_pre_hook(pre)
    torch.nn.modules.module.register_module_forward_hook(post)


def main() -> None:
    cpu = sys.argv[1] == "--cpu"
    target, *args = sys.argv[2:] if cpu else sys.argv[1:]
    clock = Clock(cpu)
    install(clock)
    # at exit: `archspec train` ends its process with os._exit once the atexit handlers ran
    atexit.register(lambda: print("\n".join(clock.table()), file=sys.stderr))
    try:
        if target == "archspec":
            from archspec.cli import main as cli

            sys.argv = ["archspec", *args]
            cli()
        else:
            sys.argv = [target, *args]
            runpy.run_path(target, run_name="__main__")
    except SystemExit:
        pass


if __name__ == "__main__":
    main()
