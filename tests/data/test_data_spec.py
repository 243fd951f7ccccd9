"""The data: section validates good recipes, fills its defaults and rejects bad values."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from archspec.spec import (
    BpeTokenizer,
    CharTokenizer,
    DataSpec,
    PairsSource,
    TokensBatching,
)

ROOT = Path(__file__).resolve().parents[2]


def test_data_spec_is_torch_free():
    code = "import archspec.spec.data, sys; print('torch' in sys.modules)"
    out = subprocess.check_output([sys.executable, "-c", code], text=True, cwd=ROOT)
    assert out.strip() == "False"


def test_a_recipe_without_data_still_validates(make_recipe):
    assert make_recipe("causal-lm", None).data is None


def test_defaults_are_filled_from_source_and_model(make_recipe):
    text = make_recipe("causal-lm", {"source": {"kind": "text", "path": "x.txt"}}, max_len=96)
    assert text.data.tokenizer == CharTokenizer()
    assert text.data.seq_len == 96  # model.max_len
    pairs = make_recipe("seq2seq", {"source": {"kind": "pairs", "path": "x.tsv"}}, vocab_size=500)
    assert pairs.data.tokenizer == BpeTokenizer()
    assert pairs.data.seq_len is None
    synthetic = make_recipe("seq2seq", {"source": {"kind": "synthetic"}})
    assert synthetic.data.tokenizer is None


def test_kinds_select_the_variant():
    data = DataSpec.model_validate(
        {
            "source": {"kind": "pairs", "path": "p.jsonl", "format": "jsonl"},
            "batching": {"kind": "tokens", "max_tokens": 2500},
        }
    )
    assert isinstance(data.source, PairsSource)
    assert data.batching == TokensBatching(max_tokens=2500)


BAD = [
    ({"source": {"kind": "synthetic", "min_len": 9, "max_len": 4}}, "min_len", "more than max_len"),
    ({"source": {"kind": "synthetic", "symbols": 1}}, "symbols", "greater than or equal to 2"),
    ({"source": {"kind": "synthetic"}, "tokenizer": {"kind": "char"}}, "tokenizer", "fixed"),
    ({"source": {"kind": "sinthetic"}}, "source", "synthetic"),
    (
        {"source": {"kind": "text", "path": "a", "val_path": "b", "val_fraction": 0.1}},
        "val_fraction",
        "remove val_fraction",
    ),
    (
        {"source": {"kind": "text", "path": "a", "val_fraction": 0.6, "test_fraction": 0.5}},
        "val_fraction",
        "leaves no training data",
    ),
    ({"source": {"kind": "text", "path": "a", "val_fraction": 1.0}}, "val_fraction", "less than 1"),
    ({"source": {"kind": "pairs", "path": "a"}, "seq_len": 32}, "seq_len", "chunks"),
    ({"source": {"kind": "pairs", "path": "a", "format": "xml"}}, "format", "tsv"),
    ({"source": {"kind": "labelled", "path": "a", "labels": ["x"]}}, "labels", "two labels"),
    (
        {"source": {"kind": "text", "path": "a"}, "batching": {"kind": "examples", "size": 0}},
        "size",
        "",
    ),
    ({"source": {"kind": "text", "path": "a"}, "too_long": "cut"}, "too_long", "truncate"),
    ({"source": {"kind": "text", "path": "a"}, "shuffle": True}, "shuffle", "Extra inputs"),
]


@pytest.mark.parametrize(("data", "where", "words"), BAD)
def test_bad_values_are_rejected_with_their_location(data, where, words):
    with pytest.raises(ValidationError) as err:
        DataSpec.model_validate(data)
    text = str(err.value)
    assert where in text and words in text


def test_seq_len_longer_than_the_model_is_rejected(make_recipe):
    with pytest.raises(ValidationError, match="seq_len: 128 is longer than model.max_len 64"):
        make_recipe("causal-lm", {"source": {"kind": "text", "path": "a"}, "seq_len": 128})


def test_synthetic_symbols_must_fit_the_vocabulary(make_recipe):
    with pytest.raises(ValidationError, match="raise model.vocab_size to at least 105"):
        make_recipe("seq2seq", {"source": {"kind": "synthetic", "symbols": 100}}, vocab_size=64)
    pair = {"source": 200, "target": 50}
    with pytest.raises(ValidationError, match="at least 105"):
        make_recipe("seq2seq", {"source": {"kind": "synthetic", "symbols": 100}}, vocab_size=pair)


def test_byte_level_bpe_needs_room_for_the_bytes(make_recipe):
    with pytest.raises(ValidationError, match="must be at least 262"):
        make_recipe("masked-lm", {"source": {"kind": "text", "path": "a", "sequences": "lines"}})
    data = {"source": {"kind": "text", "path": "a"}, "tokenizer": {"kind": "bpe"}}
    assert make_recipe("causal-lm", data, vocab_size=262).data.tokenizer.kind == "bpe"
