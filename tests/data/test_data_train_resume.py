"""The real `train` on prepared data: the header says so, and a run stopped by Ctrl-C and
resumed ends with exactly the weights of the uninterrupted run (tests/train/test_resume.py's
check, on shards instead of in-memory data)."""

from __future__ import annotations

import json
import signal

import torch

from archspec.data import prepared
from archspec.data.prepared import default_folder
from archspec.data.writer import prepare_folder
from archspec.recipe import dump_recipe
from archspec.train.run import train
from tests.train.conftest import tiny
from tests.train.test_resume import CtrlCAt, weights


def test_resume_mid_epoch_on_prepared_shards(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    recipe = tiny(
        "masked-lm",
        schedule={"kind": "cosine", "lr": 3e-3, "warmup": 4},
        trainer={"max_steps": 24, "val_every": 10},
    )
    path = tmp_path / "tiny.yaml"
    path.write_text(dump_recipe(recipe))
    prepare_folder(recipe, None, default_folder(path), block_bytes=4000, workers=1)
    loads = []
    real = prepared.load
    monkeypatch.setattr(prepared, "load", lambda *a, **k: loads.append(a[1]) or real(*a, **k))

    straight = train(recipe, run_dir=tmp_path / "straight", recipe_path=path)
    stopped = train(
        recipe,
        run_dir=tmp_path / "resumed",
        recipe_path=path,
        extra_callbacks=[CtrlCAt(13, signal.SIGINT)],
    )
    assert stopped.summary["status"] == "stopped"
    resumed = train(recipe, run_dir=tmp_path / "resumed", recipe_path=path, resume=True)
    assert resumed.summary["steps"] == 24
    assert loads == [default_folder(path)] * 3  # every run read the shards
    a, b = weights(straight.run_dir), weights(resumed.run_dir)
    for name in a:
        assert torch.equal(a[name], b[name]), name
    memory = train(recipe, run_dir=tmp_path / "memory")  # no recipe path: no prepared folder
    c = weights(memory.run_dir)
    assert all(torch.equal(a[n], c[n]) for n in a)  # shards train exactly like memory
    assert json.loads((resumed.run_dir / "summary.json").read_text())["status"] == "finished"
