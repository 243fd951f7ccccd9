"""Rotary embeddings against their formula written out (complex numbers, 2x2 rotations) and
against Hugging Face's LLaMA, GPT-NeoX and GPT-J rotations (built from configs, no download)."""

from __future__ import annotations

import pytest
import torch
from torch import Tensor

from archspec.nn.rotary import RotaryPositions

B, H, T, DK = 2, 3, 7, 8


def _qk(heads_k: int = H, dk: int = DK) -> tuple[Tensor, Tensor]:
    torch.manual_seed(0)
    return torch.randn(B, H, T, dk), torch.randn(B, heads_k, T, dk)


def _complex_rotation(x: Tensor, offset: int, base: float = 10000.0) -> Tensor:
    """RoFormer eq. (34): each interleaved pair (x_2p, x_2p+1) as a complex number times
    e^{i m theta_p}, theta_p = base^(-2p/d), m the position."""
    d = x.shape[-1]
    theta = base ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)  # (d/2,)
    m = torch.arange(offset, offset + x.shape[2], dtype=torch.float64)[:, None]  # (T, 1)
    z = torch.view_as_complex(x.double().unflatten(-1, (-1, 2)).contiguous())  # (.., d/2)
    turned = z * torch.polar(torch.ones_like(m * theta), m * theta)
    return torch.view_as_real(turned).flatten(-2).float()


def test_interleaved_pairs_are_complex_multiplication_by_e_i_m_theta() -> None:
    q, k = _qk()
    hook = RotaryPositions(DK, 32, pairing="interleaved")
    for offset in (0, 5):
        rq, rk = hook.rotate(q, k, offset)
        assert torch.allclose(rq, _complex_rotation(q, offset), atol=1e-5)
        assert torch.allclose(rk, _complex_rotation(k, offset), atol=1e-5)


def test_halves_rotate_dim_p_with_dim_p_plus_half_by_a_2x2_matrix() -> None:
    q, k = _qk()
    rq, _ = RotaryPositions(DK, 32, base=500.0).rotate(q, k, 3)
    half = DK // 2
    for p in range(half):
        angle = (3 + torch.arange(T, dtype=torch.float64)) * 500.0 ** (-2 * p / DK)  # (T,)
        c, s = angle.cos().float(), angle.sin().float()
        x1, x2 = q[..., p], q[..., p + half]  # (B, H, T)
        assert torch.allclose(rq[..., p], c * x1 - s * x2, atol=1e-5)
        assert torch.allclose(rq[..., p + half], s * x1 + c * x2, atol=1e-5)


def test_partial_rotary_turns_the_first_dims_and_passes_the_rest() -> None:
    q, k = _qk(dk=16)
    rq, rk = RotaryPositions(4, 32, pairing="interleaved").rotate(q, k, 2)
    assert torch.equal(rq[..., 4:], q[..., 4:]) and torch.equal(rk[..., 4:], k[..., 4:])
    assert torch.allclose(rq[..., :4], _complex_rotation(q[..., :4], 2), atol=1e-5)
    assert not torch.allclose(rq[..., :4], q[..., :4])


def test_scores_depend_on_the_distance_only_and_keys_may_have_fewer_heads() -> None:
    q, k = _qk(heads_k=1)  # multi-query: one key head
    hook = RotaryPositions(DK, 64)
    a_q, a_k = hook.rotate(q, k, 0)
    b_q, b_k = hook.rotate(q, k, 20)  # every position shifted by 20
    assert a_k.shape == (B, 1, T, DK)
    assert torch.allclose(a_q @ a_k.transpose(-2, -1), b_q @ b_k.transpose(-2, -1), atol=1e-4)


def test_linear_scaling_divides_positions() -> None:
    q, k = _qk()
    scaled, _ = RotaryPositions(DK, 64, scale=4.0).rotate(q, k, 8)
    # position 8 + t under scaling 4 is angle (8 + t) / 4: rows at quarter positions
    angle = (
        (8 + torch.arange(T, dtype=torch.float64))[:, None]
        / 4
        * 10000.0 ** (-torch.arange(0, DK, 2, dtype=torch.float64) / DK)
    )
    c, s = angle.cos().float(), angle.sin().float()  # (T, DK/2)
    x1, x2 = q.chunk(2, dim=-1)  # halves: dim p pairs with p + DK/2
    want = torch.cat([x1 * c - x2 * s, x1 * s + x2 * c], dim=-1)
    assert torch.allclose(scaled, want, atol=1e-5)


def test_positions_beyond_the_table_are_computed_not_refused() -> None:
    q, k = _qk()
    short, long = RotaryPositions(DK, 8), RotaryPositions(DK, 64)
    assert torch.allclose(short.rotate(q, k, 30)[0], long.rotate(q, k, 30)[0], atol=1e-5)


def test_an_odd_number_of_rotated_dims_is_refused() -> None:
    with pytest.raises(ValueError, match="even"):
        RotaryPositions(5, 8)


