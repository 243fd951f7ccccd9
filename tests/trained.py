"""Tiny trained runs shared by the tests of decoding, evaluation and pictures: each is
trained once per test process (a few seconds each) into a temporary folder."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from archspec.spec import Recipe
from tests.train.conftest import DATA, tiny

_ROOT = Path(tempfile.mkdtemp(prefix="archspec-test-runs-"))
atexit.register(shutil.rmtree, _ROOT, True)

FULL_VALIDATION = {"max_steps": 30, "val_every": 30, "val_batches": None}


def _translation() -> Recipe:
    """A tiny English-Spanish model on 400 shipped pairs, byte-level BPE."""
    recipe = tiny(
        "seq2seq",
        {"vocab_size": 300, "max_len": 128, "encoder": {"layers": 2}, "decoder": {"layers": 2}},
        data={
            "source": {
                "kind": "pairs",
                "path": str(DATA / "en-es/train.tsv"),
                "val_path": str(DATA / "en-es/val.tsv"),
                "max_examples": 400,
            },
            "tokenizer": {"kind": "bpe"},
            "too_long": "truncate",
            "batching": {"kind": "examples", "size": 32},
        },
        trainer=FULL_VALIDATION,
    )
    data = recipe.model_dump(mode="json")
    data["objective"] = {"kind": "seq2seq", "bleu_samples": 0}
    return Recipe.model_validate(data)


RECIPES = {
    "translation": _translation,
    "reverse": lambda: tiny("seq2seq", trainer=FULL_VALIDATION),
    "lm": lambda: tiny("causal-lm", trainer=FULL_VALIDATION),
    "masked": lambda: tiny("masked-lm", trainer=FULL_VALIDATION),
    "classifier": lambda: tiny("classification", trainer=FULL_VALIDATION),
}


@functools.cache
def trained(name: str) -> Path:
    """The run directory of the tiny `name` run (translation, reverse, lm, masked,
    classifier), trained on first use."""
    from archspec.train.run import train

    return train(RECIPES[name](), run_dir=_ROOT / name).run_dir
