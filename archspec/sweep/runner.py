"""Run an expanded sweep: every variant through `archspec train`, resumable, never twice.

Before anything trains, each variant's run directory says what to do (state.py): skip a
finished one, resume one with a checkpoint, start the rest; a run directory whose recipe is not
the variant's any more is an error (the sweep file changed: use another --dir).  Then jobs go
to the executor, as many at once as it has slots.  After every start and every end the results
(results.csv, results.jsonl, table.md) are rewritten atomically, so a reader, or a kill, never
sees half a file.

Ctrl-C: the running variants stop after their current step and save last.ckpt (a subprocess
gets the signal forwarded once), no new variant starts, the results are written and the sweep
exits with status 130.  A second Ctrl-C aborts the running variants at once.  Running the same
command again continues where it stopped.  A variant that fails is recorded with its error and
the others go on; the next run tries it again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from archspec.atomic import write_text_atomic
from archspec.errors import ArchspecError
from archspec.locks import alive
from archspec.recipe.dump import dump_recipe
from archspec.spec import Recipe
from archspec.sweep.executors import Executor, Job, Outcome
from archspec.sweep.expand import Plan, Variant
from archspec.sweep.progress import Progress
from archspec.sweep.results import write_meta, write_results
from archspec.sweep.state import SweepDir

PLACEMENT = ("accelerator", "devices", "num_nodes", "strategy")
"""trainer settings that say where a run trains, not what it trains: they may change when a
sweep is resumed (as `archspec train --resume` allows)."""

DATA_PATHS = ("path", "val_path", "test_path")


@dataclass
class SweepRun:
    """How a `run_sweep` call ended."""

    statuses: dict[str, str]
    interrupted: bool
    wall_seconds: float

    def count(self, status: str) -> int:
        return sum(1 for s in self.statuses.values() if s == status)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 130
        return 1 if self.count("failed") else 0


def run_sweep(
    plan: Plan,
    root: Path,
    executor: Executor,
    placement: dict[str, Any] | None = None,
    echo: Callable[[str], None] = print,
    only: set[str] | None = None,
) -> SweepRun:
    """Train every variant of `plan` under `root` (see the module docstring); with `only`,
    just the variants of those names (the others keep their run directories as they are)."""
    where = SweepDir(root)
    where.acquire()
    try:
        return _run(plan, where, executor, placement or {}, echo, only)
    finally:
        executor.close()
        where.release()


def _run(
    plan: Plan,
    where: SweepDir,
    executor: Executor,
    placement: dict[str, Any],
    echo,
    only: set[str] | None = None,
) -> SweepRun:
    start = time.perf_counter()
    _forget_stale(plan, where)
    jobs: list[tuple[Variant, str]] = []
    changed = []
    recipes: list[tuple[str, Recipe]] = []
    chosen = [v for v in plan.variants if only is None or v.name in only]
    for variant in chosen:
        recipe = job_recipe(variant, plan, placement)
        action = where.action(variant.name)
        if action in ("skip", "resume"):
            diff = recipe_changes(where.run(variant.name) / "recipe.yaml", recipe)
            if diff:
                changed.append(f"{variant.name}: {', '.join(diff[:4])}")
        jobs.append((variant, action))
        recipes.append((variant.name, recipe))
    if changed:  # refused before anything is written: variants/*.yaml stay as they ran
        raise ArchspecError(
            f"{where.root}: the sweep changed since these variants ran, so they cannot be "
            "continued: " + "; ".join(changed) + ". Use another --dir, or delete their run "
            "directories under runs/ to train them again."
        )
    for name, recipe in recipes:
        write_text_atomic(where.recipe(name), dump_recipe(recipe))
    write_meta(plan, where.root)
    todo = []
    for variant, action in jobs:
        if action == "skip":
            where.event("skip", variant.name)
            _mark(where, variant.name, "finished")
        else:
            todo.append((variant, action))
    progress = Progress(plan.name, len(chosen), len(chosen) - len(todo), echo)
    write_results(plan, where.root)

    running: dict[str, tuple[Job, Any, float]] = {}
    statuses = {v.name: "finished" for v, a in jobs if a == "skip"}
    interrupted = False

    def finish(name: str, outcome: Outcome) -> None:
        job, _, t0 = running.pop(name)
        _ended(where, name, outcome, time.perf_counter() - t0)
        statuses[name] = outcome.status
        progress.ended(name, outcome.status, outcome.error)
        write_results(plan, where.root)

    try:
        while running or (todo and not interrupted):
            while todo and len(running) < executor.slots and not interrupted:
                variant, action = todo.pop(0)
                job = _begin(where, variant.name, action, placement)
                progress.started(variant.name, action, [*running, variant.name])
                write_results(plan, where.root)
                running[variant.name] = (job, None, time.perf_counter())
                _note_pid(where, variant.name, os.getpid())
                handle = executor.submit(job)
                running[variant.name] = (job, handle, running[variant.name][2])
                _note_pid(where, variant.name, executor.pid(handle))
            for name, (_, handle, _) in list(running.items()):
                outcome = executor.poll(handle)
                if outcome is not None:
                    finish(name, outcome)
                    interrupted = interrupted or outcome.status == "stopped"
            if running:
                time.sleep(0.2)
    except KeyboardInterrupt:
        interrupted = True
        echo("Stopping: the running variants save a checkpoint and stop (Ctrl-C again to abort)")
        _stop_all(executor, running, finish)
    progress.finish(interrupted)
    return SweepRun(statuses, interrupted, time.perf_counter() - start)


def _stop_all(executor: Executor, running: dict, finish) -> None:
    """Ask every running job to stop, wait for them; a second Ctrl-C aborts them."""
    for name, (job, handle, t0) in list(running.items()):
        if handle is None:  # Ctrl-C came while the job was being submitted
            handle = executor.started(name)
            running[name] = (job, handle, t0)
        if handle is not None:
            executor.cancel(handle)
    killed = False
    while running:
        try:
            for name, (_, handle, _) in list(running.items()):
                if handle is None:  # interrupted while it was being started in this process
                    finish(name, Outcome("stopped"))
                    continue
                outcome = executor.poll(handle)
                if outcome is not None:
                    finish(name, outcome)
            time.sleep(0.2)
        except KeyboardInterrupt:
            if not killed:
                killed = True
                for _, handle, _ in running.values():
                    if handle is not None:
                        executor.kill(handle)


def job_recipe(variant: Variant, plan: Plan, placement: dict[str, Any]) -> Recipe:
    """The recipe a variant trains: its own, data paths made to work from any folder, and the
    executor's placement (GPU group) in `trainer`."""
    data = variant.recipe.model_dump(mode="json", exclude={"extends"})
    source = (data.get("data") or {}).get("source") or {}
    for key in DATA_PATHS:
        value = source.get(key)
        if isinstance(value, str) and not Path(value).is_absolute() and not Path(value).exists():
            beside = plan.sweep.recipe_dir / value
            if beside.exists():
                source[key] = str(beside.resolve())
    for key, value in placement.items():
        if key != "strategy" or data["trainer"].get("strategy") == "auto":
            data["trainer"][key] = value
    return Recipe.model_validate(data)


