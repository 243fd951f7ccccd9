"""A Hugging Face folder's tokenizer as a recipe's `data.tokenizer: {kind: file, ...}`.

The special ids come from the folder's own files, later ones winning:

    special_tokens_map.json, tokenizer_config.json   token names (pad_token, bos_token, ...)
    config.json, generation_config.json              ids (pad/bos/eos/decoder_start_token_id)

so that the recipe says what the model was trained and generates with (T5: pad 0, eos 1,
decoder start 0; GPT-2: bos = eos = <|endoftext|>, no pad). A list of eos ids (LLaMA 3) gives
its first. Torch-free.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from archspec.components.tokenizer.file import ROLES

TOKEN_KEYS = {role: f"{role}_token" for role in ROLES if role != "decoder_start"}
"""tokenizer_config.json / special_tokens_map.json key of each role."""

ID_KEYS = {role: f"{role}_token_id" for role in ("pad", "bos", "eos", "decoder_start")}
"""config.json / generation_config.json key of each role."""


def folder_specials(folder: Path) -> dict[str, int | str]:
    """role -> token name or id, as the folder's files give them (roles they omit left out)."""
    found: dict[str, int | str] = {}
    for name in ("special_tokens_map.json", "tokenizer_config.json"):
        settings = _json(folder / name)
        for role, key in TOKEN_KEYS.items():
            value = settings.get(key)
            value = value.get("content") if isinstance(value, dict) else value
            if isinstance(value, str) and value:
                found[role] = value
    for name in ("config.json", "generation_config.json"):
        settings = _json(folder / name)
        for role, key in ID_KEYS.items():
            value = settings.get(key)
            value = value[0] if isinstance(value, list) and value else value
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                found[role] = value
    return found


def tokenizer_section(folder: Path, tokenizer: Path) -> dict[str, Any]:
    """`data.tokenizer` naming `tokenizer` (an absolute path) with the folder's special ids."""
    return {"kind": "file", "path": str(tokenizer.resolve()), **folder_specials(folder)}


def _json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
