"""file: a tokenizer.json the recipe names (a published model's), used as it is.

Nothing is trained. The special ids are the file's: each role (pad, unk, bos, eos, mask,
decoder_start) is the recipe's override when it gives one (a token of the file, or an id),
else the first of the role's usual token names the file holds (GPT-2: <|endoftext|> for bos
and eos, no pad; BERT: [PAD] [UNK] [CLS] [SEP] [MASK]; T5: <pad> </s> <unk>). An imported
Hugging Face folder writes the ids its config.json, generation_config.json,
tokenizer_config.json and special_tokens_map.json give (archspec.interop.hf.specials), so the
file's guesses matter only for a tokenizer.json named by hand. What the file's post-processor
puts around a text (BERT's [CLS] x [SEP], LLaMA's <s> x) is the Specials' template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from archspec.components.registry import register
from archspec.components.tokenizer.base import Specials, TokenizerImpl
from archspec.errors import ArchspecError
from archspec.spec.base import Spec

ROLES = ("pad", "unk", "bos", "eos", "mask", "decoder_start")
"""The special roles, in the order of the spec's fields."""

USUAL = {
    "pad": ("<pad>", "[PAD]", "<|pad|>"),
    "unk": ("<unk>", "[UNK]"),
    "bos": ("<s>", "<bos>", "[CLS]", "<|begin_of_text|>", "<|endoftext|>"),
    "eos": ("</s>", "<eos>", "[SEP]", "<|end_of_text|>", "<|endoftext|>"),
    "mask": ("<mask>", "[MASK]"),
}
"""Token names each role usually has, tried in order when the recipe names none."""

PROBE = "a"
"""A text encoded with and without special tokens to read the file's template."""


class FileTokenizer(Spec):
    """A tokenizer.json the recipe names (e.g. an imported Hugging Face model's), used as it is
    (nothing is trained); its special tokens are the file's unless overridden here."""

    kind: Literal["file"] = "file"
    path: str
    """The tokenizer.json. A relative path is looked up in the current directory, then beside
    the recipe file."""
    pad: int | str | None = None
    """Padding token (a token of the file or its id; default: <pad>/[PAD], else eos)."""
    unk: int | str | None = None
    """Unknown-text token (default: <unk>/[UNK] when the file has one)."""
    bos: int | str | None = None
    """Start-of-text token (default: <s>/[CLS]/<|endoftext|>...)."""
    eos: int | str | None = None
    """End-of-text token: generation stops there (default: </s>/[SEP]/<|endoftext|>...)."""
    mask: int | str | None = None
    """Masked-LM's mask token (default: <mask>/[MASK])."""
    decoder_start: int | str | None = None
    """The first decoder input of an encoder-decoder (default: bos; T5's is pad)."""


class File(TokenizerImpl):
    unit = "tokens"
    trained = False

    def saved_kind(self, spec: Any) -> str | None:
        return None  # whatever the file is

    def given(self, spec: Any, recipe_dir: Path | None) -> Any:
        from archspec.data.readers import resolve_path

        return read_file(resolve_path(spec.path, "data.tokenizer.path", recipe_dir))

    def specials(self, spec: Any, tok: Any) -> Specials:
        pad, unk, bos, eos, mask, start = (_role(spec, tok, role) for role in ROLES)
        return Specials(
            pad=pad if pad is not None else eos if eos is not None else 0,
            unk=unk,
            bos=bos,
            eos=eos,
            mask=mask,
            decoder_start=start if start is not None else bos,
            template=template(tok),
            skip_special=True,
        )


def read_file(path: Path) -> Any:
    """A tokenizers.Tokenizer from a tokenizer.json, or an error naming the file."""
    from tokenizers import Tokenizer

    try:
        return Tokenizer.from_file(str(path))
    except Exception as err:  # tokenizers raises plain Exception on a bad file
        first = str(err).strip().splitlines()[0][:200] if str(err).strip() else "unreadable"
        raise ArchspecError(f"{path}: not a tokenizer.json ({first})") from None


def _role(spec: Any, tok: Any, role: str) -> int | None:
    given = getattr(spec, role)
    size = tok.get_vocab_size()
    if isinstance(given, int):
        if not 0 <= given < size:
            raise ArchspecError(
                f"data.tokenizer.{role}: id {given} is not in {spec.path} (ids 0..{size - 1})"
            )
        return given
    if isinstance(given, str):
        found = tok.token_to_id(given)
        if found is None:
            raise ArchspecError(f"data.tokenizer.{role}: {given!r} is not a token of {spec.path}")
        return int(found)
    usual = (tok.token_to_id(name) for name in USUAL.get(role, ()))
    return next((int(i) for i in usual if i is not None), None)


def template(tok: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(ids before, ids after) that the file's post-processor puts around one text."""
    plain = tok.encode(PROBE, add_special_tokens=False).ids
    full = tok.encode(PROBE, add_special_tokens=True).ids
    n = len(plain)
    for i in range(len(full) - n + 1):
        if full[i : i + n] == plain:
            return tuple(full[:i]), tuple(full[i + n :])
    return (), ()


register("tokenizer", FileTokenizer, File())
