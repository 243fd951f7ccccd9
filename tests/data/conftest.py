"""Helpers for the data tests: recipes in one line, small files on disk."""

from __future__ import annotations

from pathlib import Path

import pytest

from archspec.spec import Recipe

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data"

MODELS = {
    "seq2seq": {"kind": "encoder-decoder", "vocab_size": 64, "max_len": 64},
    "causal-lm": {"kind": "decoder", "vocab_size": 128, "max_len": 64},
    "masked-lm": {"kind": "encoder", "vocab_size": 128, "max_len": 64},
    "classification": {"kind": "encoder", "vocab_size": 128, "max_len": 64},
}
"""A small model of the right kind for each objective."""


def _make_recipe(objective: str, data: dict | None, **model) -> Recipe:
    model = {**MODELS[objective], **model}
    return Recipe.model_validate({"model": model, "data": data, "objective": {"kind": objective}})


@pytest.fixture
def make_recipe():
    """make_recipe(objective, data, **model fields) -> a validated Recipe with a small model."""
    return _make_recipe


@pytest.fixture
def shipped() -> Path:
    """The data/ folder shipped in the repository."""
    return SHIPPED


@pytest.fixture
def write(tmp_path: Path):
    """write(name, text) -> path of a new UTF-8 file under tmp_path."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return _write
