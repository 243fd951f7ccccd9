"""The run directory: where one training run keeps everything it needs to resume or be used.

RUN_DIR/
  recipe.yaml            the fully resolved recipe (loads back to the same Recipe)
  tokenizer*.json        the trained tokenizer(s)
  checkpoints/last.ckpt  latest state (weights, optimizer, schedule, step, data position, RNG)
  checkpoints/best.ckpt  best by trainer.checkpoint_metric
  metrics.csv            every logged metric (TensorBoard events too, when installed)
  summary.json           parameters, tokens/s, wall time, final and best metrics, status
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from archspec.errors import ArchspecError

RUN_DIR_ENV = "ARCHSPEC_RUN_DIR"
"""Set by rank 0 before Lightning launches other ranks, so that every process uses one folder."""


def process_rank() -> int:
    """This process's global rank as launchers announce it (0 when not launched)."""
    for var in ("RANK", "SLURM_PROCID", "PMI_RANK"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    local, node = os.environ.get("LOCAL_RANK", "0"), os.environ.get("NODE_RANK", "0")
    return int(node) * 1000 + int(local) if local.isdigit() and node.isdigit() else 0


def default_run_dir(recipe_path: str | Path, root: Path = Path("runs")) -> Path:
    """runs/<recipe name>-<YYYYmmdd-HHMMSS>, with a counter if that exists already."""
    stem = Path(recipe_path).stem
    base = root / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def prepare_new_run_dir(run_dir: Path) -> Path:
    """Create run_dir for a new run; a folder already holding a run is never overwritten."""
    if process_rank() == 0 and os.environ.get(RUN_DIR_ENV) != str(run_dir.resolve()):
        if run_dir.exists() and any(run_dir.iterdir()):
            raise ArchspecError(
                f"{run_dir}: this folder already holds files; continue that run with "
                f"`archspec train --resume {run_dir}` or choose another --run-dir"
            )
        run_dir.mkdir(parents=True, exist_ok=True)
    os.environ[RUN_DIR_ENV] = str(run_dir.resolve())
    return run_dir


def checkpoint_dir(run_dir: Path) -> Path:
    return run_dir / "checkpoints"


def last_checkpoint(run_dir: Path) -> Path:
    """The checkpoint `--resume` continues from; a clear error when it is missing."""
    if not run_dir.is_dir():
        raise ArchspecError(f"{run_dir}: no such run directory")
    if not (run_dir / "recipe.yaml").is_file():
        raise ArchspecError(f"{run_dir}: not a run directory (no recipe.yaml)")
    ckpt = checkpoint_dir(run_dir) / "last.ckpt"
    if not ckpt.is_file():
        raise ArchspecError(f"{run_dir}: no checkpoint to resume from ({ckpt} is missing)")
    return ckpt
