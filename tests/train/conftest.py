"""Tiny recipes for every objective, small enough to train a few dozen steps in seconds."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from archspec.spec import Recipe

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"

SMALL = {"d_model": 32, "heads": 2, "d_ff": 64, "max_len": 64}
TRAINER = {
    "accelerator": "cpu",
    "max_steps": 30,
    "val_every": 30,
    "val_batches": 4,
    "log_every": 5,
    "seed": 0,
}

TINY = {
    "seq2seq": {
        "model": {
            "kind": "encoder-decoder",
            **SMALL,
            "vocab_size": 32,
            "tying": "all",
            "encoder": {"layers": 1},
            "decoder": {"layers": 1},
        },
        "data": {
            "source": {
                "kind": "synthetic",
                "task": "reverse",
                "symbols": 10,
                "min_len": 3,
                "max_len": 8,
                "train_size": 2000,
                "val_size": 64,
            },
            "batching": {"kind": "examples", "size": 32},
        },
        "objective": {"kind": "seq2seq", "bleu_samples": 16},
    },
    "causal-lm": {
        "model": {
            "kind": "decoder",
            **SMALL,
            "vocab_size": 96,
            "tying": "decoder",
            "decoder": {"layers": 2},
        },
        "data": {
            "source": {
                "kind": "text",
                "path": str(DATA / "shakespeare/train.txt"),
                "val_path": str(DATA / "shakespeare/val.txt"),
            },
            "seq_len": 32,
            "batching": {"kind": "examples", "size": 16},
        },
        "objective": {"kind": "causal-lm", "sample_tokens": 20},
    },
    "masked-lm": {
        "model": {"kind": "encoder", **SMALL, "vocab_size": 96, "encoder": {"layers": 2}},
        "data": {
            "source": {
                "kind": "text",
                "path": str(DATA / "shakespeare/val.txt"),
                "val_fraction": 0.1,
            },
            "seq_len": 32,
            "batching": {"kind": "examples", "size": 16},
        },
        "objective": {"kind": "masked-lm"},
    },
    "classification": {
        "model": {"kind": "encoder", **SMALL, "vocab_size": 300, "encoder": {"layers": 1}},
        "data": {
            "source": {
                "kind": "labelled",
                "path": str(DATA / "movie-reviews/train.tsv"),
                "val_path": str(DATA / "movie-reviews/val.tsv"),
                "max_examples": 1000,
            },
            "too_long": "truncate",
            "batching": {"kind": "examples", "size": 32},
        },
        "objective": {"kind": "classification"},
    },
}


def tiny(objective: str, model: dict | None = None, **sections) -> Recipe:
    """A tiny recipe for `objective`; `model` fields and whole sections may be replaced."""
    data = copy.deepcopy(TINY[objective])
    data["model"].update(model or {})
    data["schedule"] = {"kind": "constant", "lr": 3e-3, "warmup": 5}
    data["optimizer"] = {"kind": "adamw"}
    data["trainer"] = dict(TRAINER)
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Recipe.model_validate(data)


@pytest.fixture
def tiny_recipe():
    return tiny
