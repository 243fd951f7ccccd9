"""A sweep stopped mid-way (Ctrl-C, or killed outright) and run again trains no variant twice:
finished variants are skipped, the interrupted ones continue from their checkpoints, and the
results files parse at every moment."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archspec.sweep.state import SweepDir
from tests.conftest import ROOT, run_cli
from tests.sweep.conftest import write_sweep

STEPS = 300


def _sweep(folder: Path) -> Path:
    return write_sweep(
        folder,
        cases={"a": {}, "b": {"set": {"model.d_ff": 96}}, "c": {"set": {"model.d_ff": 128}}},
        base_trainer={"max_steps": STEPS, "val_every": 150, "checkpoint_every": 10},
    )


def _start(path: Path, root: Path, *flags: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "archspec", "sweep", str(path), "--dir", str(root)]
    return subprocess.Popen(
        [*command, "--no-plots", *flags],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(root.parent / "stderr.txt", "w"),  # noqa: SIM115 - a pipe could fill up
        start_new_session=True,
    )


def _wait_for_checkpoints(root: Path, names: list[str], proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while not all((root / "runs" / n / "checkpoints" / "last.ckpt").is_file() for n in names):
        assert proc.poll() is None, _stderr(root)
        assert time.monotonic() < deadline, "the variants never reached a checkpoint"
        time.sleep(0.05)


def _stderr(root: Path) -> str:
    return (root.parent / "stderr.txt").read_text()


def _results(root: Path) -> dict[str, dict[str, str]]:
    with open(root / "results.csv", newline="") as f:
        rows = {row["variant"]: row for row in csv.DictReader(f)}
    lines = (root / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["variant"] for line in lines] == list(rows)
    return rows


def _trained_steps(root: Path, name: str) -> list[int]:
    with open(root / "runs" / name / "metrics.csv", newline="") as f:
        return [int(r["step"]) for r in csv.DictReader(f) if r.get("train_loss")]


def _check_rerun(root: Path, path: Path, resumed: list[str], skipped: list[str]) -> None:
    result = run_cli("sweep", str(path), "--dir", str(root), "--no-plots")
    assert result.returncode == 0, result.stderr
    events = SweepDir(root).read_events()
    assert [e["variant"] for e in events if e["event"] == "start"] == ["a", "b", "c"]
    assert sorted(e["variant"] for e in events if e["event"] == "resume") == resumed
    assert [e["variant"] for e in events if e["event"] == "skip"] == skipped
    assert not [e for e in events if e["event"] == "restart"]
    rows = _results(root)
    assert {r["status"] for r in rows.values()} == {"finished"}
    for name in "abc":
        summary = json.loads((root / "runs" / name / "summary.json").read_text())
        assert summary["steps"] == STEPS
        steps = _trained_steps(root, name)
        assert steps == sorted(set(steps)), f"{name} trained some steps twice"


def test_ctrl_c_stops_cleanly_and_the_rerun_continues(tmp_path) -> None:
    path, root = _sweep(tmp_path), tmp_path / "out"
    proc = _start(path, root)
    _wait_for_checkpoints(root, ["a", "b"], proc)
    os.kill(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=120) == 130
    rows = _results(root)
    assert [rows[n]["status"] for n in "abc"] == ["finished", "stopped", "pending"]
    assert "run the same command again to continue" in _stderr(root)
    _check_rerun(root, path, resumed=["b"], skipped=["a"])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="orphans stop via PDEATHSIG")
def test_a_killed_parallel_sweep_resumes_without_repeating_a_variant(tmp_path) -> None:
    path, root = _sweep(tmp_path), tmp_path / "out"
    proc = _start(path, root, "--parallel", "2")
    _wait_for_checkpoints(root, ["a", "b"], proc)
    os.kill(proc.pid, signal.SIGKILL)  # no chance to clean up: the runs stop on their own
    proc.wait(timeout=30)
    rows = _results(root)  # what was written last still parses
    assert rows["c"]["status"] == "pending"
    assert {rows["a"]["status"], rows["b"]["status"]} <= {"running", "finished"}
    finished = [n for n in "ab" if rows[n]["status"] == "finished"]
    _check_rerun(root, path, resumed=sorted(set("ab") - set(finished)), skipped=finished)
