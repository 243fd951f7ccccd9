"""The Ray executor on a local Ray instance of 2 CPUs: a sweep of two variants running side by
side finishes as with the local executor; a Ray worker killed mid-run (kill -9) is a failed
variant, the sweep state stays readable, and running the sweep again resumes it from its
last.ckpt to the end.  Skipped when ray is not installed (it is in the dev extra).

Slow (Ray's start and a worker importing torch take 10-40 s on 2 busy cores): CI runs them with
`pytest -m slow tests/robustness`."""

from __future__ import annotations

import csv
import importlib.util
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

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        importlib.util.find_spec("ray") is None, reason="ray is not installed (pip install ray)"
    ),
]
RAY = {"kind": "ray", "num_cpus": 2, "max_jobs": 2, "cpus_per_run": 1}


def rows(root: Path) -> dict[str, dict[str, str]]:
    with open(root / "results.csv", newline="") as f:
        return {r["variant"]: r for r in csv.DictReader(f)}


@pytest.fixture(autouse=True)
def one_thread_per_run(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def test_a_sweep_runs_on_a_local_ray_instance(tmp_path) -> None:
    path = write_sweep(tmp_path, grid={"model.d_ff": [64, 96]}, executor=RAY)
    root = tmp_path / "out"
    result = run_cli("sweep", str(path), "--dir", str(root), "--no-plots")
    assert result.returncode == 0, result.stderr
    got = rows(root)
    assert [(v, r["status"], r["steps"]) for v, r in got.items()] == [
        ("d_ff=64", "finished", "6"),
        ("d_ff=96", "finished", "6"),
    ]
    starts = [
        json.loads(line)
        for line in SweepDir(root).events.read_text().splitlines()
        if '"start"' in line
    ]
    assert len(starts) == 2


def ray_workers(name: str = "ray::train_variant") -> list[int]:
    """Processes running the training task (Ray names its workers after the task)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if cmdline.startswith(name):
                out.append(int(entry.name))
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_ray_worker_fails_its_variant_and_a_rerun_resumes_it(tmp_path) -> None:
    path = write_sweep(
        tmp_path,
        base_trainer={"max_steps": 400, "val_every": 400, "checkpoint_every": 5},
        executor=RAY,
    )
    root = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "archspec", "sweep", str(path), "--dir", str(root), "--no-plots"]
    sweep = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    last = root / "runs" / "base" / "checkpoints" / "last.ckpt"
    deadline = time.monotonic() + 300
    while not last.is_file() and time.monotonic() < deadline and sweep.poll() is None:
        time.sleep(0.5)
    assert last.is_file(), sweep.communicate(timeout=60)
    workers = ray_workers()
    assert workers, "no Ray worker runs the task"
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    out, err = sweep.communicate(timeout=300)
    assert sweep.returncode == 1, err.decode()  # the sweep ended; a variant failed
    status = SweepDir(root).status("base")
    assert status["status"] == "failed" and status["error"], status
    assert rows(root)["base"]["status"] == "failed"

    again = run_cli("sweep", str(path), "--dir", str(root), "--no-plots")
    assert again.returncode == 0, again.stderr
    assert rows(root)["base"]["status"] == "finished" and rows(root)["base"]["steps"] == "400"
    events = [json.loads(x) for x in SweepDir(root).events.read_text().splitlines()]
    assert any(e["event"] == "resume" and e["variant"] == "base" for e in events), events
