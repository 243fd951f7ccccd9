"""Two CPU processes under Lightning's DDP each train on their own shard of the batches."""

from __future__ import annotations

import json

import lightning as L
import pytest
import torch

from archspec.data import build_datamodule
from archspec.spec import Recipe


class Recorder(L.LightningModule):
    """Writes the example indices each rank trained and validated on."""

    def __init__(self, out: str):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.out = out
        self.seen: dict[str, list[int]] = {"train": [], "val": []}

    def training_step(self, batch, batch_idx):
        self.seen["train"] += batch["index"].tolist()
        return (self.w**2).sum()

    def validation_step(self, batch, batch_idx):
        self.seen["val"] += batch["index"].tolist()

    def on_train_end(self):
        with open(f"{self.out}/rank{self.global_rank}.json", "w") as f:
            json.dump(self.seen, f)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


@pytest.mark.slow
def test_each_rank_trains_on_its_own_shard(tmp_path):
    recipe = Recipe.model_validate(
        {
            "model": {"kind": "encoder-decoder", "vocab_size": 40, "max_len": 64},
            "data": {
                "source": {"kind": "synthetic", "task": "sort", "train_size": 400, "val_size": 60},
                "batching": {"kind": "examples", "size": 25},
            },
        }
    )
    dm = build_datamodule(recipe, tmp_path / "run")
    trainer = L.Trainer(
        accelerator="cpu",
        devices=2,
        strategy="ddp_spawn",
        max_epochs=1,
        num_sanity_val_steps=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(Recorder(str(tmp_path)), datamodule=dm)
    ranks = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    for split, size in (("train", 400), ("val", 60)):
        a, b = (set(seen[split]) for seen in ranks)
        assert len(ranks[0][split]) == len(a) and len(ranks[1][split]) == len(b)
        assert not a & b and a | b == set(range(size)), split
    assert len(ranks[0]["train"]) == len(ranks[1]["train"]) == 200  # 16 batches, 8 each
