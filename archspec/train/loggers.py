"""trainer.loggers: the experiment trackers beside metrics.csv, through Lightning's loggers.

    csv          metrics.csv in the run directory (always written: the report, curves and
                 sweep tables read it; archspec.train.trainer.RunCSVLogger)
    tensorboard  TensorBoard events in RUN/tensorboard       pip install 'archspec[tensorboard]'
    wandb        Weights & Biases, files in RUN/wandb; WANDB_MODE=offline keeps them local,
                 WANDB_PROJECT names the project (default archspec)
                                                              pip install 'archspec[wandb]'
    mlflow       MLflow, to MLFLOW_TRACKING_URI or else a local store: RUN/mlflow.db (SQLite)
                 and artifacts in RUN/mlruns;
                 MLFLOW_EXPERIMENT_NAME names the experiment (default archspec)
                                                              pip install 'archspec[mlflow]'

Every tracker gets the metrics under the optimizer steps completed, as metrics.csv has them.
A tracker whose package is missing is refused by `validate` and before `train` creates
anything (archspec.spec.trainer.missing_package).  Importing this module imports neither torch
nor Lightning: each tracker's classes are imported when its logger is built.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from archspec.spec.trainer import missing_package

__all__ = ["missing_package", "run_id", "tracker"]


def _stepped(cls: type) -> type:
    """`cls` logging each metric under the optimizer steps completed (Lightning passes the
    0-based index of the step being taken)."""

    class Stepped(cls):
        def log_metrics(self, metrics: Any, step: int | None = None) -> None:
            super().log_metrics(metrics, None if step is None else step + 1)

    Stepped.__name__ = Stepped.__qualname__ = f"Run{cls.__name__}"
    return Stepped


def run_id(run_dir: Path) -> str:
    """A tracker run id stable for one run directory, so that a resume continues its run."""
    digest = hashlib.sha256(str(Path(run_dir).resolve()).encode()).hexdigest()[:8]
    return f"{Path(run_dir).name}-{digest}"


def mlflow_store(run_dir: Path) -> str:
    """The local store of a run's MLflow tracking: a SQLite file (MLflow 3 refuses a plain
    folder store unless MLFLOW_ALLOW_FILE_STORE is set)."""
    return f"sqlite:///{(Path(run_dir) / 'mlflow.db').resolve()}"


def tracker(name: str, run_dir: Path) -> Any:
    """The Lightning logger of the tracker `name` (tensorboard, wandb or mlflow)."""
    if name == "tensorboard":
        from lightning.pytorch.loggers import TensorBoardLogger

        return _stepped(TensorBoardLogger)(run_dir, name="tensorboard", version="")
    if name == "wandb":
        from lightning.pytorch.loggers import WandbLogger

        return _stepped(WandbLogger)(
            name=run_dir.name,
            save_dir=str(run_dir),
            project=os.environ.get("WANDB_PROJECT", "archspec"),
            id=run_id(run_dir),
            resume="allow",
        )
    if name == "mlflow":
        from lightning.pytorch.loggers import MLFlowLogger

        local = Path(run_dir).resolve()
        return _stepped(MLFlowLogger)(
            experiment_name=os.environ.get("MLFLOW_EXPERIMENT_NAME", "archspec"),
            run_name=run_dir.name,
            tracking_uri=os.environ.get("MLFLOW_TRACKING_URI") or mlflow_store(run_dir),
            artifact_location=None
            if "MLFLOW_TRACKING_URI" in os.environ
            else str(local / "mlruns"),
        )
    raise ValueError(f"no tracker {name!r}")