@pytest.mark.parametrize("scaling", [1.0, 2.0])
def test_halves_equal_hf_llama_rotary_embedding(scaling: float) -> None:
    from transformers import LlamaConfig
    from transformers.models.llama.modeling_llama import (
        LlamaRotaryEmbedding,
        apply_rotary_pos_emb,
    )

    rope = {"rope_type": "default", "rope_theta": 5000.0}
    if scaling != 1.0:
        rope = {"rope_type": "linear", "rope_theta": 5000.0, "factor": scaling}
    config = LlamaConfig(
        hidden_size=H * DK, num_attention_heads=H, max_position_embeddings=64, rope_parameters=rope
    )
    q, k = _qk(heads_k=1)  # grouped keys: HF rotates them with the same cos/sin
    offset = 4
    cos, sin = LlamaRotaryEmbedding(config)(q, torch.arange(offset, offset + T)[None])
    want_q, want_k = apply_rotary_pos_emb(q, k, cos, sin)
    got_q, got_k = RotaryPositions(DK, 64, base=5000.0, scale=scaling).rotate(q, k, offset)
    assert torch.allclose(got_q, want_q, atol=1e-5)
    assert torch.allclose(got_k, want_k, atol=1e-5)


def test_partial_halves_equal_hf_gpt_neox() -> None:
    from transformers import GPTNeoXConfig
    from transformers.models.gpt_neox.modeling_gpt_neox import (
        GPTNeoXRotaryEmbedding,
        apply_rotary_pos_emb,
    )

    dk = 16
    config = GPTNeoXConfig(
        hidden_size=H * dk,
        num_attention_heads=H,
        max_position_embeddings=64,
        rope_parameters={
            "rope_type": "default",
            "rope_theta": 10000.0,
            "partial_rotary_factor": 0.25,
        },
    )
    q, k = _qk(dk=dk)
    cos, sin = GPTNeoXRotaryEmbedding(config)(q, torch.arange(T)[None])
    want_q, want_k = apply_rotary_pos_emb(q, k, cos, sin)
    got_q, got_k = RotaryPositions(4, 64).rotate(q, k, 0)
    assert torch.allclose(got_q, want_q, atol=1e-5) and torch.allclose(got_k, want_k, atol=1e-5)


def test_interleaved_equals_hf_gpt_j() -> None:
    from transformers.models.gptj.modeling_gptj import (
        apply_rotary_pos_emb,
        create_sinusoidal_positions,
    )

    dk, rotary_dim, offset = 16, 8, 3
    q, k = _qk(dk=dk)
    sincos = create_sinusoidal_positions(64, rotary_dim)[offset : offset + T][None]  # (1, T, R)
    sin, cos = sincos.split(rotary_dim // 2, dim=-1)
    # GPT-J's layout is [B, T, H, Dk]; it rotates the first rotary_dim dims
    x = q.transpose(1, 2)
    head = apply_rotary_pos_emb(x[..., :rotary_dim], sin, cos)
    want = torch.cat([head, x[..., rotary_dim:]], dim=-1).transpose(1, 2)
    got, _ = RotaryPositions(rotary_dim, 64, pairing="interleaved").rotate(q, k, offset)
    assert torch.allclose(got, want, atol=1e-5)


@pytest.mark.parametrize("pairing", ["halves", "interleaved"])
@pytest.mark.parametrize("rotated", [DK, 4])
def test_gradients_equal_those_of_the_written_out_rotation(pairing: str, rotated: int) -> None:
    """The fast forms (a roll with the sign in the sine; complex pairs) differentiate like the
    2x2 rotation written out, on q, k as strided views of a fused projection."""
    torch.manual_seed(1)
    fused = torch.randn(B, T, 3 * H * DK, requires_grad=True)  # [q | k | v], as attention's
    q, k = (
        fused[..., i * H * DK : (i + 1) * H * DK].view(B, T, H, DK).transpose(1, 2) for i in (0, 1)
    )
    got_q, got_k = RotaryPositions(rotated, 32, pairing=pairing).rotate(q, k, 2)
    angle = (2 + torch.arange(T, dtype=torch.float64))[:, None] * 10000.0 ** (
        -torch.arange(0, rotated, 2, dtype=torch.float64) / rotated
    )
    c, s = angle.cos().float(), angle.sin().float()  # (T, R/2)

    def written_out(x: Tensor) -> Tensor:
        head, tail = x[..., :rotated], x[..., rotated:]
        if pairing == "halves":
            x1, x2 = head.chunk(2, dim=-1)
            turned = torch.cat([x1 * c - x2 * s, x1 * s + x2 * c], dim=-1)
        else:
            x1, x2 = head[..., 0::2], head[..., 1::2]
            turned = torch.stack([x1 * c - x2 * s, x1 * s + x2 * c], dim=-1).flatten(-2)
        return torch.cat([turned, tail], dim=-1)

    want_q, want_k = written_out(q), written_out(k)
    assert torch.allclose(got_q, want_q, atol=1e-5) and torch.allclose(got_k, want_k, atol=1e-5)
    grad = torch.randn_like(got_q)
    (ours,) = torch.autograd.grad((got_q * grad).sum() + got_k.sum(), fused)
    (theirs,) = torch.autograd.grad((want_q * grad).sum() + want_k.sum(), fused)
    assert torch.allclose(ours, theirs, atol=1e-5)
