"""trainer.loggers: each tracker receives the metrics metrics.csv has, under the same steps,
read back with the tracker's own reader; a tracker whose package is missing stops `validate`
and `train` with the pip command, exit status 2.

tensorboard, wandb and mlflow are in the dev extra (each installs in seconds to half a minute;
benchmarks/results/longrun.md); a test whose package is absent is skipped with the reason.
"""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

import archspec.train.loggers as trackers
from archspec.cli import main
from archspec.errors import ArchspecError
from archspec.recipe import load_recipe
from archspec.train.run import train
from tests.conftest import RECIPES
from tests.train.conftest import tiny

QUICK = {"max_steps": 6, "val_every": 3, "log_every": 2}


def needs(package: str):
    missing = importlib.util.find_spec(package) is None
    return pytest.mark.skipif(missing, reason=f"{package} is not installed (pip install {package})")


def csv_losses(run_dir: Path) -> dict[int, float]:
    with open(run_dir / "metrics.csv", newline="") as f:
        rows = csv.DictReader(f)
        return {int(r["step"]): float(r["train_loss"]) for r in rows if r.get("train_loss")}


def run_with(tmp_path: Path, *names: str):
    return train(tiny("causal-lm", trainer={**QUICK, "loggers": list(names)}), tmp_path / "run")


@needs("tensorboard")
def test_tensorboard_events_hold_the_csv_metrics(tmp_path) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    result = run_with(tmp_path, "csv", "tensorboard")
    events = EventAccumulator(str(result.run_dir / "tensorboard")).Reload()
    got = {e.step: e.value for e in events.Scalars("train_loss")}
    want = csv_losses(result.run_dir)
    assert sorted(got) == sorted(want) == [2, 4, 6]
    assert got == pytest.approx(want, rel=1e-6)


@needs("mlflow")
def test_mlflow_local_store_holds_the_csv_metrics(tmp_path, monkeypatch) -> None:
    from mlflow.tracking import MlflowClient

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    result = run_with(tmp_path, "mlflow")  # csv is written anyway
    client = MlflowClient(trackers.mlflow_store(result.run_dir))
    [experiment] = [e for e in client.search_experiments() if e.name == "archspec"]
    [run] = client.search_runs([experiment.experiment_id])
    assert run.info.run_name == result.run_dir.name
    got = {m.step: m.value for m in client.get_metric_history(run.info.run_id, "train_loss")}
    assert got == pytest.approx(csv_losses(result.run_dir), rel=1e-6)
    assert run.data.params["recipe/trainer/max_steps"] == "6"  # the recipe, as hyperparameters


@needs("wandb")
def test_wandb_offline_run_holds_the_csv_metrics(tmp_path, monkeypatch) -> None:
    import wandb

    monkeypatch.setenv("WANDB_MODE", "offline")
    monkeypatch.setenv("WANDB_SILENT", "true")
    result = run_with(tmp_path, "csv", "wandb")
    run = wandb.run
    assert run is not None and run.id == trackers.run_id(result.run_dir)
    summary = dict(run.summary)  # wandb's own record of the last value of each metric
    config = dict(run.config)
    wandb.finish()
    losses = csv_losses(result.run_dir)
    assert summary["train_loss"] == pytest.approx(losses[max(losses)], rel=1e-6)
    assert summary["trainer/global_step"] == max(losses) == 6
    assert config["recipe"]["trainer"]["max_steps"] == 6
    [folder] = (result.run_dir / "wandb").glob(f"offline-run-*-{run.id}")
    assert (folder / f"run-{run.id}.wandb").stat().st_size > 0  # what `wandb sync` uploads


def test_a_missing_tracker_fails_validate_and_train_with_the_pip_command(
    tmp_path, monkeypatch, capsys
) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda n, *a: None if n == "wandb" else real(n, *a)
    )
    recipe = tmp_path / "r.yaml"
    quickstart = RECIPES / "quickstart" / "shakespeare-char.yaml"
    recipe.write_text(f"extends: {quickstart}\ntrainer:\n  loggers: [csv, wandb]\n")
    with pytest.raises(SystemExit) as exit_:
        main(["validate", str(recipe)])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"{recipe}:3" in err and "trainer.loggers[1]" in err
    assert "pip install 'archspec[wandb]'" in err
    r = load_recipe(quickstart, ["trainer.loggers=[csv, wandb]"])
    with pytest.raises(ArchspecError, match=r"trainer.loggers\[1\]: .*archspec\[wandb\]"):
        train(r, tmp_path / "run")
    assert not (tmp_path / "run").exists()


def test_recipe_syntax() -> None:
    base = RECIPES / "quickstart" / "shakespeare-char.yaml"
    assert load_recipe(base).trainer.loggers == ("csv",)
    assert load_recipe(base, ["trainer.loggers=csv,tensorboard"]).trainer.loggers == (
        "csv",
        "tensorboard",
    )
    for bad in ("[csv, comet]", "[csv, csv]"):
        with pytest.raises(ArchspecError, match="loggers"):
            load_recipe(base, [f"trainer.loggers={bad}"])
