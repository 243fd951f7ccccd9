"""Bad data gives an ArchspecError (exit status 2 in the CLI) that names the file and line."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from archspec.data import build_datamodule
from archspec.errors import ArchspecError


def _pairs(path, **source):
    return {"source": {"kind": "pairs", "path": str(path), **source}, "tokenizer": {"kind": "char"}}


def _build(make_recipe, objective, data, run, **kw):
    return build_datamodule(make_recipe(objective, data, **kw), run)


def test_a_missing_file_lists_every_place_looked(tmp_path, make_recipe, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = make_recipe("seq2seq", _pairs("nowhere/train.tsv"))
    with pytest.raises(ArchspecError) as err:
        build_datamodule(recipe, tmp_path / "run", recipe_dir=tmp_path / "recipes")
    message = str(err.value)
    assert message.startswith("data.source.path: file 'nowhere/train.tsv' not found")
    assert str(tmp_path / "nowhere" / "train.tsv") in message
    assert str(tmp_path / "recipes" / "nowhere" / "train.tsv") in message


def test_a_relative_path_is_also_found_beside_the_recipe(tmp_path, write, make_recipe, monkeypatch):
    write("recipes/pairs.tsv", "a b\tc d\n" * 40)
    monkeypatch.chdir(write("elsewhere/x", "").parent)
    recipe = make_recipe("seq2seq", _pairs("pairs.tsv"))
    dm = build_datamodule(recipe, tmp_path / "run", recipe_dir=tmp_path / "recipes")
    assert dm.sources("train")[0] == "a b"


@pytest.mark.parametrize("text", ["", "\n\n  \n"])
def test_an_empty_file_is_refused(write, tmp_path, make_recipe, text):
    path = write("empty.tsv", text)
    with pytest.raises(ArchspecError, match=f"^{re.escape(str(path))}: the file is empty$"):
        _build(make_recipe, "seq2seq", _pairs(path), tmp_path / "run")


def test_a_tsv_line_with_the_wrong_number_of_fields_names_its_line(write, tmp_path, make_recipe):
    path = write("pairs.tsv", "one\tuno\ntwo\tdos\nthree tres\nfour\tcuatro\n")
    with pytest.raises(ArchspecError) as err:
        _build(make_recipe, "seq2seq", _pairs(path), tmp_path / "run")
    assert str(err.value) == (
        f"{path}:3: expected 2 tab-separated fields (source, target), found 1"
    )


def test_an_empty_field_names_its_line(write, tmp_path, make_recipe):
    path = write("pairs.tsv", "one\tuno\ntwo\t \n")
    with pytest.raises(ArchspecError, match=f"{re.escape(str(path))}:2: the target is empty"):
        _build(make_recipe, "seq2seq", _pairs(path), tmp_path / "run")


def test_malformed_jsonl_names_its_line(write, tmp_path, make_recipe):
    path = write("pairs.jsonl", '{"source": "a", "target": "b"}\n\n{"source": "c", "target": }\n')
    with pytest.raises(ArchspecError, match=rf"{re.escape(str(path))}:3: not valid JSON"):
        _build(make_recipe, "seq2seq", _pairs(path), tmp_path / "run")


def test_a_missing_jsonl_field_suggests_the_close_one(write, tmp_path, make_recipe):
    path = write("pairs.jsonl", '{"source": "a", "targte": "b"}\n')
    with pytest.raises(ArchspecError) as err:
        _build(make_recipe, "seq2seq", _pairs(path), tmp_path / "run")
    assert str(err.value) == (
        f"{path}:1: no field 'target' (fields: source, targte) (did you mean 'targte'?)"
    )


def test_a_header_without_the_named_column(write, tmp_path, make_recipe):
    path = write("reviews.tsv", "sentence\tlabel\ngood\tpos\nbad\tneg\n")
    data = {"source": {"kind": "labelled", "path": str(path)}, "tokenizer": {"kind": "char"}}
    with pytest.raises(
        ArchspecError, match=r":1: no column 'text' in the header \(columns: sentence, label\)"
    ):
        _build(make_recipe, "classification", data, tmp_path / "run")


def test_an_unknown_validation_label_names_its_line(write, tmp_path, make_recipe):
    train = write("train.csv", "text,label\ngood,pos\nbad,neg\n")
    val = write("val.csv", 'text,label\n"fine, really",pos\nmeh,neutral\n')
    source = {"kind": "labelled", "path": str(train), "val_path": str(val)}
    with pytest.raises(ArchspecError, match=rf"{re.escape(str(val))}:3: unknown label 'neutral'"):
        _build(
            make_recipe,
            "classification",
            {"source": source, "tokenizer": {"kind": "char"}},
            tmp_path / "r",
        )


def test_too_long_refused_names_the_first_offender(write, tmp_path, make_recipe):
    path = write("pairs.tsv", "short\tcorto\n" + "x" * 70 + "\tlargo\n" + "y" * 80 + "\tz\n")
    with pytest.raises(ArchspecError) as err:
        _build(make_recipe, "seq2seq", _pairs(path, val_fraction=0.0), tmp_path / "run")
    assert str(err.value).startswith(
        f"{path}:2: the source has 70 tokens, more than model.max_len 64; 1 more are too long; "
        "set data.too_long: truncate"
    )


def test_too_long_truncated_fits_the_model(write, tmp_path, make_recipe):
    path = write("pairs.tsv", "short\tcorto\n" + "x" * 70 + "\t" + "l" * 90 + "\n")
    data = {**_pairs(path, val_fraction=0.0), "too_long": "truncate"}
    dm = _build(make_recipe, "seq2seq", data, tmp_path / "run")
    batch = next(iter(dm.loader("train")))
    assert batch["src"].shape[1] == 64 and batch["tgt_in"].shape[1] == 64  # <bos> + 63
    long = batch["index"].tolist().index(1)
    assert dm.decode(batch["src"][long], side="source") == "x" * 64
    assert dm.decode(batch["tgt_out"][long]) == "l" * 63


def test_the_wrong_source_for_the_objective_is_a_validation_error(write, make_recipe):
    """Checked when the recipe validates (tests/recipe/broken/objective-source.yaml shows the
    file:line), not when training reads the data."""
    path = write("pairs.tsv", "a\tb\n")
    with pytest.raises(ValidationError, match="objective 'masked-lm' reads text data, not 'pairs'"):
        make_recipe("masked-lm", _pairs(path))


def test_non_utf8_text_names_its_line(tmp_path, make_recipe):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9\n".encode() + "ni\u00f1o\n".encode("latin-1"))
    data = {"source": {"kind": "text", "path": str(path)}}
    with pytest.raises(ArchspecError, match=rf"{re.escape(str(path))}:2: not UTF-8 text"):
        _build(make_recipe, "causal-lm", data, tmp_path / "run")


def test_too_little_text_to_hold_out(write, tmp_path, make_recipe):
    path = write("one.txt", "a single line\n")
    data = {"source": {"kind": "text", "path": str(path)}}
    with pytest.raises(ArchspecError, match="too little data to hold out val_fraction 0.05"):
        _build(make_recipe, "causal-lm", data, tmp_path / "run")
