"""Faults while training: a full disk, kill -9 (also in the middle of a checkpoint write), a
second trainer or sweep on the same folder, and run directories that must never be reused."""

from __future__ import annotations

import csv
import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from archspec.errors import ArchspecError
from archspec.train.run import train
from tests.robustness.helpers import ROOT, lm, run_cli
from tests.robustness.test_corpus import TINY_RECIPE, _sub
from tests.robustness.test_divergence import state


class FullDisk:
    """A file object that takes `room` bytes, then fails as a full disk does (ENOSPC)."""

    def __init__(self, path: Path, room: int) -> None:
        self.file, self.room = open(path, "wb"), room  # noqa: SIM115 - closed by close()

    def write(self, data) -> int:
        n = len(memoryview(data).cast("B"))
        if n > self.room:
            self.file.write(bytes(memoryview(data).cast("B")[: self.room]))
            self.room = 0
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= n
        return self.file.write(data)

    def flush(self) -> None:
        self.file.flush()

    def close(self) -> None:
        self.file.close()


def test_a_full_disk_while_checkpointing_says_so_and_keeps_the_earlier_checkpoint(
    tmp_path, monkeypatch
) -> None:
    real_save, calls = torch.save, []

    def save(obj, f, *args, **kwargs):
        calls.append(f)
        if len(calls) < 2:
            return real_save(obj, f, *args, **kwargs)
        target = FullDisk(Path(f), room=4096)
        try:
            return real_save(obj, target, *args, **kwargs)
        finally:
            target.close()

    monkeypatch.setattr(torch, "save", save)
    run = tmp_path / "run"
    with pytest.raises(ArchspecError, match="no space left on the device") as err:
        train(lm(max_steps=6, val_every=6, checkpoint_every=2), run_dir=run)

    assert "last.ckpt" in str(err.value) and "previous one is intact" in str(err.value)
    monkeypatch.setattr(torch, "save", real_save)
    assert state(run / "checkpoints/last.ckpt")["global_step"] == 2
    assert not list((run / "checkpoints").glob(".*.tmp"))


KILL_DURING_SAVE = """
import os, signal, sys, torch
real, seen = torch.save, []
def save(obj, f, *a, **k):
    seen.append(f)
    if len(seen) == int(os.environ["KILL_AT_SAVE"]):
        with open(f, "wb") as out:
            out.write(b"PK\\x03\\x04 half a checkpoint")
        os.kill(os.getpid(), signal.SIGKILL)
    return real(obj, f, *a, **k)
torch.save = save
from archspec.cli import main
main(sys.argv[1:])
"""


def _metrics_steps(run: Path) -> list[int]:
    with open(run / "metrics.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r.get("train_loss")]
    return [int(r["step"]) for r in rows]


def _resume_from_elsewhere(tmp_path: Path, run: Path) -> None:
    resumed = run_cli(["train", "--resume", str(run)], cwd=tmp_path / "elsewhere")
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "Traceback" not in resumed.stderr
    assert state(run / "checkpoints/last.ckpt")["global_step"] == 12
    assert not list(run.rglob(".*.tmp")), "stale temporary files were not cleaned"
    steps = _metrics_steps(run)
    assert len(steps) == len(set(steps)), f"metrics.csv repeats steps: {steps}"
    assert steps == sorted(steps)


def _tiny_args(tmp_path: Path, run: Path) -> list[str]:
    (tmp_path / "tiny.yaml").write_text(_sub(TINY_RECIPE))
    (tmp_path / "elsewhere").mkdir()
    return ["train", "tiny.yaml", "--run-dir", str(run), "--max-steps", "12", "--val-every", "6"]


def test_kill_9_during_a_checkpoint_write_then_resume_from_elsewhere(tmp_path) -> None:
    """Killed while writing the 3rd checkpoint (step 6); resumed from another working directory
    (the data path is stored absolute): the half file is gone, the run ends at step 12, and
    metrics.csv has each step once."""
    run = tmp_path / "run"
    args = _tiny_args(tmp_path, run) + ["--checkpoint-every", "2"]
    env = {k: v for k, v in os.environ.items() if k not in ("ARCHSPEC_RUN_DIR", "RANK")}
    killed = subprocess.run(
        [sys.executable, "-c", KILL_DURING_SAVE, *args],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT), "KILL_AT_SAVE": "3"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-3000:]
    assert list((run / "checkpoints").glob(".*.tmp")), "the kill did not hit a write"
    assert state(run / "checkpoints/last.ckpt")["global_step"] == 4
    _resume_from_elsewhere(tmp_path, run)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_kill_9_at_a_random_moment_then_resume(tmp_path, seed) -> None:
    run = tmp_path / "run"
    args = _tiny_args(tmp_path, run) + ["--checkpoint-every", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "archspec", *args],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while not (run / "checkpoints/last.ckpt").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(random.Random(seed).uniform(0, 1.5))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    if state(run / "checkpoints/last.ckpt")["global_step"] < 12:
        _resume_from_elsewhere(tmp_path, run)


