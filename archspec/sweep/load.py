"""Sweep file -> validated SweepSpec plus its base recipe, both with file locations.

The sweep file is read like a recipe (every key and value keeps its file, line and column),
validated against SweepSpec with the recipe error renderer, and its `base:` resolved into a
recipe document (a file, a shipped name, or an inline recipe that may `extends:` one).

`--set PATH=VALUE` on the sweep command means one of two things, told apart by the first key:
a sweep setting (`seeds=3`, `shrink.factor=16`) changes the sweep file; a recipe setting
(`trainer.max_steps=200`, `model.dropout.residual=0`) changes every variant, last.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archspec.recipe.errors import RecipeError, closest, describe
from archspec.recipe.extends import RECIPES_DIR, find_recipe, read_recipe_file, resolve_extends
from archspec.recipe.loader import validate_document
from archspec.recipe.overrides import apply_overrides, parse_override
from archspec.recipe.schema import root_slot
from archspec.recipe.source import DocPath, Location, SourceMap, display_path
from archspec.recipe.yamlio import read_yaml_file
from archspec.spec import Recipe
from archspec.sweep.spec import SweepSpec

SWEEPS_DIR = RECIPES_DIR / "sweeps"
"""Shipped sweep files (`archspec sweep table3` finds recipes/sweeps/table3.yaml)."""


@dataclass
class SweepFile:
    """A validated sweep file and everything expansion needs from it."""

    path: Path
    spec: SweepSpec
    sources: SourceMap
    """Locations of the sweep file's keys and values (and of sweep `--set`s)."""
    base: dict[str, Any]
    """The base recipe document after `extends:` (not validated yet)."""
    base_sources: SourceMap
    recipe_dir: Path
    """Where relative data paths of the base are also looked up (beside the base recipe)."""
    recipe_sets: list[str] = field(default_factory=list)
    """Command-line `--set`s that change every variant."""
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.spec.name or self.path.stem


def find_sweep(ref: str | Path) -> Path:
    """A sweep file path, or the name of a shipped sweep ('table3')."""
    path = Path(ref)
    if path.is_file():
        return path
    for candidate in (SWEEPS_DIR / f"{ref}", SWEEPS_DIR / f"{ref}.yaml"):
        if candidate.is_file():
            return candidate
    shipped = sorted(p.stem for p in SWEEPS_DIR.glob("*.yaml")) if SWEEPS_DIR.is_dir() else []
    near = closest(str(ref), shipped)
    hint = f" (did you mean '{near[0]}'?)" if near else ""
    listing = f"; shipped sweeps: {', '.join(shipped)}" if shipped and not near else ""
    raise RecipeError.at(str(ref), f"no such sweep file{hint}{listing}")


def split_sets(sets: list[str]) -> tuple[list[str], list[str]]:
    """(sweep settings, recipe settings), by the first key of each `--set` path."""
    sweep_keys, recipe_keys = set(SweepSpec.model_fields), set(Recipe.model_fields) - {"extends"}
    ours, theirs = [], []
    for text in sets:
        path, _ = parse_override(text)
        if path[0] in sweep_keys:
            ours.append(text)
        elif path[0] in recipe_keys:
            theirs.append(text)
        else:
            near = closest(str(path[0]), sorted(sweep_keys | recipe_keys), n=3, cutoff=0.5)
            hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
            raise RecipeError.at(
                Location(f"--set {text}"),
                f"'{path[0]}' is neither a sweep setting ({', '.join(SweepSpec.model_fields)}) "
                f"nor a recipe section (model, data, objective, optimizer, schedule, trainer)"
                f"{hint}",
            )
    return ours, theirs


def load_sweep(ref: str | Path, sets: list[str] | None = None) -> SweepFile:
    """Read and validate a sweep file; resolve its base recipe (not validated: expansion
    validates each variant)."""
    path = find_sweep(ref)
    sweep_sets, recipe_sets = split_sets(list(sets or []))
    data, sources = read_yaml_file(path)
    if not isinstance(data, dict):
        raise RecipeError.at(
            sources.origin,
            f"a sweep file is a mapping (base:, cases:, ...), found {describe(data)}",
        )
    notes: list[str] = []
    data, sources = apply_overrides(data, sources, sweep_sets, SweepSpec, notes)
    spec = validate_document(SweepSpec, data, sources)
    base, base_sources, recipe_dir = _resolve_base(data["base"], sources, path, notes)
    return SweepFile(path, spec, sources, base, base_sources, recipe_dir, recipe_sets, notes)


def _resolve_base(
    base: Any, sources: SourceMap, path: Path, notes: list[str]
) -> tuple[dict[str, Any], SourceMap, Path]:
    slot = root_slot(Recipe)
    if isinstance(base, str):
        found = find_recipe(base, path.parent)
        if found is None:
            shipped = [p.relative_to(RECIPES_DIR).with_suffix("").as_posix() for p in _recipes()]
            near = closest(base, shipped, n=3, cutoff=0.5)
            hint = f" (did you mean {' or '.join(repr(n) for n in near)}?)" if near else ""
            raise RecipeError.at(
                sources.value(("base",)),
                f"base: '{base}' is neither a recipe file next to {display_path(path.parent)}/ "
                f"nor a shipped recipe{hint}",
            )
        data, base_sources = read_recipe_file(found, slot, notes)
        return data, base_sources, found.parent
    inline = sub_sources(sources, ("base",))
    data, base_sources = resolve_extends(
        dict(base), inline, path.parent, slot, notes, (path.resolve(),)
    )
    return data, base_sources, path.parent


def _recipes() -> list[Path]:
    return sorted(p for p in RECIPES_DIR.rglob("*.yaml") if "sweeps" not in p.parts)


def sub_sources(sources: SourceMap, prefix: DocPath) -> SourceMap:
    """The locations below `prefix`, re-rooted there (the inline base as its own document)."""
    n = len(prefix)
    out = SourceMap(sources.value(prefix))
    for mine, theirs in ((out.keys, sources.keys), (out.values, sources.values)):
        for p, loc in theirs.items():
            if p[:n] == prefix:
                mine[p[n:]] = loc
    return out
