"""The corpora shipped in data/: small, licensed, reproducible, and fit for the quickstart."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from archspec.data import build_datamodule
from archspec.spec import Recipe

FILES = [
    "shakespeare/train.txt",
    "shakespeare/val.txt",
    "en-es/train.tsv",
    "en-es/val.tsv",
    "movie-reviews/train.tsv",
    "movie-reviews/val.tsv",
]


def test_the_subsets_are_small_and_carry_their_licences(shipped):
    total = sum((shipped / f).stat().st_size for f in FILES)
    assert 1_000_000 < total < 3_000_000
    readme = (shipped / "README.md").read_text(encoding="utf-8")
    for words in ("public domain", "MIT", "Hutto", "make_subsets.py"):
        assert words in readme
    assert "Permission is hereby granted" in (shipped / "LICENSE").read_text(encoding="utf-8")


def test_make_subsets_rebuilds_the_same_bytes(shipped, tmp_path):
    found = [p / "shared" / "data" for p in shipped.parents if (p / "shared" / "data").is_dir()]
    if not found:  # ../shared beside the checkout (or beside a folder of worktrees)
        pytest.skip("the full corpora (../shared/data) are not beside this checkout")
    source = found[0]
    script = shipped / "make_subsets.py"
    subprocess.run([sys.executable, script, source, tmp_path], check=True, capture_output=True)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name


def test_verse_pairs_are_short_and_validation_is_unseen(shipped):
    train, val = (
        (shipped / "en-es" / f"{s}.tsv").read_text(encoding="utf-8").splitlines()
        for s in ("train", "val")
    )
    assert len(train) == 5000 and len(val) == 250 and not set(train) & set(val)
    for line in train + val:
        en, es = line.split("\t")
        assert 1 <= len(en.split()) <= 20 and 1 <= len(es.split()) <= 20
        assert not en.startswith("¶")


def test_reviews_have_two_balanced_labels(shipped):
    rows = (shipped / "movie-reviews" / "train.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "text\tlabel"
    labels = [r.split("\t")[1] for r in rows[1:]]
    assert set(labels) == {"negative", "positive"}
    assert 0.45 < labels.count("positive") / len(labels) < 0.55


def _recipe(path: Path, data: dict) -> Recipe:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Recipe.model_validate({**raw, "data": data})


def test_char_shakespeare_fits_the_small_gpt_recipe(shipped, tmp_path, request):
    """The quickstart's language model: gpt-small (vocab 128, context 256) on characters."""
    gpt = request.config.rootpath / "recipes" / "examples" / "gpt-small.yaml"
    data = {
        "source": {
            "kind": "text",
            "path": "data/shakespeare/train.txt",
            "val_path": "data/shakespeare/val.txt",
        },
        "tokenizer": {"kind": "char"},
        "batching": {"kind": "examples", "size": 16},
    }
    dm = build_datamodule(_recipe(gpt, data), tmp_path, recipe_dir=shipped.parent)
    assert dm.vocab_size <= 128
    batch = next(iter(dm.val_dataloader()))
    assert batch["tokens"].shape == (16, 256)
    assert (batch["tokens"][:, 1:] == batch["targets"][:, :-1]).all()
    val = dm.prepared.datasets["val"].stream
    assert (val == dm.unk_id).float().mean() < 0.001  # validation characters are known
    assert len(dm.train_dataloader()) == -(-len(dm.prepared.datasets["train"]) // 16)


def test_translation_pairs_with_a_shared_bpe(shipped, tmp_path, request):
    base = request.config.rootpath / "recipes" / "paper" / "base.yaml"
    data = {
        "source": {
            "kind": "pairs",
            "path": "data/en-es/train.tsv",
            "val_path": "data/en-es/val.tsv",
        },
        "batching": {"kind": "tokens", "max_tokens": 4000},
    }
    recipe = _recipe(base, data)  # one shared 37,000 vocabulary: more than this corpus holds
    dm = build_datamodule(recipe, tmp_path, recipe_dir=shipped.parent)
    assert dm.shared_vocabulary and 1000 < dm.vocab_size <= 37000
    assert (
        len(dm.val_references) == 250
        and dm.val_references[0]
        == (
            (shipped / "en-es" / "val.tsv")
            .read_text(encoding="utf-8")
            .split("\n")[0]
            .split("\t")[1]
        )
    )
    lengths = dm.prepared.datasets["train"].lengths
    assert lengths.max() <= 80  # short verses: quick to train on a CPU
