"""Activation memory and KV-cache sizes from the spec, against what autograd really keeps.

The reference: every tensor saved for backward during a training-mode forward and the
cross-entropy, as `torch.autograd.graph.saved_tensors_hooks` sees them, counted once per
storage (views of one buffer share it) and leaving out the parameters.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from archspec.analysis.memory import (
    activation_breakdown,
    activation_bytes,
    cross_kv_bytes_per_source_token,
    kv_cache_bytes_per_token,
)
from archspec.build import build_model
from archspec.recipe import load_recipe
from archspec.spec import Recipe
from tests.conftest import RECIPES
from tests.diff.variants import all_variants, name

B, T = 8, 16  # small per-batch tables (T x S relative indices) are left out: <5% at B 8


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny reference models run faster on one thread, above all on a busy shared machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def saved_bytes(recipe: Recipe, batch: int = B, seq_len: int = T) -> int:
    """Bytes of the distinct non-parameter storages autograd keeps for one training step."""
    torch.manual_seed(0)
    model = build_model(recipe).train()
    params = {p.untyped_storage().data_ptr() for p in model.parameters()}
    kept: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        storage = t.untyped_storage()
        if storage.data_ptr() not in params:
            kept[storage.data_ptr()] = storage.nbytes()
        return t

    src = torch.randint(0, 20, (batch, seq_len))
    tgt = torch.randint(0, 20, (batch, seq_len))
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        logits = model(src, tgt) if recipe.model.kind == "encoder-decoder" else model(src)
        if recipe.model.kind != "encoder":  # an encoder's head belongs to its objective
            F.cross_entropy(logits.flatten(0, 1), tgt.flatten())
    return sum(kept.values())


def test_activation_memory_matches_saved_tensors_for_every_variant() -> None:
    off = {}
    for recipe in all_variants():
        predicted, reference = activation_bytes(recipe, B, T), saved_bytes(recipe)
        if abs(predicted / reference - 1) > 0.05:
            off[name(recipe)] = f"{predicted} vs {reference}"
    assert not off, f"{len(off)} variants off by more than 5%: {list(off.items())[:3]}"


def test_activation_memory_of_a_paper_sized_layer_matches() -> None:
    """One post-norm layer of base width (fused attention path), a shorter vocabulary."""
    recipe = load_recipe(
        RECIPES / "paper" / "base.yaml",
        ["model.encoder.layers=1", "model.decoder.layers=1", "model.vocab_size=1000"],
    )
    assert activation_bytes(recipe, 2, 64) == pytest.approx(saved_bytes(recipe, 2, 64), rel=0.02)


def test_activation_memory_is_linear_in_the_batch() -> None:
    base = load_recipe(RECIPES / "paper" / "base.yaml")
    one = activation_breakdown(base, 1, 512)
    for batch in (2, 7, 32):
        scaled = activation_breakdown(base, batch, 512)
        assert scaled == {k: batch * v for k, v in one.items()}
    # ... and grows faster than linearly in the length once the T x S matrix is materialised
    relative = load_recipe(RECIPES / "paper" / "base.yaml", ["model.positional={kind: relative}"])
    per_token = [activation_bytes(relative, 1, t) / t for t in (128, 256, 512)]
    assert per_token[0] < per_token[1] < per_token[2]


def test_kv_cache_of_the_paper_models_written_out() -> None:
    base = load_recipe(RECIPES / "paper" / "base.yaml")
    big = load_recipe(RECIPES / "paper" / "big.yaml")
    # 2 (K and V) x 6 layers x 8 heads x 64 values x 4 bytes
    assert kv_cache_bytes_per_token(base) == 2 * 6 * 8 * 64 * 4 == 24_576
    assert kv_cache_bytes_per_token(big) == 2 * 6 * 16 * 64 * 4
    # cross-attention: K and V of each source token, once per source, in all 6 decoder layers
    assert cross_kv_bytes_per_source_token(base) == 2 * 6 * 8 * 64 * 4


def test_kv_cache_with_separate_key_and_value_sizes() -> None:
    gpt = load_recipe(RECIPES / "examples" / "gpt-small.yaml", ["model.d_k=32", "model.d_v=96"])
    m = gpt.model
    assert kv_cache_bytes_per_token(gpt) == m.decoder.layers * m.heads * (32 + 96) * 4
    assert cross_kv_bytes_per_source_token(gpt) is None  # no encoder, no cross-attention


def test_encoder_only_models_have_no_kv_cache() -> None:
    bert = load_recipe(RECIPES / "examples" / "bert-small.yaml")
    assert kv_cache_bytes_per_token(bert) is None
    assert cross_kv_bytes_per_source_token(bert) is None
