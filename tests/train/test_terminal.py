"""What `archspec train` prints and logs as a user sees it: validation at the end of every run,
1-based step numbers, the header, one line per validation, no Lightning noise, quiet and plain
modes."""

from __future__ import annotations

import csv
import json
import logging
import warnings

import pytest
import torch

from archspec.recipe import dump_recipe
from archspec.train import terminal
from tests.conftest import run_cli
from tests.train.conftest import tiny


def rows(run_dir) -> list[dict[str, str]]:
    with open(run_dir / "metrics.csv", newline="") as f:
        return list(csv.DictReader(f))


def steps_of(run_dir, column: str) -> list[int]:
    return [int(r["step"]) for r in rows(run_dir) if r.get(column)]


@pytest.fixture(scope="module")
def short_run(tmp_path_factory):
    """7 steps, validation every 5: on schedule after step 5, and at the end after step 7."""
    root = tmp_path_factory.mktemp("terminal")
    recipe = tiny("causal-lm", trainer={"max_steps": 7, "val_every": 5, "log_every": 5})
    path = root / "r.yaml"
    path.write_text(dump_recipe(recipe))
    result = run_cli("train", str(path), "--run-dir", str(root / "run"))
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "run", result


def test_validation_runs_at_the_end_when_max_steps_is_off_schedule(short_run) -> None:
    run, _ = short_run
    assert steps_of(run, "val_loss") == [5, 7]
    summary = json.loads((run / "summary.json").read_text())
    val = {int(r["step"]): float(r["val_loss"]) for r in rows(run) if r["val_loss"]}
    assert summary["final"]["val_loss"] == pytest.approx(val[7], rel=1e-5)
    # best.ckpt is chosen over both validations, the last one included
    assert summary["best"]["value"] == pytest.approx(min(val.values()), rel=1e-5)
    best = torch.load(run / "checkpoints" / "best.ckpt", map_location="cpu", weights_only=False)
    assert best["global_step"] == min(val, key=val.get)


def test_steps_are_the_optimizer_steps_completed(short_run) -> None:
    run, _ = short_run
    assert steps_of(run, "train_loss") == [5, 7]  # log_every 5 (not 4), and the last step
    train = [r for r in rows(run) if r["train_loss"]]
    assert train[0]["train_loss"] != train[1]["train_loss"]  # steps 6-7, not 5 again
    assert json.loads((run / "summary.json").read_text())["steps"] == 7


def test_the_terminal_shows_header_steps_and_validations_without_lightning_noise(
    short_run,
) -> None:
    run, result = short_run
    out = result.stdout
    for label in ("recipe ", "model ", "data ", "steps ", "device ", "run "):
        assert any(line.startswith(label) for line in out.splitlines()), (label, out)
    assert "7 steps of ≈" in out and "validate every 5 and at the end" in out
    assert f"run        {run}" in out
    # not a terminal: plain lines every log_every steps, one line per validation
    assert "step 5/7 · loss " in out
    assert "step 5: train " in out and "step 7: train " in out and " · ppl " in out
    everything = out + result.stderr
    for noise in ("GPU available", "TPU available", "Tip:", "`Trainer.fit` stopped", "LeafSpec"):
        assert noise not in everything, noise
    assert "baselines: uniform over " in out and "unigram: perplexity" in out


def test_quiet_prints_only_the_report(tmp_path) -> None:
    recipe = tiny("causal-lm", trainer={"max_steps": 3, "val_every": 3, "log_every": 1})
    path = tmp_path / "r.yaml"
    path.write_text(dump_recipe(recipe))
    result = run_cli("train", str(path), "--run-dir", str(tmp_path / "run"), "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "step 1/3" not in result.stdout and "recipe " not in result.stdout
    assert "step 3: train" not in result.stdout
    assert result.stdout.lstrip().startswith("finished after 3 steps")


def test_noise_filter_keeps_real_messages(caplog) -> None:
    from lightning.pytorch.utilities.rank_zero import rank_zero_info

    terminal.filter_lightning_noise()
    with caplog.at_level(logging.INFO):
        rank_zero_info("GPU available: False, used: False")
        rank_zero_info("💡 Tip: For seamless cloud logging, try installing litlogger")
        rank_zero_info("The number of training batches is small")
    assert [r.getMessage() for r in caplog.records] == ["The number of training batches is small"]
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("default")
        terminal.filter_lightning_noise()  # re-installs the ignore filters after simplefilter
        warnings.warn("`isinstance(treespec, LeafSpec)` is deprecated", FutureWarning, stacklevel=2)
        warnings.warn("your learning rate is negative", UserWarning, stacklevel=2)
    assert [str(w.message) for w in seen] == ["your learning rate is negative"]


def test_validation_line_fits_the_objective() -> None:
    metrics = {"val_loss": 1.8123, "val_ppl": 6.12, "val_acc": 0.5}
    line = terminal.validation_line(200, 1.7234, metrics, "causal-lm")
    assert line == "step 200: train 1.723 · val 1.812 · ppl 6.12 · acc 50.0%"
    metrics = {"val_loss": 0.61, "val_ppl": 1.84, "val_acc": 0.754, "val_f1": 0.75}
    line = terminal.validation_line(800, None, metrics, "classification")
    assert "ppl" not in line and line.endswith("acc 75.4% · F1 0.750")


def test_duration_reads_like_a_clock() -> None:
    assert [terminal.duration(s) for s in (42, 185, 3720)] == ["42s", "3m05s", "1h02m"]
