"""Run one training process and record when each optimizer step finished.

    python benchmarks/e2e_probe.py OUT.json archspec train RECIPE ...   # the archspec CLI
    python benchmarks/e2e_probe.py OUT.json benchmarks/peers/loop_lm.py ...  # a script

One global optimizer step post-hook (torch.optim.optimizer.register_optimizer_step_post_hook)
appends time.time() after every step, whoever calls it (Lightning or a hand-written loop), and
OUT.json gets {"steps": [...]} when the process exits: the hook costs one list append per
step. For archspec the probe also times the phases around the steps (`PHASES`: data
preparation, validation loops, checkpoint writes, the curves, the final sample), by wrapping
those functions in this process only, into {"phases": [[name, start, end], ...]}. The parent
(benchmarks/e2e.py) notes the wall clock before it starts this process and after it ends, so
time to first step and time after the last step include interpreter start-up and shut-down.
"""

from __future__ import annotations

import atexit
import functools
import importlib
import json
import runpy
import sys
import time
from typing import Any

PHASES = {
    "data": ("archspec.data.module", "build_datamodule"),
    "baselines": ("archspec.train.baselines", "write_baselines"),
    "validation": ("lightning.pytorch.loops.evaluation_loop", "_EvaluationLoop.run"),
    "checkpoint": ("lightning.pytorch.trainer.trainer", "Trainer.save_checkpoint"),
    "curves": ("archspec.pictures.curves", "write_run_curves"),
    "sample": ("archspec.components.objective.causal_lm", "CausalLM.final_sample"),
    "bleu": ("archspec.train.objectives", "Seq2SeqModule.on_validation_epoch_end"),
    "summary": ("archspec.train.run", "summarize"),
    "report": ("archspec.train.report", "print_report"),
    "fit": ("lightning.pytorch.trainer.trainer", "Trainer.fit"),
}
"""Phase name -> (module, attribute path) of the function whose calls it times."""


def trace(phases: list[list[Any]]) -> None:
    """Wrap every PHASES function so that each call appends [name, start, end]."""
    for name, (module, path) in PHASES.items():
        owner: Any = importlib.import_module(module)
        *parents, attr = path.split(".")
        for part in parents:
            owner = getattr(owner, part)
        real = getattr(owner, attr)

        @functools.wraps(real)
        def timed(*args: Any, _real: Any = real, _name: str = name, **kwargs: Any) -> Any:
            start = time.time()
            try:
                return _real(*args, **kwargs)
            finally:
                phases.append([_name, start, time.time()])

        setattr(owner, attr, timed)


def main() -> None:
    out, target, *args = sys.argv[1:]
    if target == "archspec":  # what the console script does first, before the probe's imports
        from archspec import collector

        collector.defer_full_collections()
    from torch.optim.optimizer import register_optimizer_step_post_hook

    steps: list[float] = []
    phases: list[list[Any]] = []
    register_optimizer_step_post_hook(lambda *_: steps.append(time.time()))

    def write() -> None:
        with open(out, "w") as f:
            json.dump({"steps": steps, "phases": phases}, f)

    atexit.register(write)
    if target == "archspec":
        from archspec.cli import main as cli

        trace(phases)

        sys.argv = ["archspec", *args]
        cli()
    else:
        sys.argv = [target, *args]
        runpy.run_path(target, run_name="__main__")


if __name__ == "__main__":
    main()
