"""Loading a trained run for use: `archspec.load_run(RUN_DIR or CHECKPOINT)`.

    run = archspec.load_run("runs/shakespeare-char-20261122-101500")   # best.ckpt
    run.model             # the plain nn.Module, in eval mode
    run.module            # the LightningModule (objective heads: classifier, masked-LM head)
    run.encode(["To be"]), run.decode(ids)

A run directory (what `archspec train` writes) gives checkpoints/best.ckpt (or last.ckpt with
checkpoint="last"); a .ckpt path gives that checkpoint, with the tokenizer(s) read from its run
directory (the checkpoint's folder or the one above it). The checkpoint alone describes the
model (hyper_parameters {recipe, data}); the tokenizer files say how text becomes ids, and the
tokenizer's component says which ids are special (`run.specials`). A Hugging Face model folder
loads the same way (archspec.interop.hf.loaded: its weights through load_hf, its own
tokenizer.json). Anything unusable is an ArchspecError naming the file and what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from archspec.components.tokenizer.base import ARCHSPEC, Specials
from archspec.errors import ArchspecError
from archspec.spec import Recipe

Which = Literal["best", "last"]


@dataclass
class LoadedRun:
    """A trained model ready to use, with its recipe and tokenizers."""

    module: Any
    """The objective's LightningModule (archspec.train.objectives), in eval mode."""
    recipe: Recipe
    """The fully resolved recipe the run trained (its objective filled in)."""
    checkpoint: Path
    """The checkpoint the weights came from."""
    run_dir: Path
    """The folder holding the tokenizer(s) (and, for a run directory, recipe.yaml)."""
    source_tokenizer: Any
    """tokenizers.Tokenizer of the input side."""
    target_tokenizer: Any
    """tokenizers.Tokenizer of the output side (the same object with one vocabulary)."""
    specials: Specials = ARCHSPEC
    """The tokenizer's special ids (archspec's 0-4, or a named tokenizer.json's)."""
    work_dir: Path | None = None
    """Where `eval`'s data pipeline keeps its copy of the tokenizer (None: run_dir)."""

    @property
    def model(self) -> Any:
        """The plain nn.Module (no Lightning)."""
        return self.module.model

    @property
    def kind(self) -> str:
        """encoder-decoder, encoder or decoder."""
        return self.recipe.model.kind

    @property
    def objective(self) -> str:
        """The objective kind the run trained (e.g. seq2seq, causal-lm)."""
        return self.recipe.objective.kind

    @property
    def data_info(self) -> dict[str, Any]:
        """Special ids, vocabulary sizes and class names the checkpoint stores."""
        return self.module.data_info

    @property
    def device(self) -> Any:
        return next(self.module.parameters()).device

    def encode(self, texts: Sequence[str], side: str = "source") -> list[list[int]]:
        """Token ids of each text (no special tokens)."""
        from archspec.data import tokenizers as tk

        tok = self.source_tokenizer if side == "source" else self.target_tokenizer
        return tk.encode(tok, texts)

    def decode(self, ids: Sequence[int], side: str = "target") -> str:
        """Text of ids, stopping at <eos> and dropping <pad>, <bos> and <mask>."""
        from archspec.data import tokenizers as tk

        tok = self.target_tokenizer if side == "target" else self.source_tokenizer
        return tk.decode(tok, ids, self.specials)

    def tokens(self, ids: Sequence[int], side: str = "source") -> list[str]:
        """The token strings of ids (for axis labels)."""
        tok = self.source_tokenizer if side == "source" else self.target_tokenizer
        return [tok.id_to_token(int(i)) or f"<{int(i)}>" for i in ids]


def is_model_folder(path: str | Path) -> bool:
    """A Hugging Face model folder (config.json with a model_type), not a run directory."""
    from archspec.interop.hf.folder import is_hf

    p = Path(path)
    return p.is_dir() and is_hf(p) and not (p / "recipe.yaml").is_file()


def check_loadable(path: str | Path, which: Which = "best") -> None:
    """Fail early (before stdin is read) when `path` is neither a run nor a model folder."""
    if not is_model_folder(path):
        find_checkpoint(Path(path), which)


def find_checkpoint(path: Path, which: Which = "best") -> tuple[Path, Path]:
    """(checkpoint, run directory) for a run directory or a .ckpt path."""
    if path.is_dir():
        if not (path / "recipe.yaml").is_file() and not list(path.glob("tokenizer*.json")):
            raise ArchspecError(
                f"{path}: not a run directory (no recipe.yaml or tokenizer in it); give a run "
                "directory written by `archspec train`, or a .ckpt file inside one"
            )
        ckpt = path / "checkpoints" / f"{which}.ckpt"
        if not ckpt.is_file():
            other = path / "checkpoints" / ("last.ckpt" if which == "best" else "best.ckpt")
            hint = f" (there is {other.name}: use --checkpoint {other.stem})"
            hint = hint if other.is_file() else ""
            raise ArchspecError(f"{path}: no checkpoint {ckpt}{hint}")
        return ckpt, path
    if not path.exists():
        raise ArchspecError(f"{path}: no such run directory or checkpoint")
    for folder in (path.parent, path.parent.parent):
        if list(folder.glob("tokenizer*.json")):
            return path, folder
    raise ArchspecError(
        f"{path}: no tokenizer beside this checkpoint (looked in {path.parent} and "
        f"{path.parent.parent}); use the checkpoint inside its run directory"
    )


