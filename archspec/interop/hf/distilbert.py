"""DistilBERT (model_type "distilbert"): DistilBertConfig <-> an archspec encoder with BERT's
post-LayerNorm layers (LayerNorm eps fixed at 1e-12 by HF), an embedding LayerNorm, learned
positions, no token types and no pooler.

Exports to DistilBertModel (hidden states: archspec's encoder without an objective head).
Imports DistilBertModel's names and DistilBertForMaskedLM's ("distilbert." prefix): its head,
vocab_transform / vocab_layer_norm / vocab_projector, is dropped (a masked-LM head belongs to
archspec's objective).

Config fields mapped: vocab_size, dim, n_layers, n_heads, hidden_dim, activation (gelu,
gelu_new, relu), dropout (residual and embedding dropout), attention_dropout,
max_position_embeddings (hidden_size, num_attention_heads, num_hidden_layers: HF's aliases).
Refused unless the default: sinusoidal_pos_embds (false; true makes the table a frozen sine
table, which the import, reading learned tables only, would train). Ignored on purpose:
IGNORED below, with why, plus the fields every family ignores (archspec/interop/hf/fields.py);
any other field is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archspec.interop.hf import enc_common as common
from archspec.interop.hf.bert import encoder_layers
from archspec.interop.hf.family import register
from archspec.interop.hf.fields import Fields

EPS = 1e-12
"""DistilBERT's LayerNorm epsilon (not a config field)."""
ALIASES = {"hidden_size": "dim", "num_attention_heads": "n_heads", "num_hidden_layers": "n_layers"}
"""DistilBertConfig's attribute_map: another name -> the field it sets."""
IGNORED = {
    "qa_dropout": "the dropout of DistilBertForQuestionAnswering's head: training only",
    "seq_classif_dropout": "the dropout of DistilBertForSequenceClassification's head: training",
    "tie_weights_": "ties the masked-LM head, which the import drops, to the tokens",
    "tie_word_embeddings": "ties the masked-LM head, which the import drops, to the tokens",
    "is_decoder": "DistilBertModel never reads it (its attention is always bidirectional)",
}
"""DistilBertConfig fields that do not change DistilBertModel's output, and why."""

QKV = ("attention.q_lin", "attention.k_lin", "attention.v_lin")
LAYER = {
    "self_attn.sublayer.out": "attention.out_lin",
    "self_attn.norm": "sa_layer_norm",
    "ffn.sublayer.w_in": "ffn.lin1",
    "ffn.sublayer.w_out": "ffn.lin2",
    "ffn.norm": "output_layer_norm",
}


class DistilBert:
    model_types: tuple[str, ...] = ("distilbert",)
    model_kind: str = "encoder"
    """The archspec model kind this family's HF class is."""

    def to_recipe(self, config: Mapping[str, Any]) -> dict[str, Any]:
        r = Fields(config, "distilbert")
        r.aliases(ALIASES)
        r.only("sinusoidal_pos_embds", (False,), False, ": a learned table")
        rows = r.need("max_position_embeddings")
        dropout = r.get("dropout", 0.1)
        model = {
            "kind": "encoder",
            "d_model": r.need("dim"),
            "heads": r.need("n_heads"),
            "d_ff": r.need("hidden_dim"),
            "activation": common.activation(r, "activation", "gelu"),
            "vocab_size": r.need("vocab_size"),
            "max_len": rows,
            "positional": {"kind": "learned", "max_len": rows},
            "norm": {"kind": "layernorm", "placement": "post", "eps": EPS},
            "dropout": {
                "residual": dropout,
                "attention": r.get("attention_dropout", 0.1),
                "embedding": dropout,
            },
            "embed_scale": False,
            "embed_norm": True,
            "bias": True,
            "encoder": {"layers": r.need("n_layers")},
        }
        r.finish(IGNORED)
        return model

    def from_recipe(self, model: Any) -> dict[str, Any]:
        p = common.Parts(model, "DistilBertModel")
        p.want(model.kind == "encoder", f"kind {model.kind} (encoder only)")
        if model.kind != "encoder":
            p.done()
        p.common(norm="layernorm", placement="post", bias=True)
        p.want(model.norm.eps == EPS, f"norm.eps {model.norm.eps} (DistilBERT's is {EPS})")
        positional = model.positional
        p.want(positional.kind == "learned", f"positional.kind {positional.kind}")
        if positional.kind == "learned":
            p.want(positional.offset == 0, f"positional.offset {positional.offset}")
        p.want(model.activation in common.ARCHSPEC_ACTIVATIONS, f"activation {model.activation}")
        p.want(not model.embed_scale, "embed_scale true")
        p.want(model.embed_norm, "embed_norm false (the embedding LayerNorm is always there)")
        p.want(not model.pooler, "pooler true (DistilBertModel has none)")
        p.want(model.token_types == 0, f"token_types {model.token_types} (DistilBERT has none)")
        dropout = common.single_dropout(p, ("residual", "embedding"))
        p.done()
        return {
            "model_type": "distilbert",
            "architectures": ["DistilBertModel"],
            "vocab_size": model.vocab_size,
            "dim": model.d_model,
            "n_layers": model.encoder.layers,
            "n_heads": model.heads,
            "hidden_dim": model.d_ff,
            "activation": common.ARCHSPEC_ACTIVATIONS[model.activation],
            "dropout": dropout,
            "attention_dropout": model.dropout.attention,
            "max_position_embeddings": positional.max_len,
            "sinusoidal_pos_embds": False,
            "pad_token_id": 0,
        }

    def names(self, layers: int) -> common.Table:
        table: common.Table = [
            ("embed.tokens.weight", ("embeddings.word_embeddings.weight",)),
            ("embed.positions.weight", ("embeddings.position_embeddings.weight",)),
            ("embed.norm.weight", ("embeddings.LayerNorm.weight",)),
            ("embed.norm.bias", ("embeddings.LayerNorm.bias",)),
        ]
        return table + encoder_layers(layers, "transformer.layer.", QKV, LAYER)

    def weights_in(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        return common.weights_in(
            self.names(model.encoder.layers),
            state,
            "distilbert",
            prefixes=("distilbert.",),
            dropped=("vocab_transform.", "vocab_layer_norm.", "vocab_projector."),
        )

    def weights_out(self, state: Mapping[str, Any], model: Any) -> dict[str, Any]:
        return common.weights_out(self.names(model.encoder.layers), state)


register(DistilBert())
