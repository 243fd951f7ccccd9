"""BERT (model_type "bert"): BertConfig <-> an archspec encoder, BertModel's names <-> ours.

Exports to BertModel (architectures ["BertModel"]): archspec's encoder is BertModel's
computation, hidden states plus the pooler, and has no objective head in the model (a
masked-LM head belongs to archspec's training objective, not to the model spec). Imports
BertModel's names, and BertForMaskedLM's / BertForPreTraining's ("bert." prefix): their head,
cls.predictions.* (dense D x D, GELU, LayerNorm, output bias, the tied decoder) and
cls.seq_relationship.*, is dropped. The recipe always has pooler: true (BertModel's count, as
the published checkpoints carry the pooler); weights saved from BertForMaskedLM, which has no
pooler, get archspec's initial pooler (seeded), as BertModel.from_pretrained would.

Config fields mapped: vocab_size, hidden_size, num_hidden_layers, num_attention_heads,
intermediate_size, hidden_act (gelu, gelu_new / gelu_pytorch_tanh, relu), hidden_dropout_prob
(residual and embedding dropout), attention_probs_dropout_prob, max_position_embeddings,
type_vocab_size, layer_norm_eps. Refused unless the default: position_embedding_type
(absolute), is_decoder, add_cross_attention. Ignored on purpose: IGNORED below, with why, plus
the fields every family ignores (archspec/interop/hf/fields.py); any other field is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.interop.hf import enc_common as common
from archspec.interop.hf.family import register
from archspec.interop.hf.fields import Fields

IGNORED = {
    "classifier_dropout": "the dropout of a BertFor*Classification head: training only",
    "tie_word_embeddings": "ties the masked-LM head, which the import drops, to the tokens",
}
"""BertConfig fields that do not change BertModel's output, and why."""


def encoder_layers(
    layers: int, hf: str, qkv: tuple[str, str, str], names: Mapping[str, str]
) -> common.Table:
    """Rows of a BERT-like post-norm stack under the HF prefix `hf` ("encoder.layer."): `qkv`
    the query, key and value projections (fused into ours), `names` our other sub-modules ->
    HF's."""
    table: common.Table = []
    for i in range(layers):
        h, o = f"{hf}{i}.", f"encoder.layers.{i}."
        for part in ("weight", "bias"):
            table.append(
                (f"{o}self_attn.sublayer.qkv.{part}", tuple(f"{h}{n}.{part}" for n in qkv))
            )
            table += [
                (f"{o}{ours}.{part}", (f"{h}{theirs}.{part}",)) for ours, theirs in names.items()
            ]
    return table


BERT_QKV = ("attention.self.query", "attention.self.key", "attention.self.value")
BERT_LAYER = {
    "self_attn.sublayer.out": "attention.output.dense",
    "self_attn.norm": "attention.output.LayerNorm",
    "ffn.sublayer.w_in": "intermediate.dense",
    "ffn.sublayer.w_out": "output.dense",
    "ffn.norm": "output.LayerNorm",
}


