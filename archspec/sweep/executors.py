"""Where variants train: a small interface, and executors for this machine and for SLURM.

An executor takes a Job (one variant: its recipe file, its run directory, start or resume) and
returns a handle; `poll(handle)` is None while the job runs and its Outcome when it has ended;
`cancel(handle)` asks it to stop the way Ctrl-C does (finish the step, save last.ckpt).
`slots` says how many jobs may run at once.  The runner (runner.py) does the rest: which
variants to run, resuming, results, progress.

- InProcess: one variant after another in this process (`archspec.train.run.train`): no
  start-up cost, and Ctrl-C reaches the training loop directly.
- Subprocesses: `--parallel N` runs N `python -m archspec train` processes at once, each with
  its share of the CPU threads; with `devices_per_run` the visible GPUs are split into groups
  and each process sees one group (CUDA_VISIBLE_DEVICES).
- Submitit (submitit_executor.py): every variant a SLURM job (or a local one, for trying out).
- Ray (ray_executor.py): every variant a Ray task, on a Ray cluster or a local Ray instance.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import traceback
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import archspec
from archspec.errors import ArchspecError


@dataclass
class Job:
    """One variant to train."""

    name: str
    recipe_file: Path
    """The variant's fully resolved recipe (written by the runner)."""
    run_dir: Path
    resume: bool
    log_file: Path
    """Where a subprocess writes its output."""
    trainer_flags: list[str] = field(default_factory=list)
    """`archspec train` flags that place the run (--accelerator gpu --devices 2 ...)."""


@dataclass
class Outcome:
    """How a job ended: finished, stopped (Ctrl-C; resumable) or failed."""

    status: str
    error: str | None = None
    summary: dict[str, Any] | None = None


DONE = ("finished", "stopped early")
"""summary.json statuses of a run that is complete: early stopping ends a run, not fails it."""


def outcome_of(summary: dict[str, Any] | None) -> Outcome:
    """The Outcome of a run that exited normally, from its summary.json."""
    status = (summary or {}).get("status", "finished")
    return Outcome("finished" if status in DONE else status, summary=summary)


