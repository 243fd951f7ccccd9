"""What `archspec train` shows while it trains, in the spirit of nanoGPT's train.py: a header
that says what is being trained on what (archspec/train/header.py), one progress bar over the
run's optimizer steps, and one plain line per validation:

    step 200: train 2.350 · val 2.385 · ppl 10.9 · acc 30.9%
    step 246/300 ━━━━━━━━━━━━━━━━━━╸━━━━ loss 2.251 · 21,870 tok/s 0:01:02 ETA 0:00:14

Modes (`set_mode`, the train command's --plain and --quiet): `bar` (the default when stdout is
a terminal), `plain` (the default otherwise, e.g. a log file or CI: a line every log_every steps
instead of the bar), `quiet` (nothing until the report). Lightning's banners, adverts and
known-harmless warnings are filtered (`filter_lightning_noise`); other warnings still show.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Literal

from lightning.pytorch.callbacks import ProgressBar

from archspec.spec.vocab import unused_vocabulary_warning
from archspec.train.baselines import write_baselines
from archspec.train.header import header_lines

Mode = Literal["auto", "bar", "plain", "quiet"]
_mode: Mode = "auto"

NOISE = re.compile(
    r"^(GPU|TPU|HPU|IPU) available: |💡 Tip: |`Trainer\.fit` stopped: |"
    r"^Restoring states from the checkpoint|^Restored all states from the checkpoint|"
    r"^LOCAL_RANK: \d+ - CUDA_VISIBLE_DEVICES"
)
"""Lightning's info lines that say nothing archspec's header and report do not say better."""

HARMLESS_WARNINGS = (
    r".*isinstance\(treespec, LeafSpec\)` is deprecated",  # Lightning's own use of torch's API
    r"Checkpoint directory .* exists and is not empty",  # a resumed run's own checkpoints
)
"""Warnings about Lightning's internals or archspec's deliberate choices, never the user's."""


def set_mode(mode: Mode) -> None:
    """Choose what training prints (for the rest of this process)."""
    global _mode
    _mode = mode


def resolved_mode() -> Literal["bar", "plain", "quiet"]:
    if _mode != "auto":
        return _mode
    return "bar" if sys.stdout.isatty() else "plain"


class _Noise(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not NOISE.search(record.getMessage())


def filter_lightning_noise() -> None:
    """Drop Lightning's banners, tips and stop notices, and the known-harmless warnings."""
    import lightning_utilities.core.rank_zero as rank_zero

    # rank_zero_info logs through rank_zero.log; the handlers catch the other modules' loggers
    targets: list[logging.Filterer] = [
        rank_zero.log,
        logging.getLogger("lightning.pytorch.utilities.rank_zero"),
    ]
    for name in ("lightning.pytorch", "lightning.fabric"):
        targets += logging.getLogger(name).handlers
    for target in targets:
        if not any(isinstance(f, _Noise) for f in target.filters):
            target.addFilter(_Noise())
    for pattern in HARMLESS_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)


def duration(seconds: float) -> str:
    """1h02m, 3m05s, 42s."""
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, sec = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{sec:02d}s" if minutes else f"{sec}s"


def validation_line(step: int, train_loss: float | None, metrics: dict[str, float], kind: str):
    """`step 200: train 1.72 · val 1.81 · ppl 6.1` and the objective's own quality metrics
    (train: the mean training loss of the last log_every steps)."""
    parts = [] if train_loss is None else [f"train {train_loss:.3f}"]
    if "val_loss" in metrics:
        parts.append(f"val {metrics['val_loss']:.3f}")
    if kind != "classification" and "val_ppl" in metrics:
        parts.append(f"ppl {metrics['val_ppl']:.3g}")
    if "val_acc" in metrics:
        parts.append(f"acc {100 * metrics['val_acc']:.1f}%")
    if "val_f1" in metrics:
        parts.append(f"F1 {metrics['val_f1']:.3f}")
    if "val_bleu" in metrics:
        parts.append(f"BLEU {metrics['val_bleu']:.2f}")
    return f"step {step}: " + " · ".join(parts)