def read_checkpoint(ckpt: Path, device: str = "cpu", mmap: bool = False) -> dict[str, Any]:
    """The checkpoint's dict, checked to be one archspec wrote.

    Read with weights_only=True, so a checkpoint holding anything but tensors and plain data is
    refused (unpickling it could run code); truncated, random or empty files are refused with a
    message that says so.  `mmap` maps the tensors instead of reading them (a cheap look at
    the metadata before a resume)."""
    import pickle
    import warnings

    import torch

    if not ckpt.is_file():
        raise ArchspecError(f"{ckpt}: no such checkpoint file")
    if ckpt.stat().st_size == 0:
        raise ArchspecError(f"{ckpt}: the checkpoint file is empty (an interrupted write?)")
    if not _is_zip(ckpt):
        raise ArchspecError(
            f"{ckpt}: not a checkpoint written by `archspec train` (not a PyTorch zip archive)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            state = torch.load(ckpt, map_location=device, weights_only=True, mmap=mmap)
    except pickle.UnpicklingError:
        raise ArchspecError(
            f"{ckpt}: refused: the checkpoint holds objects other than tensors and plain data, "
            "so loading it could run code; archspec checkpoints never do. Use a checkpoint "
            "written by `archspec train`"
        ) from None
    except (RuntimeError, OSError, ValueError, EOFError) as err:
        text = str(err)
        if "central directory" in text or "failed reading" in text or isinstance(err, EOFError):
            raise ArchspecError(
                f"{ckpt}: the checkpoint file is truncated or corrupt (an interrupted copy or "
                "write?); use another checkpoint, e.g. --checkpoint last or best"
            ) from None
        first = text.strip().splitlines()[0][:200] if text.strip() else type(err).__name__
        raise ArchspecError(f"{ckpt}: cannot read this checkpoint ({first})") from None
    if not isinstance(state, dict):
        raise ArchspecError(f"{ckpt}: not a checkpoint written by `archspec train`")
    hparams = state.get("hyper_parameters") if isinstance(state, dict) else None
    if not isinstance(hparams, dict) or not isinstance(hparams.get("recipe"), dict):
        raise ArchspecError(
            f"{ckpt}: no recipe in the checkpoint's hyper_parameters (not written by "
            "`archspec train`?)"
        )
    if not isinstance(state.get("state_dict"), dict):
        raise ArchspecError(f"{ckpt}: the checkpoint holds no weights (state_dict)")
    return state


def _is_zip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"PK\x03\x04"


def load_run(
    path: str | Path,
    checkpoint: Which = "best",
    device: str = "cpu",
    tokenizer: str | Path | None = None,
) -> LoadedRun:
    """Load a run directory or checkpoint (or a Hugging Face model folder, with its
    tokenizer.json or the `tokenizer` file named): the model in eval mode, recipe and
    tokenizers, on `device` (`cpu`, `cuda`, `cuda:N`, `mps`, or `auto`: a GPU when there is
    one)."""
    from pydantic import ValidationError

    from archspec.data import tokenizers as tk
    from archspec.devices import resolve_device
    from archspec.spec.objective import objective_impl

    if is_model_folder(path):
        from archspec.interop.hf.loaded import load_folder

        return load_folder(Path(path), resolve_device(device), tokenizer)
    if tokenizer is not None:
        raise ArchspecError(
            f"--tokenizer {tokenizer}: a run uses the tokenizer it trained with (in {path}); "
            "--tokenizer names one for a Hugging Face model folder"
        )
    ckpt, run_dir = find_checkpoint(Path(path), checkpoint)
    device = resolve_device(device)
    state = read_checkpoint(ckpt, device)
    hparams = state["hyper_parameters"]
    try:
        recipe = Recipe.model_validate(hparams["recipe"])
    except ValidationError as err:
        raise ArchspecError(
            f"{ckpt}: the recipe stored in the checkpoint is not valid for this version of "
            f"archspec ({err.error_count()} problems, first: {err.errors()[0]['msg']})"
        ) from None
    module_class = objective_impl(recipe.objective).module_class()  # validation filled it in
    module = module_class(hparams["recipe"], hparams.get("data") or {})
    try:
        module.load_state_dict(state["state_dict"])
    except RuntimeError as err:
        first = str(err).strip().splitlines()[0]
        raise ArchspecError(f"{ckpt}: the weights do not fit the stored recipe ({first})") from None
    module.to(device).eval()
    expected = tk.expected_kind(recipe.data.tokenizer if recipe.data else None)
    pair = [run_dir / "tokenizer-source.json", run_dir / "tokenizer-target.json"]
    if all(p.is_file() for p in pair):
        src, tgt = (tk.load_tokenizer(p, expected) for p in pair)
    elif (run_dir / "tokenizer.json").is_file():
        src = tgt = tk.load_tokenizer(run_dir / "tokenizer.json", expected)
    else:
        raise ArchspecError(f"{run_dir}: no tokenizer.json (or tokenizer-source/-target.json)")
    specials = tk.specials_of(recipe.data.tokenizer if recipe.data else None, src)
    return LoadedRun(module, recipe, ckpt, run_dir, src, tgt, specials)
