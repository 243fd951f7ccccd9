"""BART against Hugging Face's BartForConditionalGeneration: learned positions with the offset
of 2, the embedding LayerNorm of each stack, post-norm encoder layers and decoder layers with
cross-attention, one shared token table tied to the output, from copied weights (the mapping
is written here). final_logits_bias is a buffer of zeros in HF; it adds nothing."""

from __future__ import annotations

import torch

from archspec.build import build_model
from archspec.spec import Recipe
from tests.hf.conftest import TOL, padded, randomize, transformers

D, H, FF, LAYERS, V, MAX_LEN = 48, 4, 96, 2, 61, 32


def _pair():
    config = transformers.BartConfig(
        vocab_size=V,
        d_model=D,
        encoder_layers=LAYERS,
        decoder_layers=LAYERS,
        encoder_attention_heads=H,
        decoder_attention_heads=H,
        encoder_ffn_dim=FF,
        decoder_ffn_dim=FF,
        max_position_embeddings=MAX_LEN,
        activation_function="gelu",
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        scale_embedding=False,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=None,
    )
    config._attn_implementation = "eager"
    hf = transformers.BartForConditionalGeneration(config).eval()
    randomize(hf)
    ours = build_model(
        Recipe.model_validate(
            {
                "model": {
                    "kind": "encoder-decoder",
                    "d_model": D,
                    "heads": H,
                    "d_ff": FF,
                    "activation": "gelu",
                    "vocab_size": V,
                    "max_len": MAX_LEN,
                    "positional": {"kind": "learned", "max_len": MAX_LEN, "offset": 2},
                    "norm": {"kind": "layernorm", "placement": "post", "eps": 1e-5},
                    "dropout": {"residual": 0.0, "attention": 0.0, "embedding": 0.0},
                    "embed_scale": False,
                    "embed_norm": True,
                    "tying": "all",
                    "encoder": {"layers": LAYERS},
                    "decoder": {"layers": LAYERS},
                }
            }
        )
    ).eval()
    return hf, ours, _mapped(hf.state_dict())


def _mapped(theirs: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    shared = theirs["model.shared.weight"]
    state = {n: shared for n in ("src_embed.tokens.weight", "tgt_embed.tokens.weight")}
    state["output.weight"] = shared  # tying all: one matrix
    for ours_side, hf_side in [("src_embed", "encoder"), ("tgt_embed", "decoder")]:
        state[f"{ours_side}.positions.weight"] = theirs[f"model.{hf_side}.embed_positions.weight"]
        for part in ("weight", "bias"):
            state[f"{ours_side}.norm.{part}"] = theirs[
                f"model.{hf_side}.layernorm_embedding.{part}"
            ]
    for stack in ("encoder", "decoder"):
        for i in range(LAYERS):
            h, o = f"model.{stack}.layers.{i}.", f"{stack}.layers.{i}."
            for part in ("weight", "bias"):
                qkv = [theirs[f"{h}self_attn.{n}_proj.{part}"] for n in "qkv"]
                state[f"{o}self_attn.sublayer.qkv.{part}"] = torch.cat(qkv)
                pairs = [
                    ("self_attn.sublayer.out", "self_attn.out_proj"),
                    ("self_attn.norm", "self_attn_layer_norm"),
                    ("ffn.sublayer.w_in", "fc1"),
                    ("ffn.sublayer.w_out", "fc2"),
                    ("ffn.norm", "final_layer_norm"),
                ]
                if stack == "decoder":
                    kv = [theirs[f"{h}encoder_attn.{n}_proj.{part}"] for n in "kv"]
                    state[f"{o}cross_attn.sublayer.kv.{part}"] = torch.cat(kv)
                    pairs += [
                        ("cross_attn.sublayer.q", "encoder_attn.q_proj"),
                        ("cross_attn.sublayer.out", "encoder_attn.out_proj"),
                        ("cross_attn.norm", "encoder_attn_layer_norm"),
                    ]
                for ours_name, hf_name in pairs:
                    state[f"{o}{ours_name}.{part}"] = theirs[f"{h}{hf_name}.{part}"]
    return state


def test_bart_logits_equal_hugging_face_with_padding() -> None:
    hf, ours, state = _pair()
    ours.load_state_dict(state, strict=True)
    src, src_pad = padded(3, 11, V, [11, 6, 3], seed=1)
    tgt, tgt_pad = padded(3, 9, V, [9, 9, 4], seed=2)
    with torch.no_grad():
        expected = hf(
            input_ids=src,
            attention_mask=(~src_pad).long(),
            decoder_input_ids=tgt,
            decoder_attention_mask=(~tgt_pad).long(),
        ).logits
        got = ours(src, tgt, src_pad, tgt_pad)
    keep = ~tgt_pad
    torch.testing.assert_close(got[keep], expected[keep], **TOL)


def test_the_offset_matters() -> None:
    """Reading rows 0.. instead of 2.. of the same table gives other logits."""
    hf, ours, state = _pair()
    for side in ("src_embed", "tgt_embed"):
        table = state[f"{side}.positions.weight"]
        state[f"{side}.positions.weight"] = torch.cat([table[2:], table[:2]])
    ours.load_state_dict(state, strict=True)
    src, _ = padded(2, 8, V, [8, 8], seed=1)
    with torch.no_grad():
        diff = (ours(src, src) - hf(input_ids=src, decoder_input_ids=src).logits).abs().max()
    assert diff > 1e-3