class Terminal(ProgressBar):
    """The training terminal (rank 0 only). Also writes baselines.json at the start (the
    report's yardstick) and curves.png at the end of the run."""

    def __init__(
        self, spec: Any, run_dir: Path, recipe_path: Path | None = None, throughput: Any = None
    ) -> None:
        super().__init__()
        self.throughput = throughput
        """The run's Throughput callback, whose recent tok/s the bar and the lines show."""
        self.spec = spec
        self.run_dir = run_dir
        self.recipe_path = recipe_path
        self.mode = resolved_mode()
        self._enabled = True
        self._progress: Any = None
        self._task: Any = None
        self._t0 = 0.0
        self._start_step = 0
        self._last_step = -1
        self._window: list[float] = []  # losses of the last log_every batches
        self.kind = ""

    # -- Lightning's ProgressBar interface -------------------------------------------------
    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    @property
    def is_enabled(self) -> bool:
        return self._enabled and self.mode != "quiet"

    def _echo(self, line: str) -> None:
        if self._progress is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        else:
            print(line, flush=True)

    # -- hooks -------------------------------------------------------------------------------
    def on_train_start(self, trainer, pl_module) -> None:
        recipe = pl_module.recipe
        self.kind = recipe.objective.kind if recipe.objective is not None else ""
        if not trainer.is_global_zero:
            return
        datamodule = trainer.datamodule
        write_baselines(self.run_dir, recipe.objective, datamodule)
        warning = unused_vocabulary_warning(recipe, datamodule)
        if warning:
            warnings.warn(warning, stacklevel=1)
        self._t0 = time.perf_counter()
        self._start_step = self._last_step = trainer.global_step
        if not self.is_enabled:
            return
        for line in header_lines(trainer, pl_module, self.run_dir, self.recipe_path):
            print(line, flush=True)
        if self.mode == "bar":
            self._start_bar(trainer)

    def _start_bar(self, trainer) -> None:
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("step {task.completed}/{task.total}"),
            BarColumn(),
            TextColumn("{task.fields[info]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            refresh_per_second=4,
            speed_estimate_period=60,
        )
        self._progress.start()
        self._task = self._progress.add_task(
            "train", total=trainer.max_steps, completed=trainer.global_step, info=""
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if not trainer.is_global_zero:
            return
        loss = outputs["loss"] if isinstance(outputs, dict) else outputs
        if loss is not None:
            value = float(loss)
            self._window = [*self._window[-(self.spec.log_every - 1) :], value]
        step = trainer.global_step
        if step == self._last_step or not self.is_enabled:
            return
        self._last_step = step
        info = self._info(trainer)
        if self._progress is not None:
            self._progress.update(self._task, completed=step, info=info)
        elif self.mode == "plain" and step % self.spec.log_every == 0:
            self._echo(f"step {step}/{trainer.max_steps} · {info} · {self._timing(trainer)}")

    def _info(self, trainer) -> str:
        parts = []
        if self._window:
            parts.append(f"loss {sum(self._window) / len(self._window):.3f}")
        if trainer.optimizers:
            parts.append(f"lr {trainer.optimizers[0].param_groups[0]['lr']:.2e}")
        rate = self.throughput.recent if self.throughput is not None else None
        if rate:
            parts.append(f"{float(rate):,.0f} tok/s")
        return " · ".join(parts)

    def _timing(self, trainer) -> str:
        elapsed = time.perf_counter() - self._t0
        done = trainer.global_step - self._start_step
        left = trainer.max_steps - trainer.global_step
        eta = elapsed / done * left if done else 0.0
        return f"{duration(elapsed)} elapsed · ETA {duration(eta)}"

    def on_validation_start(self, trainer, pl_module) -> None:
        if self._progress is not None and not trainer.sanity_checking:
            self._progress.update(self._task, info="validating…")

    def on_validation_end(self, trainer, pl_module) -> None:
        if trainer.sanity_checking or not trainer.is_global_zero or not self.is_enabled:
            return
        metrics = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("val_")}
        train = sum(self._window) / len(self._window) if self._window else None
        self._echo(validation_line(trainer.global_step, train, metrics, self.kind))
        if self._progress is not None:
            self._progress.update(self._task, info=self._info(trainer))

    def on_train_end(self, trainer, pl_module) -> None:
        self._stop()
        if trainer.is_global_zero:
            from archspec.pictures.curves import write_run_curves

            for logger in trainer.loggers:
                logger.save()
            write_run_curves(self.run_dir)

    def on_exception(self, trainer, pl_module, exception) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
