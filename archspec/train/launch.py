"""Start a training run from a recipe file, or continue one: what `archspec train` does once
its flags are parsed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from archspec.errors import ArchspecError

if TYPE_CHECKING:
    from archspec.train.run import RunResult


def launch(
    recipe_path: Path | None,
    overrides: list[str],
    run_dir: Path | None = None,
    resume: Path | None = None,
    init_from: Path | None = None,
) -> RunResult:
    """Train RECIPE (with `overrides`) into `run_dir`, or continue the run `resume` from its
    last checkpoint, where only trainer settings may change."""
    from archspec.recipe import load_recipe
    from archspec.train.run import train
    from archspec.train.rundir import last_checkpoint

    if resume is None:
        if recipe_path is None:
            raise ArchspecError("give a RECIPE to train, or --resume RUN_DIR")
        recipe = load_recipe(str(recipe_path), overrides=overrides, trainable=True)
        return train(recipe, run_dir=run_dir, recipe_path=recipe_path, init_from=init_from)
    if init_from is not None:
        raise ArchspecError("--resume continues its own weights; --init-from starts a new run")
    if recipe_path is not None or run_dir is not None:
        raise ArchspecError("--resume RUN_DIR takes no RECIPE and no --run-dir")
    bad = [s for s in overrides if not s.startswith("trainer.")]
    if bad:
        raise ArchspecError(
            "--resume continues the run's own recipe; only trainer settings may change "
            f"(not {', '.join(bad)})"
        )
    last_checkpoint(resume)  # a clear message when RUN_DIR cannot be resumed
    recipe = load_recipe(str(resume / "recipe.yaml"), overrides=overrides)
    return train(recipe, run_dir=resume, recipe_path=resume / "recipe.yaml", resume=True)


def end_process(status: int) -> NoReturn:
    """End the `archspec train` process with `status` as soon as its work is done.

    The atexit handlers run (loggers, trackers, multiprocessing children) and stdout/stderr
    are flushed, then os._exit skips the interpreter's teardown of the ~3,800 modules torch and
    Lightning import, which alone took 1.5 s after every run (benchmarks/results/e2e.md).
    Every file a run writes is closed by then (atomic writes, Lightning's loggers finalize in
    Trainer.fit). A thread that is not a daemon (some tracker's uploader) is waited for as
    usual: then the ordinary exit takes over.
    """
    import atexit
    import os
    import threading

    others = [t for t in threading.enumerate() if t is not threading.main_thread()]
    if any(not t.daemon for t in others):
        sys.exit(status)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(status)
