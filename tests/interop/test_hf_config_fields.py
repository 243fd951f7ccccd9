"""`archspec import` on the encoder and encoder-decoder families' config.json drops no field
silently: a config as transformers' `save_pretrained` writes it (diffed or in full) imports;
a made-up field, and a real one at a value archspec cannot express, exits 2 naming it.
Configs come from transformers' config classes (nothing is downloaded, no model is built)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from archspec.cli import main
from archspec.spec import Recipe

transformers = pytest.importorskip("transformers")

SIZES: dict[str, Callable[[], Any]] = {  # model_type: a tiny config, the sizes HF names
    "bert": lambda: transformers.BertConfig(
        vocab_size=61, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=40,
    ),
    "roberta": lambda: transformers.RobertaConfig(
        vocab_size=61, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=42, pad_token_id=1,
    ),
    "distilbert": lambda: transformers.DistilBertConfig(
        vocab_size=61, dim=32, n_layers=2, n_heads=4, hidden_dim=64, max_position_embeddings=40,
    ),
    "bart": lambda: transformers.BartConfig(
        vocab_size=61, d_model=32, encoder_layers=2, decoder_layers=3, encoder_ffn_dim=64,
        decoder_ffn_dim=64, encoder_attention_heads=4, decoder_attention_heads=4,
        max_position_embeddings=40, scale_embedding=True,
    ),
    "t5": lambda: transformers.T5Config(
        vocab_size=61, d_model=32, d_kv=8, d_ff=64, num_layers=2, num_decoder_layers=3,
        num_heads=4, feed_forward_proj="gated-gelu", tie_word_embeddings=False,
    ),
}  # fmt: skip

REFUSED = [  # (model_type, a real field at a value archspec cannot express, what is named)
    ("bert", {"position_embedding_type": "relative_key"}, "position_embedding_type='relative_key'"),
    ("bert", {"is_decoder": True}, "is_decoder=True"),
    ("bert", {"add_cross_attention": True}, "add_cross_attention=True"),
    ("roberta", {"position_embedding_type": "relative_key_query"}, "position_embedding_type="),
    ("distilbert", {"sinusoidal_pos_embds": True}, "sinusoidal_pos_embds=True"),
    ("distilbert", {"num_hidden_layers": 6}, "num_hidden_layers=6 != n_layers=2"),
    ("bart", {"normalize_before": True}, "normalize_before=True"),
    ("bart", {"add_final_layer_norm": True}, "add_final_layer_norm=True"),
    ("bart", {"add_bias_logits": True}, "add_bias_logits=True"),
    ("bart", {"normalize_embedding": False}, "normalize_embedding=False"),
    ("bart", {"extra_pos_embeddings": 0}, "extra_pos_embeddings=0"),
    ("bart", {"is_decoder": True, "is_encoder_decoder": False}, "is_encoder_decoder=False"),
    ("bart", {"decoder_attention_heads": 8}, "encoder_attention_heads=4 != decoder_"),
    ("t5", {"feed_forward_proj": "gated-gelu_pytorch_tanh"}, "feed_forward_proj="),
    ("t5", {"feed_forward_proj": "silu"}, "feed_forward_proj='silu'"),
    ("t5", {"dense_act_fn": "silu"}, "dense_act_fn='silu' (feed_forward_proj='gated-gelu'"),
    ("t5", {"is_gated_act": False}, "is_gated_act=False"),
    ("t5", {"is_encoder_decoder": False}, "is_encoder_decoder=False"),
]  # fmt: skip


def _folder(tmp_path: Path, model_type: str, full: bool = False, **change: Any) -> Path:
    """A folder with the tiny config.json `save_pretrained` writes (`full`: every field, as
    `to_json_file(use_diff=False)` writes it), `change` applied to its JSON."""
    folder = tmp_path / model_type
    config = SIZES[model_type]()
    if full:
        folder.mkdir()
        config.to_json_file(folder / "config.json", use_diff=False)
    else:
        config.save_pretrained(folder)
    written = json.loads((folder / "config.json").read_text())
    (folder / "config.json").write_text(json.dumps({**written, **change}))
    return folder


def _import(folder: Path, capsys: Any) -> tuple[int, str]:
    """`archspec import FOLDER` in this process: (exit status, stdout and stderr)."""
    with pytest.raises(SystemExit) as done:
        main(["import", str(folder)])
    out = capsys.readouterr()
    return int(done.value.code or 0), out.out + out.err


@pytest.mark.parametrize("full", [False, True], ids=["diffed", "full"])
@pytest.mark.parametrize("model_type", sorted(SIZES))
def test_a_config_as_transformers_writes_it_imports(model_type, full, tmp_path, capsys) -> None:
    code, out = _import(_folder(tmp_path, model_type, full), capsys)
    assert code == 0, out
    model = Recipe.model_validate(yaml.safe_load(out)).model
    assert model.d_model == 32 and model.heads == 4 and model.d_ff == 64
    layers = [stack.layers for _, stack in model.stacks()]
    assert layers == {"bart": [2, 3], "t5": [2, 3]}.get(model_type, [2])


@pytest.mark.parametrize("field", [{"rotary_dim": 8}, {"my_new_switch": True}])
@pytest.mark.parametrize("model_type", sorted(SIZES))
def test_a_made_up_field_is_refused_naming_it(model_type, field, tmp_path, capsys) -> None:
    code, out = _import(_folder(tmp_path, model_type, **field), capsys)
    (name,) = field
    assert code == 2 and f"{name} (no recipe equivalent)" in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize(("model_type", "change", "named"), REFUSED)
def test_a_real_field_archspec_cannot_express_is_refused(
    model_type, change, named, tmp_path, capsys
) -> None:
    code, out = _import(_folder(tmp_path, model_type, **change), capsys)
    assert code == 2 and named in out, out
    assert "Traceback" not in out
