"""Executors: GPU groups, the subprocess command and environment, and submitit (if installed)."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from archspec.errors import ArchspecError
from archspec.sweep.executors import Job, Subprocesses, split_groups
from tests.conftest import run_cli
from tests.sweep.conftest import write_sweep


def test_gpus_split_into_groups() -> None:
    assert split_groups(["0", "1", "2", "3"], 2) == ["0,1", "2,3"]
    assert split_groups(["0", "1", "2"], 2) == ["0,1"]  # a leftover GPU stays idle
    assert split_groups(["4", "5"], 1) == ["4", "5"]
    with pytest.raises(ArchspecError, match="needs at least 2 visible GPUs, found 0"):
        split_groups([], 2)


def test_each_subprocess_sees_its_own_gpu_group(tmp_path) -> None:
    ex = Subprocesses(gpu_groups=["0,1", "2,3"])
    assert ex.slots == 2
    env = ex.environment("2,3")
    assert env["CUDA_VISIBLE_DEVICES"] == "2,3"
    assert "ARCHSPEC_RUN_DIR" not in env
    job = Job(
        "v",
        tmp_path / "v.yaml",
        tmp_path / "runs" / "v",
        True,
        tmp_path / "v.log",
        ["--accelerator=gpu", "--devices=2"],
    )
    assert ex.command(job)[-5:] == [
        "train",
        "--resume",
        str(tmp_path / "runs" / "v"),
        "--accelerator=gpu",
        "--devices=2",
    ]
    job.resume = False
    assert ex.command(job)[-4:] == [
        "train",
        str(tmp_path / "v.yaml"),
        "--run-dir",
        str(tmp_path / "runs" / "v"),
    ]


def test_cpu_subprocesses_share_the_cores(monkeypatch) -> None:
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    ex = Subprocesses(parallel=4)
    assert ex.slots == 4
    assert ex.environment(None)["OMP_NUM_THREADS"] == "2"


@pytest.mark.skipif(importlib.util.find_spec("submitit") is None, reason="submitit not installed")
def test_submitit_local_executor_runs_a_sweep(tmp_path) -> None:
    path = write_sweep(
        tmp_path,
        grid={"model.d_ff": [64, 96]},
        executor={"kind": "submitit", "cluster": "local", "max_jobs": 2, "cpus_per_task": 1},
    )
    root = tmp_path / "out"
    result = run_cli("sweep", str(path), "--dir", str(root), "--no-plots")
    assert result.returncode == 0, result.stderr
    with open(root / "results.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["variant"], r["status"]) for r in rows] == [
        ("d_ff=64", "finished"),
        ("d_ff=96", "finished"),
    ]
    assert any(Path(root, "submitit").iterdir())  # submitit's job folders
