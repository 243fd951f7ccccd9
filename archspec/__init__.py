"""archspec: declarative Transformer architectures. The public API, and nothing else.

Importing this package imports no torch; `build_model`, `load_run`, `generate` and `evaluate`
import it when called.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from archspec.analysis.params import count_parameters
from archspec.errors import ArchspecError
from archspec.spec import Recipe

if TYPE_CHECKING:
    from pathlib import Path

    from torch import nn

    from archspec.evaluation.scoring import Evaluation
    from archspec.loading import LoadedRun, Which

__version__ = "0.1.0"


def load_recipe(path: str, overrides: list[str] | None = None) -> Recipe:
    """Read a YAML recipe, resolve `extends:`, apply `a.b=value` overrides and validate it."""
    from archspec.recipe import load_recipe as _load

    return _load(path, overrides=overrides)


def build_model(recipe: Recipe | Any) -> nn.Module:
    """Build the plain torch.nn.Module a recipe describes (no Lightning)."""
    from archspec.build import build_model as _build

    return _build(recipe)


def load_run(path: str | Path, checkpoint: Which = "best", device: str = "cpu") -> LoadedRun:
    """Load a run directory (its best or last checkpoint) or a .ckpt file: the model in eval
    mode, its recipe and tokenizers."""
    from archspec.loading import load_run as _load_run

    return _load_run(path, checkpoint, device)


def load_hf(path: str | Path) -> tuple[Recipe, nn.Module]:
    """Import a local Hugging Face model folder: its recipe, and the archspec model holding the
    folder's weights (safetensors, or pytorch_model.bin read with weights_only=True)."""
    from archspec.interop.hf.folder import load_hf as _load_hf

    return _load_hf(path)


def generate(run: LoadedRun | str | Path, texts: str | list[str], **options: Any) -> Any:
    """Translate (encoder-decoder) or continue (decoder-only) one text or a list of texts.

    options: method ("greedy", "beam", "sample"; default beam for translation, sampling for
    language models), beam_size, alpha, max_extra, max_new_tokens, temperature, top_k, top_p,
    seed, use_cache, batch_size (archspec.decoding.text.DecodeOptions).
    """
    from archspec.decoding.text import generate as _generate

    loaded = run if not isinstance(run, str | os.PathLike) else load_run(run)
    if isinstance(texts, str):
        return _generate(loaded, [texts], **options)[0]
    return _generate(loaded, texts, **options)


def evaluate(
    run: LoadedRun | str | Path, data: str | Path | None = None, **options: Any
) -> Evaluation:
    """Metrics of a run on a file (default: its validation split): BLEU and chrF, loss and
    perplexity, accuracy and F1, by objective. options: limit, seq_len (score text in blocks
    of that many tokens), and the decoding options of `generate` for translation models."""
    from dataclasses import replace

    from archspec.decoding.text import DecodeOptions
    from archspec.evaluation import evaluate as _evaluate

    loaded = run if not isinstance(run, str | os.PathLike) else load_run(run)
    limit, seq_len = options.pop("limit", None), options.pop("seq_len", None)
    decoding = replace(DecodeOptions(), **options)
    return _evaluate(loaded, data, decoding, limit=limit, seq_len=seq_len)


__all__ = [
    "ArchspecError",
    "Recipe",
    "build_model",
    "count_parameters",
    "evaluate",
    "generate",
    "load_hf",
    "load_recipe",
    "load_run",
]