class Bert:
    """BertConfig / BertModel; RoBERTa differs in its position offset and names."""

    model_types: tuple[str, ...] = ("bert",)

    model_kind: str = "encoder"

    """The archspec model kind this family's HF class is."""
    hf_class = "BertModel"
    base_prefix = "bert."
    head_prefixes: tuple[str, ...] = ("cls.",)

    def offset(self, r: Fields) -> int:
        """Rows of the position table before position 0."""
        return 0

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        r = Fields(config, self.model_types[0])
        r.only("position_embedding_type", ("absolute",), "absolute", ": a learned table")
        common.plain_encoder(r)
        offset = self.offset(r)
        rows = r.need("max_position_embeddings") - offset
        dropout = r.get("hidden_dropout_prob", 0.1)
        model = {
            "kind": "encoder",
            "d_model": r.need("hidden_size"),
            "heads": r.need("num_attention_heads"),
            "d_ff": r.need("intermediate_size"),
            "activation": common.activation(r, "hidden_act", "gelu"),
            "vocab_size": r.need("vocab_size"),
            "max_len": rows,
            "positional": {"kind": "learned", "max_len": rows, "offset": offset},
            "norm": {
                "kind": "layernorm",
                "placement": "post",
                "eps": r.get("layer_norm_eps", 1e-12),
            },
            "dropout": {
                "residual": dropout,
                "attention": r.get("attention_probs_dropout_prob", 0.1),
                "embedding": dropout,
            },
            "embed_scale": False,
            "embed_norm": True,
            "token_types": r.get("type_vocab_size", 2),
            "pooler": True,
            "bias": True,
            "encoder": {"layers": r.need("num_hidden_layers")},
        }
        r.finish(IGNORED)
        return model

    def check(self, model: Any) -> common.Parts:
        p = common.Parts(model, self.hf_class)
        p.want(model.kind == "encoder", f"kind {model.kind} (encoder only)")
        if model.kind != "encoder":
            p.done()
        p.common(norm="layernorm", placement="post", bias=True)
        p.want(model.positional.kind == "learned", f"positional.kind {model.positional.kind}")
        p.want(model.activation in common.ARCHSPEC_ACTIVATIONS, f"activation {model.activation}")
        p.want(not model.embed_scale, "embed_scale true")
        p.want(model.embed_norm, "embed_norm false (the embedding LayerNorm is always there)")
        p.want(model.pooler, "pooler false (BertModel always has its pooler)")
        p.want(model.token_types >= 1, "token_types 0 (the table always has a row)")
        return p

    def from_recipe(self, model: Any) -> dict[str, Any]:
        p = self.check(model)
        dropout = common.single_dropout(p, ("residual", "embedding"))
        if model.positional.kind == "learned":
            self.check_offset(p, model.positional.offset)
        p.done()
        return {
            "model_type": self.model_types[0],
            "architectures": [self.hf_class],
            "vocab_size": model.vocab_size,
            "hidden_size": model.d_model,
            "num_hidden_layers": model.encoder.layers,
            "num_attention_heads": model.heads,
            "intermediate_size": model.d_ff,
            "hidden_act": common.ARCHSPEC_ACTIVATIONS[model.activation],
            "hidden_dropout_prob": dropout,
            "attention_probs_dropout_prob": model.dropout.attention,
            "max_position_embeddings": model.positional.max_len + model.positional.offset,
            "type_vocab_size": model.token_types,
            "layer_norm_eps": model.norm.eps,
            "position_embedding_type": "absolute",
            **self.special_tokens(model),
        }

    def check_offset(self, p: common.Parts, offset: int) -> None:
        p.want(offset == 0, f"positional.offset {offset} (BERT reads row p for position p)")

    def special_tokens(self, model: Any) -> dict[str, Any]:
        return {"pad_token_id": 0}

    def names(self, layers: int) -> common.Table:
        table: common.Table = [
            ("embed.tokens.weight", ("embeddings.word_embeddings.weight",)),
            ("embed.positions.weight", ("embeddings.position_embeddings.weight",)),
            ("embed.token_types.weight", ("embeddings.token_type_embeddings.weight",)),
            ("embed.norm.weight", ("embeddings.LayerNorm.weight",)),
            ("embed.norm.bias", ("embeddings.LayerNorm.bias",)),
            ("pooler.dense.weight", ("pooler.dense.weight",)),
            ("pooler.dense.bias", ("pooler.dense.bias",)),
        ]
        return table + encoder_layers(layers, "encoder.layer.", BERT_QKV, BERT_LAYER)

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        table = self.names(model.encoder.layers)
        no_pooler = not any(k.endswith("pooler.dense.weight") for k in state)
        if no_pooler:  # saved from a *ForMaskedLM: the pooler starts from its initial values
            table = [row for row in table if not row[0].startswith("pooler.")]
        out = common.weights_in(
            table,
            state,
            self.model_types[0],
            prefixes=(self.base_prefix,),
            dropped=self.head_prefixes,
        )
        if no_pooler:
            out.update(initial_pooler(model.d_model))
        return out

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        return common.weights_out(self.names(model.encoder.layers), state)


def initial_pooler(d_model: int) -> dict[str, Any]:
    """The pooler archspec would initialise (N(0, D^-1/2), zero bias), from a fixed seed, for
    a checkpoint that has none (as HF's BertModel.from_pretrained initialises a missing one)."""
    import torch

    g = torch.Generator().manual_seed(0)
    weight = torch.randn(d_model, d_model, generator=g) * d_model**-0.5
    return {"pooler.dense.weight": weight, "pooler.dense.bias": torch.zeros(d_model)}


register(Bert())
