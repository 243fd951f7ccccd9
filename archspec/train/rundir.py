"""The run directory: where one training run keeps everything it needs to resume or be used.

RUN_DIR/
  recipe.yaml            the fully resolved recipe (loads back to the same Recipe); data paths
                         in it are absolute, so `--resume` works from any working directory
  tokenizer*.json        the trained tokenizer(s)
  checkpoints/last.ckpt  latest state (weights, optimizer, schedule, step, data position, RNG)
  checkpoints/best.ckpt  best by trainer.checkpoint_metric
  metrics.csv            every logged metric (TensorBoard events too, when installed)
  summary.json           parameters, tokens/s, wall time, final and best metrics, status
  .lock                  flock held by the process training this run

Rules (each one tested in tests/robustness):
- a new run's folder appears only once its data is read: the data and tokenizers are prepared
  in a hidden staging folder beside it, renamed into place; a run that fails before its first
  step removes its folder again;
- a folder that holds files (or a path that is a file) is never a new run's folder, whatever
  ARCHSPEC_RUN_DIR, RANK or an earlier `train()` in the same process say;
- `--resume` refuses a run whose recipe.yaml was edited (its hash is in every checkpoint), a
  run that already finished its steps, and a run another process is training.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

from archspec.atomic import read_json
from archspec.errors import ArchspecError
from archspec.locks import alive

RUN_DIR_ENV = "ARCHSPEC_RUN_DIR"
"""Set by rank 0 before Lightning launches other ranks, so that every process uses one folder."""
PARENT_ENV = "ARCHSPEC_RUN_PARENT"
"""The process id of the rank 0 that set RUN_DIR_ENV: only its own children trust it."""
STAGING = ".{name}.staging-{pid}"


def process_rank() -> int:
    """This process's global rank as launchers announce it (0 when not launched)."""
    for var in ("RANK", "SLURM_PROCID", "PMI_RANK"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    local, node = os.environ.get("LOCAL_RANK", "0"), os.environ.get("NODE_RANK", "0")
    return int(node) * 1000 + int(local) if local.isdigit() and node.isdigit() else 0


def launched_run_dir() -> Path | None:
    """The run directory rank 0 chose, when this process is a worker it launched (DDP)."""
    value = os.environ.get(RUN_DIR_ENV)
    if value and os.environ.get(PARENT_ENV) == str(os.getppid()):
        return Path(value)
    return None


def announce_run_dir(run_dir: Path) -> None:
    """Tell the workers this process launches (and only them) which folder to use."""
    os.environ[RUN_DIR_ENV] = str(run_dir.resolve())
    os.environ[PARENT_ENV] = str(os.getpid())


def forget_run_dir() -> None:
    for var in (RUN_DIR_ENV, PARENT_ENV):
        os.environ.pop(var, None)


def default_run_dir(recipe_path: str | Path, root: Path = Path("runs")) -> Path:
    """runs/<recipe name>-<YYYYmmdd-HHMMSS>, with a counter if that exists already."""
    stem = Path(recipe_path).stem
    base = root / f"{stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def check_new_run_dir(run_dir: Path) -> None:
    """A new run may go to a path that does not exist or is an empty folder; nothing else."""
    if run_dir.exists() and not run_dir.is_dir():
        raise ArchspecError(f"{run_dir}: is a file, not a folder; choose another --run-dir")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        raise ArchspecError(
            f"{run_dir}: this folder already holds files; continue that run with "
            f"`archspec train --resume {run_dir}` or choose another --run-dir"
        )
    for parent in run_dir.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise ArchspecError(f"{parent}: is a file, so {run_dir} cannot be created")
            break


def staging_dir(run_dir: Path) -> Path:
    """A fresh hidden folder beside run_dir where a new run is prepared; stale ones (their
    process gone) are removed first."""
    parent = run_dir.absolute().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        for old in parent.glob(STAGING.format(name=run_dir.name, pid="*")):
            pid = old.name.rsplit("-", 1)[-1]
            if not pid.isdigit() or not alive(int(pid)):
                shutil.rmtree(old, ignore_errors=True)
        staging = parent / STAGING.format(name=run_dir.name, pid=os.getpid())
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as err:
        raise ArchspecError(f"{run_dir}: cannot create the run folder ({err.strerror})") from None
    return staging


def publish(staging: Path, run_dir: Path) -> None:
    """Rename the prepared staging folder to run_dir (atomic; refused if another run got it)."""
    try:
        os.rename(staging, run_dir)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        raise ArchspecError(
            f"{run_dir}: another run started in this folder meanwhile; choose another --run-dir"
        ) from None


def wait_for_run_dir(run_dir: Path, timeout: float = 600.0) -> Path:
    """On a rank other than 0 of a launcher-started run: wait until rank 0 has published the
    run directory (its recipe.yaml is there)."""
    deadline = time.monotonic() + timeout
    while not (run_dir / "recipe.yaml").is_file():
        if time.monotonic() > deadline:
            raise ArchspecError(f"{run_dir}: rank 0 did not create this run in {timeout:.0f} s")
        time.sleep(0.5)
    return run_dir


def checkpoint_dir(run_dir: Path) -> Path:
    return run_dir / "checkpoints"


def last_checkpoint(run_dir: Path) -> Path:
    """The checkpoint `--resume` continues from; a clear error when it is missing."""
    if not run_dir.is_dir():
        what = "is a file, not a run directory" if run_dir.exists() else "no such run directory"
        raise ArchspecError(f"{run_dir}: {what}")
    if not (run_dir / "recipe.yaml").is_file():
        raise ArchspecError(f"{run_dir}: not a run directory (no recipe.yaml)")
    ckpt = checkpoint_dir(run_dir) / "last.ckpt"
    if not ckpt.is_file():
        raise ArchspecError(f"{run_dir}: no checkpoint to resume from ({ckpt} is missing)")
    return ckpt


def recipe_hash(recipe: Any) -> str:
    """sha256 of what a run's weights depend on: the recipe without its trainer section (trainer
    settings such as max_steps may change on resume)."""
    data = recipe.model_dump(mode="json", exclude={"trainer"})
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def check_resume(run_dir: Path, recipe: Any, state: dict[str, Any]) -> None:
    """Refuse a resume whose recipe.yaml was edited or whose run already finished its steps.

    `state` is the checkpoint (archspec.loading.read_checkpoint); `recipe` the run's recipe with
    the command line's trainer settings applied."""
    from archspec.train.callbacks import RECIPE_HASH_KEY

    stored = state.get(RECIPE_HASH_KEY)
    if stored is None:  # a checkpoint from before hashes: compare the recipe it holds
        from archspec.spec import Recipe

        try:
            stored = recipe_hash(Recipe.model_validate(state["hyper_parameters"]["recipe"]))
        except Exception:  # noqa: BLE001 - an unreadable stored recipe cannot match either
            stored = "unknown"
    if stored != recipe_hash(recipe):
        raise ArchspecError(
            f"{run_dir / 'recipe.yaml'}: changed since {run_dir.name}'s checkpoint was written; "
            "a resume continues the recipe it trained (only trainer settings may change). "
            "Restore the file, or train the edited recipe as a new run"
        )
    summary = read_json(run_dir / "summary.json") or {}
    step = int(state.get("global_step", 0))
    early, asked = summary.get("early_stopping") or {}, recipe.trainer.early_stopping
    if early and asked is not None and asked.patience <= early.get("patience", 0):
        raise ArchspecError(
            f"{run_dir}: this run stopped early after step {early.get('step')} "
            f"({early.get('metric')} did not improve in {early.get('patience')} validations; "
            "summary.json). To train it further, give a larger --early-stopping "
            "'{patience: N}' or --early-stopping null"
        )
    if summary.get("status") == "finished" and step >= recipe.trainer.max_steps:
        raise ArchspecError(
            f"{run_dir}: this run already finished ({step} steps, summary.json); nothing to "
            f"resume. To train it further, give a larger --max-steps (more than {step})"
        )


def drop_stale_metrics(run_dir: Path, last_step: int) -> None:
    """Before a resume: drop metrics.csv rows logged after the checkpoint (their steps are
    trained again), whatever the step column's base."""
    _rewrite_metrics(run_dir / "metrics.csv", lambda step: step is None or step <= last_step)


def dedupe_metrics(run_dir: Path) -> None:
    """After a run: one row per (step, metrics present), the latest written wins (a resumed run
    logs again the steps after its checkpoint)."""
    path = run_dir / "metrics.csv"
    rows, header = _read_metrics(path)
    if rows is None:
        return
    last: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        last[(row.get("step"), tuple(k for k in header if row.get(k) not in ("", None)))] = i
    keep = sorted(last.values())
    if len(keep) != len(rows):
        _write_metrics(path, header, [rows[i] for i in keep])


def _rewrite_metrics(path: Path, keep) -> None:
    rows, header = _read_metrics(path)
    if rows is None:
        return
    kept = [r for r in rows if keep(_step(r))]
    if len(kept) != len(rows):
        _write_metrics(path, header, kept)


def _read_metrics(path: Path) -> tuple[list[dict[str, str]] | None, list[str]]:
    if not path.is_file():
        return None, []
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if None not in r]  # a row cut short by a kill has None keys
        return rows, list(reader.fieldnames or [])


def _write_metrics(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    from archspec.atomic import write_atomic

    def write(tmp: Path) -> None:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=header)
            writer.writeheader()
            writer.writerows(rows)

    write_atomic(path, write)


def _step(row: dict[str, str]) -> int | None:
    try:
        return int(float(row.get("step") or ""))
    except ValueError:
        return None
