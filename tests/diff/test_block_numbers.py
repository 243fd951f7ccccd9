"""Parameters, activation memory and FLOPs of the block and embedding parts, from the spec,
against the built module: named_parameters, what autograd saves, what FlopCounterMode counts."""

from __future__ import annotations

import pytest
import torch

from archspec.analysis.flops import forward_flops_per_token
from archspec.analysis.memory import activation_bytes
from archspec.analysis.structure import parameter_manifest
from archspec.build import build_model
from tests.diff.block_variants import block_name, block_variants
from tests.diff.test_flops import measured
from tests.diff.test_memory import B, T, saved_bytes

VARIANTS = block_variants()


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_every_layout_and_kind_is_covered() -> None:
    names = {block_name(r) for r in VARIANTS}
    assert len(VARIANTS) == 6 * 4 * 6 - 3 * 2 * 6  # less encoder-decoder parallel
    for layout in ("post", "sandwich", "parallel", "parallel-shared"):
        assert any(f"-{layout}-" in n for n in names)


def test_manifest_equals_built_named_parameters() -> None:
    wrong = []
    for recipe in VARIANTS:
        with torch.device("meta"):
            model = build_model(recipe)
        built = [(n, tuple(p.shape)) for n, p in model.named_parameters()]
        if built != list(parameter_manifest(recipe).items()):
            wrong.append(block_name(recipe))
    assert not wrong, f"{len(wrong)} variants drift, e.g. {wrong[:3]}"


def test_activation_memory_matches_saved_tensors() -> None:
    off = {}
    for recipe in VARIANTS:
        predicted, reference = activation_bytes(recipe, B, T), saved_bytes(recipe)
        if abs(predicted / reference - 1) > 0.05:
            off[block_name(recipe)] = f"{predicted} vs {reference}"
    assert not off, f"{len(off)} variants off by more than 5%: {list(off.items())[:3]}"


@pytest.mark.parametrize("recipe", VARIANTS[::9], ids=[block_name(r) for r in VARIANTS[::9]])
def test_forward_flops_match_flop_counter(recipe) -> None:
    assert forward_flops_per_token(recipe, 12) == pytest.approx(measured(recipe), rel=0.05)