class Executor(ABC):
    """Runs jobs; see the module docstring."""

    slots: int = 1

    @abstractmethod
    def submit(self, job: Job) -> Any: ...

    @abstractmethod
    def poll(self, handle: Any) -> Outcome | None: ...

    @abstractmethod
    def cancel(self, handle: Any) -> None: ...

    def kill(self, handle: Any) -> None:
        """Stop at once (a second Ctrl-C); by default the same as cancel."""
        self.cancel(handle)

    def pid(self, handle: Any) -> int | None:
        """The process training the job, when it runs on this machine."""
        return os.getpid()

    def started(self, name: str) -> Any:
        """The handle of a job whose `submit` was interrupted before it returned (None if the
        job never started)."""
        return None

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources once the sweep ends."""


class InProcess(Executor):
    """Trains each job in this process; `submit` returns when the job has ended."""

    slots = 1

    def submit(self, job: Job) -> Outcome:
        from archspec.recipe import load_recipe
        from archspec.train.run import train

        try:
            recipe = load_recipe(job.recipe_file)
            result = train(recipe, job.run_dir, job.recipe_file, resume=job.resume)
        except SystemExit:  # Lightning's answer to a second Ctrl-C: stop the sweep too
            signal.signal(signal.SIGINT, signal.default_int_handler)
            raise KeyboardInterrupt from None
        except ArchspecError as err:
            return Outcome("failed", error=err.message)
        except Exception as err:  # a failing variant must not stop the sweep
            detail = traceback.format_exc(limit=-3)
            return Outcome("failed", error=f"{type(err).__name__}: {err}\n{detail}")
        return outcome_of(result.summary)

    def poll(self, handle: Outcome) -> Outcome:
        return handle

    def cancel(self, handle: Any) -> None:
        """Nothing to do: Ctrl-C reached the training loop in this process already."""


@dataclass
class _Proc:
    job: Job
    proc: subprocess.Popen
    group: str | None
    log: Any


class Subprocesses(Executor):
    """`python -m archspec train` in `parallel` processes, or one per GPU group."""

    def __init__(self, parallel: int = 1, gpu_groups: list[str] | None = None) -> None:
        self.groups = list(gpu_groups or [])
        self.slots = len(self.groups) if self.groups else parallel
        self.free = list(self.groups)
        self.live: dict[str, _Proc] = {}
        cpus = os.cpu_count() or 1
        self.threads = max(1, cpus // self.slots)

    def command(self, job: Job) -> list[str]:
        head = [sys.executable, "-m", "archspec", "train"]
        if job.resume:
            return [*head, "--resume", str(job.run_dir), *job.trainer_flags]
        return [*head, str(job.recipe_file), "--run-dir", str(job.run_dir)]

    def environment(self, group: str | None) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("ARCHSPEC_RUN_DIR", None)  # each run chooses its own folder
        root = str(Path(archspec.__file__).resolve().parents[1])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        if group is not None:
            env["CUDA_VISIBLE_DEVICES"] = group
        elif "OMP_NUM_THREADS" not in os.environ:
            env["OMP_NUM_THREADS"] = str(self.threads)
        return env

    def submit(self, job: Job) -> _Proc:
        group = self.free.pop(0) if self.groups else None
        job.log_file.parent.mkdir(parents=True, exist_ok=True)
        log = open(job.log_file, "a", encoding="utf-8")  # noqa: SIM115 - closed in poll
        log.write(f"$ {' '.join(self.command(job))}\n")
        log.flush()
        proc = subprocess.Popen(
            self.command(job),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=self.environment(group),
            start_new_session=True,  # Ctrl-C reaches the sweep, which forwards it once
            preexec_fn=_stop_with_parent,
        )
        self.live[job.name] = handle = _Proc(job, proc, group, log)
        return handle

    def started(self, name: str) -> _Proc | None:
        return self.live.get(name)

    def pid(self, handle: _Proc) -> int:
        return handle.proc.pid

    def poll(self, handle: _Proc) -> Outcome | None:
        code = handle.proc.poll()
        if code is None:
            return None
        handle.log.close()
        self.live.pop(handle.job.name, None)
        if handle.group is not None:
            self.free.append(handle.group)
        from archspec.atomic import read_json

        summary = read_json(handle.job.run_dir / "summary.json")
        if code == 0:
            return outcome_of(summary)
        if code in (130, -signal.SIGINT, -signal.SIGTERM):
            return Outcome("stopped", summary=summary)
        return Outcome("failed", error=error_from_log(handle.job.log_file, code))

    def cancel(self, handle: _Proc) -> None:
        _signal_group(handle.proc, signal.SIGINT)

    def kill(self, handle: _Proc) -> None:
        _signal_group(handle.proc, signal.SIGINT)  # a second SIGINT aborts training at once


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)  # the run and any DDP ranks it started


def _stop_with_parent() -> None:
    """In the child before exec: on Linux, get SIGINT (Ctrl-C: save last.ckpt and stop) if
    the sweep dies, so a killed sweep leaves no orphan training behind."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError):
            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGINT)  # PR_SET_PDEATHSIG


def error_from_log(log_file: Path, code: int) -> str:
    """The last lines of a failed run's output that say what went wrong."""
    try:
        lines = [ln.rstrip() for ln in log_file.read_text(encoding="utf-8").splitlines()]
    except OSError:
        lines = []
    lines = [ln for ln in lines if ln.strip()]
    for i in range(len(lines) - 1, -1, -1):  # prefer archspec's one-paragraph error
        if lines[i].startswith("error:") or "Error:" in lines[i] or "Error " in lines[i]:
            return f"{lines[i].removeprefix('error: ')} (exit status {code})"
    tail = " | ".join(lines[-3:])
    return f"exit status {code}: {tail}" if tail else f"exit status {code}"


def gpu_groups(devices_per_run: int) -> list[str]:
    """The visible GPUs in groups of `devices_per_run`, as CUDA_VISIBLE_DEVICES strings."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        ids = [d.strip() for d in visible.split(",") if d.strip()]
    else:
        import torch

        ids = [str(i) for i in range(torch.cuda.device_count())]
    return split_groups(ids, devices_per_run)


def split_groups(ids: list[str], size: int) -> list[str]:
    """['0','1','2','3'], 2 -> ['0,1', '2,3']; leftover devices stay unused."""
    if len(ids) < size:
        raise ArchspecError(
            f"--devices-per-run {size} needs at least {size} visible GPUs, found {len(ids)}"
            + ("" if ids else " (use --parallel N to run variants side by side on the CPU)")
        )
    return [",".join(ids[i : i + size]) for i in range(0, len(ids) - size + 1, size)]
