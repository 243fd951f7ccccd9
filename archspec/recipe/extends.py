"""`extends:` - one recipe changes another.

The parent is a path relative to the file that names it, or the name of a shipped recipe such
as `paper/base` (looked up under the repository's recipes/ directory; `.yaml` optional).
Parents resolve first; the child deep-merges on top (see merge.py).  A cycle is refused with
the whole chain, and a name that matches nothing gets the closest shipped names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archspec.recipe.errors import RecipeError, closest, describe
from archspec.recipe.merge import merge
from archspec.recipe.schema import Slot
from archspec.recipe.source import SourceMap, display_path
from archspec.recipe.yamlio import read_yaml_file

RECIPES_DIR = Path(__file__).resolve().parents[2] / "recipes"
"""The recipes that ship with archspec (a checkout's recipes/ directory)."""

SUFFIXES = (".yaml", ".yml")


def shipped_recipes() -> dict[str, Path]:
    """Shipped recipe name ('paper/base') -> file."""
    if not RECIPES_DIR.is_dir():
        return {}
    files = sorted(p for s in SUFFIXES for p in RECIPES_DIR.rglob(f"*{s}"))
    files = [p for p in files if "sweeps" not in p.relative_to(RECIPES_DIR).parts]  # sweep files
    return {p.relative_to(RECIPES_DIR).with_suffix("").as_posix(): p for p in files}


def find_recipe(ref: str, here: Path) -> Path | None:
    """The file `ref` names, seen from directory `here`: relative path first, then shipped name."""
    names = [ref] if ref.endswith(SUFFIXES) else [ref, *(ref + s for s in SUFFIXES)]
    for folder in (here, RECIPES_DIR):
        for name in names:
            candidate = folder / name
            if candidate.is_file():
                return candidate
    return None


def read_recipe_file(
    path: Path, slot: Slot | None, notes: list[str], chain: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], SourceMap]:
    """Read a recipe file and everything it extends: (merged data without `extends`, locations)."""
    data, sources = read_yaml_file(path)
    if not isinstance(data, dict):
        raise RecipeError.at(
            sources.origin,
            f"a recipe is a mapping of sections (model:, ...), found {describe(data)}",
        )
    return resolve_extends(data, sources, path.parent, slot, notes, (*chain, path.resolve()))


def resolve_extends(
    data: dict[str, Any],
    sources: SourceMap,
    here: Path,
    slot: Slot | None,
    notes: list[str],
    chain: tuple[Path, ...] = (),
) -> tuple[dict[str, Any], SourceMap]:
    """Merge `data` on top of the recipe its `extends:` names (recursively), parent first."""
    if "extends" not in data:
        return data, sources
    ref = data["extends"]
    data = {k: v for k, v in data.items() if k != "extends"}
    where = sources.value(("extends",))
    sources = sources.copy()
    sources.drop(("extends",))
    if ref is None:
        return data, sources
    if not isinstance(ref, str) or not ref.strip():
        raise RecipeError.at(
            where, f"extends: expected a recipe path or shipped name, found {describe(ref)}"
        )
    parent = find_recipe(ref, here)
    if parent is None:
        raise RecipeError.at(where, f"extends: {_not_found(ref, here)}")
    if parent.resolve() in chain:
        loop = [display_path(p) for p in (*chain, parent.resolve())]
        raise RecipeError.at(where, "extends: cycle " + " -> ".join(loop))
    base, base_sources = read_recipe_file(parent, slot, notes, chain)
    return merge(base, data, base_sources, sources, slot, notes)


def _not_found(ref: str, here: Path) -> str:
    shipped = list(shipped_recipes())
    nearby = sorted(p.name for s in SUFFIXES for p in here.glob(f"*{s}")) if here.is_dir() else []
    guesses = closest(ref, [*nearby, *shipped], n=3, cutoff=0.5)
    hint = f" (did you mean {' or '.join(repr(g) for g in guesses)}?)" if guesses else ""
    listing = f"; shipped recipes: {', '.join(shipped)}" if shipped and not guesses else ""
    return (
        f"'{ref}' is neither a file next to {display_path(here) or '.'}/ "
        f"nor a shipped recipe{hint}{listing}"
    )
