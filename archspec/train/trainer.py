"""A Lightning Trainer configured from the recipe's `trainer:` section."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import lightning as L
from lightning.fabric.loggers.csv_logs import _ExperimentWriter  # CSVLogger.experiment's type
from lightning.pytorch.loggers import CSVLogger, Logger
from lightning.pytorch.loggers.csv_logs import ExperimentWriter
from lightning.pytorch.loggers.logger import rank_zero_experiment
from lightning.pytorch.plugins.io import TorchCheckpointIO

from archspec.atomic import write_atomic
from archspec.spec.trainer import TrainerSpec
from archspec.train.callbacks import (
    FiniteBest,
    GracefulStop,
    LastCheckpoint,
    RandomState,
    RanksInSync,
    Throughput,
)
from archspec.train.divergence import DivergenceGuard
from archspec.train.early_stopping import EarlyStop
from archspec.train.final_validation import ValidateAtEnd
from archspec.train.loggers import tracker
from archspec.train.rundir import checkpoint_dir
from archspec.train.terminal import Terminal, filter_lightning_noise


class AtomicCheckpointIO(TorchCheckpointIO):
    """Checkpoints are written to a temporary file and renamed, so a crash mid-write never
    leaves a corrupt last.ckpt behind."""

    def save_checkpoint(self, checkpoint, path, storage_options=None) -> None:
        import torch

        write_atomic(path, lambda tmp: torch.save(checkpoint, tmp))


class _AppendingWriter(ExperimentWriter):
    """Lightning's CSV writer deletes an existing metrics.csv; a resumed run appends to it."""

    def _check_log_dir_exists(self) -> None:
        if os.path.isfile(self.metrics_file_path):
            with open(self.metrics_file_path, newline="") as f:
                self.metrics_keys = sorted(next(csv.reader(f), []))


def completed_steps(step: int | None) -> int | None:
    """The optimizer steps completed (1-based) for Lightning's index of the step being taken
    (0-based, so that validation after step 200 would be logged as 199)."""
    return None if step is None else step + 1


class RunCSVLogger(CSVLogger):
    """metrics.csv directly in the run directory, kept across resumes, rows under the steps
    completed."""

    def log_metrics(self, metrics: dict[str, Any], step: int | None = None) -> None:
        super().log_metrics(metrics, completed_steps(step))

    @property
    @rank_zero_experiment
    def experiment(self) -> _ExperimentWriter:
        if self._experiment is None:
            os.makedirs(self.root_dir, exist_ok=True)
            self._experiment = _AppendingWriter(log_dir=self.log_dir)
        return self._experiment


def loggers(spec: TrainerSpec, run_dir: Path) -> list[Logger]:
    """metrics.csv always; the trackers trainer.loggers names besides (archspec.train.loggers)."""
    out: list[Logger] = [RunCSVLogger(run_dir, name="", version="")]
    return out + [tracker(name, run_dir) for name in spec.loggers if name != "csv"]


class Callbacks:
    """The callbacks of one run, kept by name so the runner can read their results."""

    def __init__(self, spec: TrainerSpec, run_dir: Path, recipe_path: Path | None = None) -> None:
        self.throughput = Throughput()
        self.terminal = Terminal(spec, run_dir, recipe_path, self.throughput)
        self.last = LastCheckpoint(
            checkpoint_dir(run_dir) / "last.ckpt", spec.checkpoint_every, spec.checkpoint_minutes
        )
        self.stop = GracefulStop(self.last)
        self.sync = RanksInSync()
        self.divergence = DivergenceGuard(spec)
        self.best = FiniteBest(
            dirpath=checkpoint_dir(run_dir),
            filename="best",
            monitor=spec.checkpoint_metric,
            mode=spec.checkpoint_mode or "min",  # validation fills it in
            save_top_k=1,
            save_last=False,
            enable_version_counter=False,
            auto_insert_metric_name=False,
        )
        self.early = EarlyStop(spec) if spec.early_stopping is not None else None
        self.all = [
            self.divergence,
            self.throughput,
            *([self.early] if self.early is not None else []),  # before last.ckpt saves it
            self.last,
            RandomState(),
            self.stop,
            self.sync,
            self.best,
            ValidateAtEnd(spec.val_every),
            self.terminal,
        ]


def build_trainer(spec: TrainerSpec, run_dir: Path, callbacks: Callbacks) -> L.Trainer:
    """The Trainer: step-based validation, step-based schedule, atomic checkpoints."""
    os.environ.setdefault("PL_DISABLE_FORK", "1")
    filter_lightning_noise()
    return L.Trainer(
        accelerator=spec.accelerator,
        devices=spec.devices,
        num_nodes=spec.num_nodes,
        strategy=spec.strategy,
        precision=spec.precision,
        max_steps=spec.max_steps,
        max_epochs=spec.max_epochs if spec.max_epochs is not None else -1,
        val_check_interval=spec.val_every * spec.accumulate,  # counted in batches
        check_val_every_n_epoch=None,
        limit_val_batches=spec.val_batches,
        num_sanity_val_steps=0,
        accumulate_grad_batches=spec.accumulate,
        gradient_clip_val=spec.clip_grad,
        deterministic=spec.deterministic,
        log_every_n_steps=spec.log_every,
        logger=loggers(spec, run_dir),
        callbacks=callbacks.all,
        plugins=[AtomicCheckpointIO()],
        enable_model_summary=False,
        default_root_dir=run_dir,
    )
