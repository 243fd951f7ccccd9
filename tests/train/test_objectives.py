"""Every objective and the main variants train a few steps on CPU with falling loss, and a
checkpoint alone rebuilds the same model."""

from __future__ import annotations

import csv
import json

import pytest
import torch

from archspec.train.objectives import module_class
from archspec.train.run import train
from tests.train.conftest import tiny


def losses(run_dir) -> list[float]:
    with open(run_dir / "metrics.csv") as f:
        return [float(r["train_loss"]) for r in csv.DictReader(f) if r.get("train_loss")]


CASES = [
    ("seq2seq", {}),
    ("seq2seq", {"positional": {"kind": "relative", "max_distance": 4}}),
    ("seq2seq", {"norm": {"kind": "rmsnorm", "placement": "pre"}, "activation": "swiglu"}),
    ("causal-lm", {}),
    ("causal-lm", {"positional": {"kind": "learned", "max_len": 64}, "norm": {"placement": "pre"}}),
    ("causal-lm", {"positional": {"kind": "relative", "max_distance": 8, "values": False}}),
    ("masked-lm", {}),
    ("classification", {}),
]


@pytest.mark.parametrize(
    ("objective", "model"), CASES, ids=[f"{o}-{i}" for i, (o, _) in enumerate(CASES)]
)
def test_trains_with_falling_loss(objective: str, model: dict, tmp_path) -> None:
    steps = 60 if objective == "classification" else 30  # two classes start near ln 2 already
    recipe = tiny(objective, model, trainer={"max_steps": steps, "val_every": steps})
    result = train(recipe, run_dir=tmp_path / "run")
    seen = losses(result.run_dir)
    assert len(seen) >= 4
    assert seen[-1] < seen[0] * (0.97 if objective == "classification" else 0.9), seen
    summary = json.loads((result.run_dir / "summary.json").read_text())
    assert summary["status"] == "finished" and summary["steps"] == steps
    assert summary["tokens_per_second"] > 0
    assert summary["final"]["val_loss"] == pytest.approx(summary["best"]["value"])
    if objective == "seq2seq":
        assert 0.0 <= summary["final"]["val_bleu"] <= 100.0
    if objective == "classification":
        assert 0.0 <= summary["final"]["val_f1"] <= 1.0
    for name in ("recipe.yaml", "metrics.csv", "checkpoints/last.ckpt", "checkpoints/best.ckpt"):
        assert (result.run_dir / name).is_file(), name


@pytest.mark.parametrize("objective", ["seq2seq", "causal-lm", "masked-lm", "classification"])
def test_checkpoint_alone_reloads_identical_logits(objective: str, tmp_path) -> None:
    recipe = tiny(objective, trainer={"max_steps": 5, "val_every": 5})
    train(recipe, run_dir=tmp_path / "run")
    ckpt = tmp_path / "run/checkpoints/last.ckpt"
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    a = module_class(objective).load_from_checkpoint(ckpt, map_location="cpu").eval()
    b = module_class(objective)(**state["hyper_parameters"]).eval()
    b.load_state_dict(state["state_dict"])
    torch.manual_seed(1)
    tokens = torch.randint(5, 30, (2, 12))
    with torch.no_grad():
        if objective == "seq2seq":
            out_a, out_b = a.model(tokens, tokens[:, :7]), b.model(tokens, tokens[:, :7])
        else:
            out_a, out_b = a.model(tokens), b.model(tokens)
    assert torch.equal(out_a, out_b)
    for (name, p), (_, q) in zip(a.state_dict().items(), state["state_dict"].items(), strict=True):
        assert torch.equal(p, q), name


@pytest.mark.slow
def test_compile_option_trains_and_checkpoints_keep_eager_names(tmp_path) -> None:
    recipe = tiny("causal-lm", trainer={"max_steps": 6, "val_every": 6, "compile": True})
    result = train(recipe, run_dir=tmp_path / "run")
    assert result.summary["status"] == "finished"
    state = torch.load(
        tmp_path / "run/checkpoints/last.ckpt", map_location="cpu", weights_only=False
    )
    assert not any("_orig_mod" in name for name in state["state_dict"])
    eager = module_class("causal-lm").load_from_checkpoint(tmp_path / "run/checkpoints/last.ckpt")
    assert set(eager.state_dict()) == set(state["state_dict"])
