"""The sweep directory, and what state each variant is in.

SWEEP_DIR/
  sweep.json             what the table and plots need to be regenerated (title, columns, base)
  results.csv, .jsonl    one row per variant, rewritten atomically after every change
  table.md               the results in the paper's style
  plots/*.png            each metric against each varied setting; validation-loss curves
  events.jsonl           start / resume / finish / fail / stop / skip, one JSON line each
  runs/<variant>/        an `archspec train` run directory per variant
  variants/<variant>.yaml  the fully resolved recipe each variant trains
  status/<variant>.json  the variant's status, its error if it failed, its attempts
  logs/<variant>.log     output of a variant run in a subprocess
  .lock                  flock held by the sweep running here (the file names its process id)

The run directories are the truth: a variant whose summary.json says `finished` is done; one
with checkpoints/last.ckpt continues from it; one with neither starts (again) from scratch.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from archspec.atomic import read_json, write_json_atomic
from archspec.locks import hold_lock
from archspec.sweep.executors import DONE


@dataclass(frozen=True)
class SweepDir:
    """Paths inside one sweep directory."""

    root: Path

    def run(self, name: str) -> Path:
        return self.root / "runs" / name

    def recipe(self, name: str) -> Path:
        return self.root / "variants" / f"{name}.yaml"

    def status_file(self, name: str) -> Path:
        return self.root / "status" / f"{name}.json"

    def log(self, name: str) -> Path:
        return self.root / "logs" / f"{name}.log"

    @property
    def events(self) -> Path:
        return self.root / "events.jsonl"

    @property
    def meta(self) -> Path:
        return self.root / "sweep.json"

    @property
    def lock(self) -> Path:
        return self.root / ".lock"

    # -- per-variant state -----------------------------------------------------------------
    def summary(self, name: str) -> dict[str, Any] | None:
        return read_json(self.run(name) / "summary.json")

    def status(self, name: str) -> dict[str, Any]:
        return read_json(self.status_file(name)) or {"status": "pending", "attempts": []}

    def write_status(self, name: str, status: dict[str, Any]) -> None:
        write_json_atomic(self.status_file(name), status)

    def action(self, name: str) -> str:
        """What running this variant means now: skip (finished), resume (a checkpoint),
        restart (an earlier attempt left files but no checkpoint) or start."""
        run = self.run(name)
        summary = self.summary(name)
        if summary is not None and summary.get("status") in DONE:
            return "skip"
        if (run / "checkpoints" / "last.ckpt").is_file() and (run / "recipe.yaml").is_file():
            return "resume"
        if run.is_dir() and any(run.iterdir()):
            return "restart"
        return "start"

    def clear_run(self, name: str) -> None:
        """Remove an attempt that left no checkpoint, so the variant starts afresh."""
        run = self.run(name)
        if run.is_dir():
            shutil.rmtree(run)

    def event(self, event: str, name: str, **extra: Any) -> None:
        """Append one line to events.jsonl (flushed and synced: a kill loses at most it)."""
        self.events.parent.mkdir(parents=True, exist_ok=True)
        line = {"time": time.strftime("%Y-%m-%dT%H:%M:%S"), "event": event, "variant": name}
        line.update(extra)
        with open(self.events, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def read_events(self) -> list[dict[str, Any]]:
        """Every complete line of events.jsonl (a line cut short by a kill is skipped)."""
        if not self.events.is_file():
            return []
        out = []
        for line in self.events.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return out

    # -- one sweep at a time ---------------------------------------------------------------
    def acquire(self) -> None:
        """Refuse to run when another live sweep holds this directory.

        The lock is an exclusive flock on .lock, taken atomically (two sweeps can never both
        hold it) and released by the kernel when the process ends, however it ends; the file
        also names the holder's process id for the message.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = hold_lock(self.lock, f"{self.root}: another archspec sweep")
        object.__setattr__(self, "_lock", lock)  # frozen paths; the lock is process state

    def release(self) -> None:
        lock = getattr(self, "_lock", None)
        if lock is not None:
            lock.release()
            object.__setattr__(self, "_lock", None)
