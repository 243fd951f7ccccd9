"""Exact resume: stopping after k batches and restoring into a fresh datamodule continues
with exactly the batches (and masks) an uninterrupted run would have seen."""

from __future__ import annotations

import itertools

import pytest
import torch

from archspec.data import build_datamodule
from archspec.errors import ArchspecError


@pytest.fixture
def text_recipe(write, make_recipe):
    lines = [f"line {i}: " + "abcdefghij"[: 1 + i % 10] * (1 + i % 4) for i in range(300)]
    path = write("corpus.txt", "\n".join(lines) + "\n")

    def recipe(batching, sequences="lines", **data):
        source = {"kind": "text", "path": str(path), "sequences": sequences}
        data = {"source": source, "tokenizer": {"kind": "char"}, "batching": batching, **data}
        return make_recipe("masked-lm", data)

    return recipe


def _stream(loader, epochs):
    """Every batch of `epochs` passes, as plain lists (what the model would see)."""
    return [{k: v.tolist() for k, v in batch.items()} for _ in range(epochs) for batch in loader]


def _take(loader, k):
    """Consume k batches across epoch boundaries, as a training loop does."""
    out = []
    while len(out) < k:
        out += [
            {key: v.tolist() for key, v in b.items()}
            for b in itertools.islice(loader, k - len(out))
        ]
    return out


CASES = [
    ({"kind": "tokens", "max_tokens": 200}, "lines", 0),
    ({"kind": "examples", "size": 7}, "lines", 0),
    ({"kind": "examples", "size": 5}, "chunks", 0),
    ({"kind": "tokens", "max_tokens": 300}, "lines", 2),  # worker processes prefetch ahead
]


@pytest.mark.parametrize(("batching", "sequences", "workers"), CASES)
def test_resumed_stream_equals_the_uninterrupted_one(
    tmp_path, text_recipe, batching, sequences, workers
):
    extra = {"seq_len": 16} if sequences == "chunks" else {}
    recipe = text_recipe(batching, sequences, num_workers=workers, **extra)
    run = tmp_path / "run"
    full = _stream(build_datamodule(recipe, run).train_dataloader(), epochs=3)
    per_epoch = len(full) // 3
    for k in (1, per_epoch // 2, per_epoch, per_epoch + 3):  # mid-epoch, at an epoch's end, later
        first = build_datamodule(recipe, run)
        loader = first.train_dataloader()
        seen = _take(loader, k)
        state = first.state_dict()  # what a checkpoint stores
        fresh = build_datamodule(recipe, run)
        fresh.load_state_dict(state)
        rest = _take(fresh.train_dataloader(), len(full) - k)
        assert seen + rest == full, f"resumed after {k} batches"


def test_loader_state_alone_also_resumes(text_recipe, tmp_path):
    recipe = text_recipe({"kind": "examples", "size": 8})
    full = _stream(build_datamodule(recipe, tmp_path).train_dataloader(), epochs=2)
    loader = build_datamodule(recipe, tmp_path).train_dataloader()
    seen = _take(loader, 11)
    fresh = build_datamodule(recipe, tmp_path).train_dataloader()
    fresh.load_state_dict(loader.state_dict())  # Lightning's own path (CombinedLoader state)
    assert seen + _take(fresh, len(full) - 11) == full


def test_iterating_leaves_the_global_random_state_alone(text_recipe, tmp_path):
    """Dropout after a resume draws from the restored global RNG: data must not consume it."""
    recipe = text_recipe({"kind": "examples", "size": 8}, num_workers=0)
    loader = build_datamodule(recipe, tmp_path).train_dataloader()
    before = torch.get_rng_state()
    _take(loader, 3 * len(loader) // 2)
    assert torch.equal(torch.get_rng_state(), before)


def test_resuming_on_different_data_is_refused(text_recipe, write, tmp_path, make_recipe):
    recipe = text_recipe({"kind": "examples", "size": 8})
    dm = build_datamodule(recipe, tmp_path / "run")
    _take(dm.train_dataloader(), 3)
    other = write("other.txt", "some other text\n" * 50)
    source = {"kind": "text", "path": str(other), "sequences": "lines"}
    data = {
        "source": source,
        "tokenizer": {"kind": "char"},
        "batching": {"kind": "examples", "size": 8},
    }
    changed = make_recipe("masked-lm", data)
    fresh = build_datamodule(changed, tmp_path / "run")
    fresh.load_state_dict(dm.state_dict())
    with pytest.raises(ArchspecError, match="resume with the same data"):
        fresh.train_dataloader()


def test_lightning_trainer_resumes_mid_epoch_at_the_exact_batch(text_recipe, tmp_path):
    """The trainer side: fit(ckpt_path=...) from a mid-epoch checkpoint continues the stream,
    even when configure_optimizers asks for trainer.estimated_stepping_batches (which makes
    Lightning build the loader before it reads the checkpoint, Lightning issue #20550)."""
    import lightning as L

    recipe = text_recipe({"kind": "tokens", "max_tokens": 400})

    class Recorder(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.w = torch.nn.Parameter(torch.zeros(1))
            self.seen = []

        def training_step(self, batch, batch_idx):
            self.seen.append((batch["index"].tolist(), batch["targets"].tolist()))
            return (self.w**2).sum()

        def configure_optimizers(self):
            assert self.trainer.estimated_stepping_batches > 0
            return torch.optim.SGD(self.parameters(), lr=0.1)

    def fit(max_steps=-1, ckpt_path=None, every=None):
        dm = build_datamodule(recipe, tmp_path / "run")
        module = Recorder()
        checkpoints = L.pytorch.callbacks.ModelCheckpoint(
            dirpath=tmp_path / "ckpt", every_n_train_steps=every, save_top_k=-1
        )
        trainer = L.Trainer(
            max_epochs=2,
            max_steps=max_steps,
            logger=False,
            callbacks=[checkpoints] if every else [],
            enable_checkpointing=bool(every),
            enable_progress_bar=False,
            enable_model_summary=False,
            limit_val_batches=0,
        )
        trainer.fit(module, datamodule=dm, ckpt_path=ckpt_path)
        return module.seen, len(dm.train_dataloader())

    full, per_epoch = fit()
    k = per_epoch + per_epoch // 2  # stop in the middle of the second epoch
    first, _ = fit(max_steps=k, every=k)
    (ckpt,) = (tmp_path / "ckpt").glob("*.ckpt")
    rest, _ = fit(ckpt_path=ckpt)
    assert len(full) == 2 * per_epoch and len(first) == k
    assert first + rest == full