def recipe_changes(old_file: Path, recipe: Recipe) -> list[str]:
    """Dotted paths where a run directory's recipe differs from `recipe` (placement aside)."""
    try:
        old = yaml.safe_load(old_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return ["recipe.yaml unreadable"]
    new = yaml.safe_load(dump_recipe(recipe))
    for doc in (old, new):
        for key in PLACEMENT:
            (doc.get("trainer") or {}).pop(key, None)
    return _diff(old, new, "")


def _diff(a: Any, b: Any, prefix: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in list(dict.fromkeys([*a, *b])):
            out += _diff(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else str(key))
        return out
    if a != b:
        return [f"{prefix} {a!r} -> {b!r}"]
    return []


def _forget_stale(plan: Plan, where: SweepDir, patience: float = 60.0) -> None:
    """A status left `running` by a killed sweep becomes `interrupted`, once the process that
    trained it has gone (a subprocess of a killed sweep saves a checkpoint and stops)."""
    for v in plan.variants:
        status = where.status(v.name)
        if status.get("status") != "running":
            continue
        pid = status.get("pid")
        deadline = time.monotonic() + patience
        while pid and pid != os.getpid() and alive(pid):
            if time.monotonic() > deadline:
                raise ArchspecError(
                    f"{where.root}: variant {v.name} is still training in process {pid}; "
                    "stop it before continuing the sweep"
                )
            time.sleep(0.2)
        status["status"] = "interrupted"
        where.write_status(v.name, status)


def _note_pid(where: SweepDir, name: str, pid: int | None) -> None:
    status = where.status(name)
    status["pid"] = pid
    where.write_status(name, status)


def _mark(where: SweepDir, name: str, state: str) -> None:
    status = where.status(name)
    if status.get("status") != state:
        status["status"] = state
        status["error"] = None
        where.write_status(name, status)


def _begin(where: SweepDir, name: str, action: str, placement: dict[str, Any]) -> Job:
    if action == "restart":
        where.clear_run(name)
    where.event(action, name)
    status = where.status(name)
    status["status"] = "running"
    status["error"] = None
    status.setdefault("attempts", []).append(
        {"action": action, "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    )
    where.write_status(name, status)
    flags = [f"--{k.replace('_', '-')}={v}" for k, v in placement.items()]
    return Job(
        name=name,
        recipe_file=where.recipe(name),
        run_dir=where.run(name),
        resume=action == "resume",
        log_file=where.log(name),
        trainer_flags=flags,
    )


def _ended(where: SweepDir, name: str, outcome: Outcome, wall: float) -> None:
    status = where.status(name)
    attempt = status.setdefault("attempts", [{}])[-1]
    attempt.update(
        ended=time.strftime("%Y-%m-%dT%H:%M:%S"),
        wall_seconds=round(wall, 1),
        status=outcome.status,
    )
    status["status"] = outcome.status
    status["error"] = outcome.error
    status["wall_seconds"] = round(sum(a.get("wall_seconds", 0) for a in status["attempts"]), 1)
    where.write_status(name, status)
    event = {"finished": "finish", "failed": "fail"}.get(outcome.status, "stop")
    extra = {"error": outcome.error.splitlines()[0]} if outcome.error else {}
    where.event(event, name, **extra)
