"""Batch plans: token budgets hold, lengths group, sizes are right, ranks split the data."""

from __future__ import annotations

import pytest
import torch

from archspec.data import build_datamodule
from archspec.data.batching import BatchPlan
from archspec.spec import ExamplesBatching, TokensBatching


@pytest.fixture(scope="module")
def pairs(tmp_path_factory, request):
    """A seq2seq datamodule over the shipped en-es pairs, char-level, token batching."""
    from archspec.spec import Recipe

    root = request.config.rootpath / "data" / "en-es"
    recipe = Recipe.model_validate(
        {
            "model": {"kind": "encoder-decoder", "vocab_size": 200, "max_len": 256},
            "data": {
                "source": {"kind": "pairs", "path": str(root / "train.tsv"), "max_examples": 1200},
                "tokenizer": {"kind": "char"},
                "batching": {"kind": "tokens", "max_tokens": 3000},
            },
        }
    )
    return build_datamodule(recipe, tmp_path_factory.mktemp("run"))


def test_token_batches_stay_within_budget_counted_with_padding(pairs):
    batches = list(pairs.loader("train"))
    assert len(batches) > 20
    for b in batches:
        assert b["src"].numel() <= 3000 and b["tgt_in"].numel() <= 3000
    sizes = {len(b["index"]) for b in batches}
    assert len(sizes) > 5  # short examples make big batches, long ones small batches


def test_token_batches_group_similar_lengths(pairs):
    def padding(batches):
        real = sum(int((~b["src_pad"]).sum()) for b in batches)
        return 1 - real / sum(b["src"].numel() for b in batches)

    bucketed = list(pairs.loader("train"))
    lengths = pairs.prepared.datasets["train"].lengths
    mean = len(lengths) // len(bucketed)
    plan = BatchPlan(lengths, ExamplesBatching(size=mean), shuffle=True, seed=0)
    dataset, collate = pairs.prepared.datasets["train"], pairs.loader("train")._loader.collate_fn
    unsorted = [collate([dataset[i] for i in ids]) for ids in plan.epoch(0)]
    assert padding(bucketed) < 0.1 < 0.25 < padding(unsorted)


def test_every_example_once_per_epoch_and_a_new_order_each_epoch():
    lengths = torch.randint(1, 50, (1000,), generator=torch.Generator().manual_seed(0))
    for batching in (TokensBatching(max_tokens=400), ExamplesBatching(size=32)):
        plan = BatchPlan(lengths, batching, shuffle=True, seed=7)
        epochs = [plan.epoch(e) for e in range(3)]
        for batches in epochs:
            assert sorted(i for b in batches for i in b) == list(range(1000))
            assert len(batches) == len(plan)
        assert epochs[0] != epochs[1] != epochs[2]
        assert BatchPlan(lengths, batching, shuffle=True, seed=7).epoch(1) == epochs[1]
        assert BatchPlan(lengths, batching, shuffle=True, seed=8).epoch(1) != epochs[1]


def test_fixed_batches_have_the_requested_size():
    plan = BatchPlan(
        torch.ones(103, dtype=torch.long), ExamplesBatching(size=10), shuffle=True, seed=0
    )
    sizes = [len(b) for b in plan.epoch(0)]
    assert sizes == [10] * 10 + [3]
    evaluation = BatchPlan(
        torch.ones(103, dtype=torch.long), ExamplesBatching(size=10), shuffle=False, seed=0
    )
    assert [i for b in evaluation.epoch(5) for i in b] == list(range(103))


def test_padding_masks_are_true_exactly_at_padding(pairs):
    dataset = pairs.prepared.datasets["train"]
    for batch in list(pairs.loader("train"))[:10]:
        for row, index in enumerate(batch["index"].tolist()):
            src, tgt = dataset[index]["src"].tolist(), dataset[index]["tgt"].tolist()
            assert batch["src_pad"][row].tolist() == [
                i >= len(src) for i in range(batch["src"].shape[1])
            ]
            assert batch["src"][row][~batch["src_pad"][row]].tolist() == src
            assert batch["tgt_pad"][row].tolist() == [
                i > len(tgt) for i in range(batch["tgt_in"].shape[1])
            ]
            assert batch["tgt_out"][row][~batch["tgt_pad"][row]].tolist() == [*tgt, pairs.eos_id]
            assert (batch["tgt_out"][row][batch["tgt_pad"][row]] == pairs.pad_id).all()


@pytest.mark.parametrize("batching", [TokensBatching(max_tokens=300), ExamplesBatching(size=16)])
def test_two_ranks_see_disjoint_batches_that_cover_the_data(batching):
    lengths = torch.randint(1, 30, (500,), generator=torch.Generator().manual_seed(1))
    for shuffle in (True, False):
        ranks = [
            BatchPlan(lengths, batching, shuffle=shuffle, seed=0, rank=r, world_size=2)
            for r in (0, 1)
        ]
        whole = BatchPlan(lengths, batching, shuffle=shuffle, seed=0)
        for epoch in (0, 1):
            seen = [[i for b in plan.epoch(epoch) for i in b] for plan in ranks]
            assert not set(seen[0]) & set(seen[1])
            missing = set(range(500)) - set(seen[0]) - set(seen[1])
            if shuffle:  # training: an odd batch out is dropped so that ranks step together
                assert len(ranks[0]) == len(ranks[1]) == len(whole) // 2
                dropped = whole.epoch(epoch)[-1] if len(whole) % 2 else []
                assert missing == set(dropped)
            else:  # evaluation: everything, exactly once
                assert not missing and len(seen[0]) + len(seen[1]) == 500
