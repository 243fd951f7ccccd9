"""Two processes on CPU with Lightning's DDP (gloo): the run completes, both ranks end with the
same weights, and the logged validation metrics cover both ranks' shards."""

from __future__ import annotations

import json
from pathlib import Path

import lightning as L
import pytest
import torch

from archspec.data import build_datamodule
from archspec.recipe import dump_recipe, load_recipe
from archspec.spec import Recipe
from archspec.train.objectives import CausalLMModule, module_class
from tests.conftest import run_cli
from tests.train.conftest import tiny


def _train_on_two_processes(recipe: Recipe, tmp_path: Path) -> tuple[Path, str]:
    """`archspec train` of `recipe` under DDP on two CPU processes: the run directory and the
    output, once the command succeeded."""
    path = tmp_path / "recipe.yaml"
    path.write_text(dump_recipe(recipe))
    run = tmp_path / "run"
    args = ["--accelerator", "cpu", "--devices", "2", "--strategy", "ddp", "--run-dir", str(run)]
    result = run_cli("train", str(path), *args, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return run, result.stdout


def test_two_process_ddp_on_cpu(tmp_path) -> None:
    recipe = tiny("causal-lm", trainer={"max_steps": 20, "val_every": 20, "val_batches": None})
    run, stdout = _train_on_two_processes(recipe, tmp_path)
    assert stdout.count("run directory:") == 1  # only rank 0 reports

    summary = json.loads((run / "summary.json").read_text())
    assert summary["world_size"] == 2 and summary["steps"] == 20
    assert summary["ranks_in_sync"] is True

    # The logged val_loss is the token-weighted mean over BOTH ranks' halves of the validation
    # set: recompute it in one process over the whole set from the final checkpoint.
    module = CausalLMModule.load_from_checkpoint(run / "checkpoints/last.ckpt", map_location="cpu")
    dm = build_datamodule(load_recipe(str(run / "recipe.yaml")), run)
    trainer = L.Trainer(accelerator="cpu", devices=1, logger=False, enable_progress_bar=False)
    (metrics,) = trainer.validate(module, datamodule=dm, verbose=False)
    assert summary["final"]["val_loss"] == pytest.approx(metrics["val_loss"], rel=1e-5)


@pytest.mark.slow  # two processes (~10 s); .ci/run runs it
def test_ddp_with_a_pooler_the_objective_never_reads(tmp_path) -> None:
    """A BERT-style encoder keeps its pooler (HF's BertModel has one) but masked-LM's loss never
    reaches it; DDP raises on such parameters unless they are frozen. They stay in the
    checkpoint, unchanged."""
    recipe = tiny("masked-lm", model={"pooler": True}, trainer={"max_steps": 4, "val_every": 4})
    run, _ = _train_on_two_processes(recipe, tmp_path)
    state = torch.load(run / "checkpoints/last.ckpt", map_location="cpu", weights_only=True)
    assert any(k.startswith("model.pooler.") for k in state["state_dict"])


@pytest.mark.parametrize(
    ("objective", "pooling", "trained"),
    [
        ("masked-lm", None, False),
        ("classification", "first", True),
        ("classification", "mean", False),
    ],
)
def test_the_pooler_is_trained_only_when_the_loss_reads_it(objective, pooling, trained) -> None:
    recipe = tiny(objective, model={"pooler": True})
    if pooling:
        chosen = recipe.objective.model_copy(update={"pooling": pooling})
        recipe = recipe.model_copy(update={"objective": chosen})
    data = {"num_classes": 2} if objective == "classification" else {}
    module = module_class(objective)(recipe.model_dump(mode="json"), data)
    module.setup("fit")
    pooler = module.model.pooler
    assert all(p.requires_grad is trained for p in pooler.parameters())
    others = [p for n, p in module.model.named_parameters() if not n.startswith("pooler.")]
    assert others and all(p.requires_grad for p in others)
