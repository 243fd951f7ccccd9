"""Absolute positions: the sinusoid formula written out, and clear errors past the table."""

from __future__ import annotations

import math

import pytest
import torch

from archspec.errors import ArchspecError
from archspec.nn.positions import Embeddings, LearnedPositions, SinusoidalPositions


@pytest.mark.parametrize(("max_len", "d_model", "base"), [(50, 16, 10000.0), (7, 6, 100.0)])
def test_sinusoidal_table_is_the_papers_formula(max_len: int, d_model: int, base: float) -> None:
    expected = torch.zeros(max_len, d_model)
    for pos in range(max_len):
        for i in range(d_model // 2):
            expected[pos, 2 * i] = math.sin(pos / base ** (2 * i / d_model))
            expected[pos, 2 * i + 1] = math.cos(pos / base ** (2 * i / d_model))
    table = SinusoidalPositions(d_model, max_len, base)
    torch.testing.assert_close(table(max_len), expected, atol=1e-6, rtol=0)
    torch.testing.assert_close(table(3, offset=4), expected[4:7], atol=1e-6, rtol=0)


def test_sinusoidal_table_is_not_saved_in_checkpoints() -> None:
    assert "table" not in SinusoidalPositions(8, 10).state_dict()


@pytest.mark.parametrize("positions", [SinusoidalPositions(8, 10), LearnedPositions(8, 10)])
def test_a_sequence_longer_than_the_table_is_an_error(positions: torch.nn.Module) -> None:
    assert positions(10).shape == (10, 8)
    with pytest.raises(ArchspecError, match="11 positions is longer than the 10"):
        positions(11)
    with pytest.raises(ArchspecError, match="longer than"):
        positions(4, offset=7)


def test_embeddings_refuse_more_than_max_len_even_with_a_longer_table() -> None:
    embed = Embeddings(
        torch.nn.Embedding(20, 8), LearnedPositions(8, 64), max_len=12, scale=True, dropout=0.0
    )
    assert embed(torch.zeros(2, 12, dtype=torch.long)).shape == (2, 12, 8)
    with pytest.raises(
        ArchspecError, match="13 positions is longer than the 12 this model's max_len"
    ):
        embed(torch.zeros(2, 13, dtype=torch.long))


def test_embeddings_scale_tokens_by_sqrt_d_model_then_add_positions() -> None:
    tokens = torch.nn.Embedding(20, 8)
    embed = Embeddings(tokens, SinusoidalPositions(8, 16), max_len=16, scale=True, dropout=0.0)
    ids = torch.tensor([[3, 1, 4]])
    pe = torch.tensor(
        [
            [
                math.sin(p / 10000 ** (2 * (c // 2) / 8))
                if c % 2 == 0
                else math.cos(p / 10000 ** (2 * (c // 2) / 8))
                for c in range(8)
            ]
            for p in range(3)
        ]
    )
    expected = tokens.weight[ids] * math.sqrt(8) + pe
    torch.testing.assert_close(embed(ids), expected, atol=1e-5, rtol=0)
