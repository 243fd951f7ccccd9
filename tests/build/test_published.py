"""The published recipes report the parameter counts of the Hugging Face classes they follow
(counts from the published checkpoints' configurations: reference/modern.md's table), through
`archspec validate` (spec only, no torch) and through a build on the meta device."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from archspec.build import build_model
from archspec.recipe.loader import load_recipe

PUBLISHED = Path(__file__).resolve().parents[2] / "recipes" / "published"

COUNTS = {
    "gpt2": 124_439_808,
    "bert-base-uncased": 109_482_240,
    "t5-small": 60_506_624,
    "t5-v1_1-small": 76_961_152,
    "bart-base": 139_420_416,
    "llama-2-7b": 6_738_415_616,
    "tinyllama-1.1b": 1_100_048_384,
    "mistral-7b": 7_241_732_096,
}


def _path(name: str) -> Path:
    return PUBLISHED / f"{name}.yaml"


@pytest.mark.parametrize(("name", "count"), COUNTS.items())
def test_validate_prints_the_published_count(name: str, count: int) -> None:
    path = _path(name)
    out = subprocess.run(
        [sys.executable, "-m", "archspec", "validate", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"{count:,} parameters" in out


@pytest.mark.parametrize(("name", "count"), COUNTS.items())
def test_meta_build_has_the_published_count(name: str, count: int) -> None:
    recipe = load_recipe(_path(name))
    with torch.device("meta"):
        model = build_model(recipe)
    assert sum(p.numel() for p in model.parameters()) == count