HOLD_LOCK = """
import sys, time
from pathlib import Path
from archspec.locks import hold_lock
lock = hold_lock(Path(sys.argv[1]), "test")
print("held", flush=True)
time.sleep(120)
"""


def _holding(path: Path) -> subprocess.Popen:
    """Another process holding the flock at `path` (as a running trainer or sweep does)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(path)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


def test_a_second_trainer_on_a_running_run_is_refused(tmp_path) -> None:
    run = tmp_path / "run"
    train(lm(max_steps=2, val_every=2), run_dir=run)
    holder = _holding(run / ".lock")
    try:
        result = run_cli(["train", "--resume", str(run), "--max-steps", "4"], cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stderr[-3000:]
    assert "is running here" in result.stderr and "Traceback" not in result.stderr
    assert state(run / "checkpoints/last.ckpt")["global_step"] == 2


def test_a_second_sweep_on_a_running_sweep_is_refused(tmp_path) -> None:
    (tmp_path / "tiny.yaml").write_text(_sub(TINY_RECIPE))
    (tmp_path / "s.yaml").write_text("base: tiny.yaml\n")
    (tmp_path / "sw").mkdir()
    holder = _holding(tmp_path / "sw/.lock")
    try:
        result = run_cli(["sweep", "s.yaml", "--dir", "sw"], cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stderr[-3000:]
    assert "another archspec sweep" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "sw/results.jsonl").exists()


def test_train_twice_into_one_folder_is_refused(tmp_path) -> None:
    run = tmp_path / "run"
    train(lm(max_steps=2, val_every=2), run_dir=run)
    before = (run / "checkpoints/last.ckpt").read_bytes()
    with pytest.raises(ArchspecError, match="already holds files"):
        train(lm(max_steps=2, val_every=2), run_dir=run)
    assert (run / "checkpoints/last.ckpt").read_bytes() == before


def test_an_inherited_run_dir_or_rank_never_reuses_a_run(tmp_path, monkeypatch) -> None:
    run = tmp_path / "run"
    train(lm(max_steps=2, val_every=2), run_dir=run)
    before = (run / "checkpoints/last.ckpt").read_bytes()
    monkeypatch.setenv("ARCHSPEC_RUN_DIR", str(run))
    monkeypatch.setenv("RANK", "0")
    result = train(lm(max_steps=2, val_every=2), run_dir=tmp_path / "new")
    assert result.run_dir == tmp_path / "new"
    assert (run / "checkpoints/last.ckpt").read_bytes() == before


@pytest.mark.slow
def test_ddp_without_run_dir_makes_one_run_directory(tmp_path) -> None:
    (tmp_path / "tiny.yaml").write_text(_sub(TINY_RECIPE))
    args = ["train", "tiny.yaml", "--devices", "2", "--strategy", "ddp", "--max-steps", "2"]
    result = run_cli(args, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    runs = list((tmp_path / "runs").iterdir())
    assert len(runs) == 1, runs
    assert (runs[0] / "summary.json").is_file()
