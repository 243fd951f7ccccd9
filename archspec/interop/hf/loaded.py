"""A Hugging Face model folder as a loaded run: `archspec generate FOLDER` and `eval FOLDER`.

The recipe is the folder's import (`archspec import`: the model, and data.tokenizer naming its
tokenizer.json with the folder's special ids); the objective module is the default for the
model kind, holding the folder's weights (load_hf's mapping). Text becomes ids through the
folder's own tokenizer.json (or the file `--tokenizer` names), so `generate` and `eval` read
and write what Hugging Face's tokenizer does.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path
from typing import Any

from archspec.errors import ArchspecError


def load_folder(folder: Path, device: Any = "cpu", tokenizer: str | Path | None = None) -> Any:
    """A LoadedRun of the model folder (weights, recipe, tokenizer), in eval mode on `device`."""
    from archspec.components.tokenizer.file import read_file
    from archspec.data import tokenizers as tk
    from archspec.interop.hf.folder import config_path, recipe_from, tokenizer_file
    from archspec.interop.hf.folder import recipe_data as imported
    from archspec.interop.init_from import init_from
    from archspec.loading import LoadedRun
    from archspec.spec import Recipe
    from archspec.spec.objective import objective_impl

    path = Path(tokenizer) if tokenizer is not None else tokenizer_file(folder)
    if path is None:
        raise ArchspecError(
            f"{folder}: no tokenizer.json in this Hugging Face folder, so text cannot become "
            "token ids; name one with --tokenizer FILE (or, in a recipe, data.tokenizer: "
            "{kind: file, path: FILE})"
        )
    if not path.is_file():
        raise ArchspecError(f"--tokenizer {path}: no such file")
    recipe_from(folder)  # a config archspec cannot express fails here, naming the field
    recipe = Recipe.model_validate(imported(folder, tokenizer=path))
    tok = read_file(path)
    check_fits(recipe, tok, path, folder)
    specials = tk.specials_of(recipe.data.tokenizer if recipe.data else None, tok)
    info = {
        "pad_id": specials.pad,
        "bos_id": specials.bos,
        "eos_id": specials.eos,
        "mask_id": specials.mask,
        "source_vocab_size": tok.get_vocab_size(),
        "target_vocab_size": tok.get_vocab_size(),
        "num_classes": None,
        "label_names": None,
    }
    module = objective_impl(recipe.objective).module_class()(recipe.model_dump(mode="json"), info)
    init_from(module.model, folder)
    masked_lm_head(module, folder)
    module.to(device).eval()
    work = Path(tempfile.mkdtemp(prefix="archspec-hf-"))  # eval's copy of the tokenizer
    atexit.register(shutil.rmtree, work, True)
    shutil.copyfile(path, work / "tokenizer.json")
    return LoadedRun(module, recipe, config_path(folder), folder, tok, tok, specials, work_dir=work)


MASKED_LM_HEADS: dict[str, tuple[dict[str, str], str | None]] = {
    "bert": (
        {
            "transform.0.weight": "cls.predictions.transform.dense.weight",
            "transform.0.bias": "cls.predictions.transform.dense.bias",
            "transform.2.weight": "cls.predictions.transform.LayerNorm.weight",
            "transform.2.bias": "cls.predictions.transform.LayerNorm.bias",
            "bias": "cls.predictions.bias",
        },
        "layer_norm_eps",
    ),
    "roberta": (
        {
            "transform.0.weight": "lm_head.dense.weight",
            "transform.0.bias": "lm_head.dense.bias",
            "transform.2.weight": "lm_head.layer_norm.weight",
            "transform.2.bias": "lm_head.layer_norm.bias",
            "bias": "lm_head.bias",
        },
        "layer_norm_eps",
    ),
    "distilbert": (
        {
            "transform.0.weight": "vocab_transform.weight",
            "transform.0.bias": "vocab_transform.bias",
            "transform.2.weight": "vocab_layer_norm.weight",
            "transform.2.bias": "vocab_layer_norm.bias",
            "bias": "vocab_projector.bias",
        },
        None,  # DistilBERT's head LayerNorm has eps 1e-12 whatever the config says
    ),
}
"""archspec's masked-LM head (dense, GELU, LayerNorm, the tied embedding, a bias) <- the
names of each family's *ForMaskedLM prediction head, and the config field of its LayerNorm
eps (None: HF fixes 1e-12)."""


def masked_lm_head(module: Any, folder: Path) -> None:
    """A masked-LM module's head from the folder's *ForMaskedLM head. A folder without one (a
    bare BertModel) leaves the head at its initial weights, and says so on stderr: scores
    computed through it mean nothing."""
    import sys

    import torch

    from archspec.interop.hf.folder import read_config, read_weights

    head = getattr(module, "head", None)
    if head is None:
        return
    config = read_config(folder)
    names, eps_field = MASKED_LM_HEADS.get(config["model_type"], ({}, None))
    state = read_weights(folder)
    if not names or not all(name in state for name in names.values()):
        sys.stderr.write(
            f"note: {folder} holds no masked-LM head archspec reads (a bare "
            f"{config['model_type']} model?): masked-LM scores use an untrained head\n"
        )
        return
    head.transform[2].eps = float(config.get(eps_field, 1e-12)) if eps_field else 1e-12
    with torch.no_grad():
        for ours, theirs in names.items():
            head.get_parameter(ours).copy_(state[theirs])


def check_fits(recipe: Any, tok: Any, path: Path, folder: Path) -> None:
    """The model's embedding must have a row for every token of the tokenizer."""
    vocab = recipe.model.vocab_size
    size = vocab if isinstance(vocab, int) else min(vocab.source, vocab.target)
    if tok.get_vocab_size() > size:
        raise ArchspecError(
            f"{path} has {tok.get_vocab_size()} tokens but the model of {folder} has "
            f"vocab_size {size} (config.json): ids from {size} up have no embedding; use the "
            "tokenizer the model was trained with"
        )
