"""Every variant as a Ray task: on a Ray cluster, or on a Ray instance started on this machine.

```yaml
executor: {kind: ray, address: auto, max_jobs: 8, cpus_per_run: 4, gpus_per_run: 1}
```

Each task runs `train_variant` (the function the submitit executor runs: the same
`archspec.train.run.train` as `archspec train`) on the variant's recipe file and run directory,
both under the sweep directory, which must be on a filesystem every Ray node sees.  The sweep
state (status/, events.jsonl, results) is written by this process alone, never by a Ray worker:
a worker that dies (killed, out of memory, its node lost) leaves at most its own run directory
behind, whose checkpoints are written atomically.  The variant is then recorded as failed
(Ray does not retry it: max_retries 0), and running the sweep again resumes it from its
last.ckpt like any other.  Ctrl-C cancels the tasks (Ray raises KeyboardInterrupt in them:
the run saves last.ckpt and stops when it can, else it resumes from its last checkpoint).

Needs the optional `ray` package (`pip install "archspec[ray]"`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import archspec
from archspec.errors import ArchspecError
from archspec.sweep.executors import Executor, Job, Outcome, outcome_of
from archspec.sweep.submitit_executor import train_variant


class RayExecutor(Executor):
    """Submits jobs as Ray tasks; see the module docstring."""

    def __init__(self, spec: Any) -> None:
        try:
            import ray
        except ModuleNotFoundError:
            raise ArchspecError(
                "executor kind 'ray' needs the ray package: "
                'pip install "archspec[ray]" (or pip install ray)'
            ) from None
        self.ray = ray
        self.slots = spec.max_jobs
        self.started_ray = not ray.is_initialized()
        if self.started_ray:
            root = str(Path(archspec.__file__).resolve().parents[1])
            paths = (root, os.environ.get("PYTHONPATH"))
            env = {"PYTHONPATH": os.pathsep.join(p for p in paths if p)}
            runtime_env = {**spec.runtime_env}
            runtime_env["env_vars"] = {**env, **runtime_env.get("env_vars", {})}
            ray.init(
                address=spec.address,
                num_cpus=spec.num_cpus if spec.address is None else None,
                include_dashboard=False,
                log_to_driver=False,  # each run's output goes to its own log in the worker
                runtime_env=runtime_env,
                configure_logging=False,
            )
        self.task = ray.remote(max_retries=0)(train_variant).options(
            num_cpus=spec.cpus_per_run, num_gpus=spec.gpus_per_run, name="train_variant"
        )

    def submit(self, job: Job) -> Any:
        return self.task.remote(str(job.recipe_file), str(job.run_dir), job.resume)

    def poll(self, handle: Any) -> Outcome | None:
        ready, _ = self.ray.wait([handle], timeout=0)
        if not ready:
            return None
        exceptions = self.ray.exceptions
        try:
            summary = self.ray.get(handle)
        except exceptions.TaskCancelledError:
            return Outcome("stopped")
        except exceptions.RayTaskError as err:  # the run raised: its own message
            cause = err.cause if isinstance(err.cause, BaseException) else err
            if isinstance(cause, KeyboardInterrupt):
                return Outcome("stopped")
            message = getattr(cause, "message", None) or f"{type(cause).__name__}: {cause}"
            return Outcome("failed", error=str(message))
        except exceptions.RayError as err:  # the worker or its node died
            lines = [ln for ln in str(err).splitlines() if ln.strip()]
            return Outcome("failed", error=f"{type(err).__name__}: {lines[0] if lines else ''}")
        return outcome_of(summary)

    def cancel(self, handle: Any) -> None:
        self.ray.cancel(handle, force=False)  # KeyboardInterrupt in the task

    def kill(self, handle: Any) -> None:
        self.ray.cancel(handle, force=True)  # ends the worker process

    def pid(self, handle: Any) -> int | None:
        return None  # a worker's process, maybe on another node

    def close(self) -> None:
        if self.started_ray:
            self.ray.shutdown()
