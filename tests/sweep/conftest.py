"""Tiny sweeps for the tests: a 1-layer encoder-decoder on synthetic reversal, a few steps."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import pytest
import yaml

BASE: dict[str, Any] = {
    "model": {
        "kind": "encoder-decoder",
        "d_model": 32,
        "heads": 2,
        "d_ff": 64,
        "max_len": 64,
        "vocab_size": 32,
        "tying": "all",
        "encoder": {"layers": 1},
        "decoder": {"layers": 1},
    },
    "data": {
        "source": {
            "kind": "synthetic",
            "task": "reverse",
            "symbols": 10,
            "min_len": 3,
            "max_len": 8,
            "train_size": 400,
            "val_size": 32,
        },
        "batching": {"kind": "examples", "size": 32},
    },
    "objective": {"kind": "seq2seq", "bleu_samples": 8},
    "optimizer": {"kind": "adamw"},
    "schedule": {"kind": "constant", "lr": 3.0e-3, "warmup": 2},
    "trainer": {
        "accelerator": "cpu",
        "max_steps": 6,
        "val_every": 3,
        "val_batches": 1,
        "log_every": 2,
    },
}


def write_sweep(folder: Path, name: str = "tiny", **sections: Any) -> Path:
    """A sweep file over the tiny base; `base_trainer={...}` changes the base's trainer."""
    base = copy.deepcopy(BASE)
    base["trainer"].update(sections.pop("base_trainer", {}))
    doc = {"name": name, "base": base, **sections}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module", autouse=True)
def one_thread_per_run():
    """Tiny models train fastest on one thread, and far faster on a machine other jobs share
    (two spinning OpenMP threads per run starve each other); the sweeps the tests start in
    subprocesses inherit this."""
    old = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = "1"
    yield
    if old is None:
        os.environ.pop("OMP_NUM_THREADS", None)
    else:
        os.environ["OMP_NUM_THREADS"] = old
