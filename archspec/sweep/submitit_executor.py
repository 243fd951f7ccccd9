"""Every variant as a submitit job: SLURM on a cluster; `local` or `debug` on this machine.

```yaml
executor: {kind: submitit, cluster: slurm, partition: gpu, gpus_per_node: 1, timeout_min: 600}
```

Each job runs `train_variant` (below) on the node SLURM picks: the same `archspec.train.run.train`
that `archspec train` calls, on the variant's recipe file and run directory, both under the sweep
directory, which must be on a filesystem the nodes share.  A job of several nodes or GPUs is
Lightning's own multi-node DDP (set `trainer.devices` / `trainer.num_nodes` to match
`gpus_per_node` / `nodes`; SLURM starts one task per GPU and Lightning reads its environment).
A job that dies (preempted, timed out) is recorded as failed; running the sweep again resumes it
from its last checkpoint like any other.

Needs the optional `submitit` package (`pip install "archspec[slurm]"`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError
from archspec.sweep.executors import Executor, Job, Outcome, outcome_of


def train_variant(recipe_file: str, run_dir: str, resume: bool) -> dict[str, Any]:
    """What one job runs: train (or resume) a variant; returns its summary."""
    from archspec.recipe import load_recipe
    from archspec.train.run import train

    recipe = load_recipe(Path(run_dir) / "recipe.yaml" if resume else recipe_file)
    return train(recipe, Path(run_dir), Path(recipe_file), resume=resume).summary


class SubmititExecutor(Executor):
    """Submits jobs with submitit.AutoExecutor; see the module docstring."""

    def __init__(self, spec: Any, folder: Path) -> None:
        try:
            import submitit
        except ModuleNotFoundError:
            raise ArchspecError(
                "executor kind 'submitit' needs the submitit package: "
                'pip install "archspec[slurm]" (or pip install submitit)'
            ) from None
        self.slots = spec.max_jobs
        self.executor = submitit.AutoExecutor(folder=str(folder), cluster=spec.cluster)
        params: dict[str, Any] = {
            "timeout_min": spec.timeout_min,
            "nodes": spec.nodes,
            "cpus_per_task": spec.cpus_per_task,
            "name": "archspec-sweep",
        }
        if spec.gpus_per_node:
            params["gpus_per_node"] = spec.gpus_per_node
            params["tasks_per_node"] = spec.gpus_per_node  # one task per GPU, as Lightning wants
        if spec.mem_gb is not None:
            params["mem_gb"] = spec.mem_gb
        if spec.partition is not None:
            params["slurm_partition"] = spec.partition
        params.update(spec.parameters)
        self.executor.update_parameters(**params)

    def submit(self, job: Job) -> Any:
        return self.executor.submit(
            train_variant, str(job.recipe_file), str(job.run_dir), job.resume
        )

    def poll(self, handle: Any) -> Outcome | None:
        if not handle.done():
            return None
        try:
            summary = handle.result()
        except Exception as err:  # the job failed, was cancelled or died
            lines = [ln for ln in str(err).splitlines() if ln.strip()]
            return Outcome("failed", error=lines[-1] if lines else type(err).__name__)
        return outcome_of(summary)

    def cancel(self, handle: Any) -> None:
        handle.cancel(check=False)  # local jobs get SIGINT (a graceful stop); SLURM scancel

    def pid(self, handle: Any) -> int | None:
        return None
