"""Training on prepared data: exact resume mid-epoch, disjoint DDP ranks, memory that does not
grow with the number of chunks, and large plain text streamed without `prepare`."""

from __future__ import annotations

import itertools
import json

import lightning as L
import pytest
import torch

from archspec.data import build_datamodule, prepared
from archspec.data.batching import Batches, BatchPlan, mix_seed
from archspec.data.writer import prepare_folder
from archspec.spec.data import ExamplesBatching

LINES = [f"line {i}: " + "abcdefghij"[: 1 + i % 10] * (1 + i % 4) + "\n" for i in range(600)]


@pytest.fixture
def recipe(write, make_recipe):
    path = write("corpus.txt", "".join(LINES))
    source = {"kind": "text", "path": str(path), "val_fraction": 0.1}
    data = {
        "source": source,
        "tokenizer": {"kind": "char"},
        "seq_len": 16,
        "batching": {"kind": "examples", "size": 6},
    }
    return make_recipe("causal-lm", data)


def _take(loader, k):
    out = []
    while len(out) < k:
        out += [
            {key: v.tolist() for key, v in b.items()}
            for b in itertools.islice(loader, k - len(out))
        ]
    return out


def test_exact_resume_mid_epoch_on_prepared_data(tmp_path, recipe):
    folder = tmp_path / "p"
    prepare_folder(recipe, None, folder, block_bytes=1500, workers=1)

    def dm():
        return build_datamodule(recipe, tmp_path / "run", prepared_dir=folder)

    loader = dm().train_dataloader()
    full = _take(loader, 3 * len(loader))
    assert full[: len(loader)] == _take(
        build_datamodule(recipe, tmp_path / "m").train_dataloader(), len(loader)
    )  # the same batches as in memory
    for k in (1, len(loader) // 2, len(loader) + 3):
        first = dm()
        seen = _take(first.train_dataloader(), k)
        fresh = dm()
        fresh.load_state_dict(first.state_dict())
        assert seen + _take(fresh.train_dataloader(), len(full) - k) == full, k


def test_fixed_size_epochs_are_lazy_and_match_the_eager_slices():
    plan = BatchPlan(
        torch.full((10_000_000,), 16),
        ExamplesBatching(size=32),
        shuffle=True,
        seed=3,
        rank=1,
        world_size=2,
    )
    batches = plan.epoch(4)
    assert isinstance(batches, Batches) and len(batches) == len(plan) == 156_250
    g = torch.Generator().manual_seed(mix_seed(3, 4))
    order = torch.randperm(10_000_000, generator=g)
    assert batches[0] == order[32:64].tolist() and batches[-1] == order[-32:].tolist()
    assert list(batches[5:8]) == [order[j * 32 : j * 32 + 32].tolist() for j in (11, 13, 15)]


def test_large_text_is_streamed_without_prepare(tmp_path, recipe, monkeypatch):
    monkeypatch.setattr(prepared, "STREAM_BYTES", 1000)
    streamed = build_datamodule(recipe, tmp_path / "run")
    assert "streamed" in streamed.prepared.note
    assert (tmp_path / "run" / prepared.STREAM_DIR / "manifest.json").exists()
    monkeypatch.setattr(prepared, "STREAM_BYTES", 1 << 40)
    memory = build_datamodule(recipe, tmp_path / "mem")
    assert memory.prepared.note == ""
    a, b = streamed.prepared.datasets["train"], memory.prepared.datasets["train"]
    assert len(a) == len(b) and all(torch.equal(a[i]["seq"], b[i]["seq"]) for i in range(len(a)))
    again = build_datamodule(recipe, tmp_path / "run")  # resume: the cache is reused
    assert "streamed" in again.prepared.note


class Recorder(L.LightningModule):
    def __init__(self, out: str):
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))
        self.out, self.seen = out, []

    def training_step(self, batch, batch_idx):
        self.seen += batch["index"].tolist()
        return (self.w**2).sum()

    def on_train_end(self):
        with open(f"{self.out}/rank{self.global_rank}.json", "w") as f:
            json.dump(self.seen, f)

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


@pytest.mark.slow
def test_ddp_ranks_read_disjoint_prepared_chunks(tmp_path, recipe):
    folder = tmp_path / "p"
    prepare_folder(recipe, None, folder, block_bytes=1500, workers=1)
    dm = build_datamodule(recipe, tmp_path / "run", prepared_dir=folder)
    trainer = L.Trainer(
        accelerator="cpu",
        devices=2,
        strategy="ddp_spawn",
        max_epochs=1,
        num_sanity_val_steps=0,
        limit_val_batches=0,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(Recorder(str(tmp_path)), datamodule=dm)
    a, b = (json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1))
    n = len(dm.prepared.datasets["train"])
    assert len(a) == len(set(a)) and len(b) == len(set(b)) and not set(a) & set(b)
    assert len(set(a) | set(b)) >= n - 6 * 2  # all but the batches cut to a multiple of 2
