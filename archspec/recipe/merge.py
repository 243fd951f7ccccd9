"""Deep merge of two located documents: the one rule `extends:` and `--set` share.

Mappings merge key by key; lists and scalars replace.  Each value keeps the location where it
was last set.  When the child changes a mapping's `kind` (e.g. model.kind encoder-decoder ->
decoder), the parent's keys that the new kind does not accept are dropped, and a note says so:
the rest (d_model, heads, ...) carries over, which is what switching kinds usually means.
"""

from __future__ import annotations

from typing import Any

from archspec.recipe.schema import Slot
from archspec.recipe.source import DocPath, SourceMap, dotted


def merge(
    base: Any,
    over: Any,
    base_sources: SourceMap,
    over_sources: SourceMap,
    slot: Slot | None = None,
    notes: list[str] | None = None,
) -> tuple[Any, SourceMap]:
    """`over` on top of `base`; `slot` (the schema at the root) enables kind switching.

    Returns the merged data and its locations; neither input is modified.  Notes about keys
    dropped by a kind switch are appended to `notes`.
    """
    sources = base_sources.copy()
    sources.origin = over_sources.origin
    sources.values[()] = over_sources.values.get((), sources.origin)
    if not (isinstance(base, dict) and isinstance(over, dict)):
        sources.drop(())
        sources.take(over_sources, ())
        return over, sources
    merger = _Merger(sources, over_sources, notes if notes is not None else [])
    return merger.mapping(base, over, (), slot), sources


class _Merger:
    def __init__(self, sources: SourceMap, over_sources: SourceMap, notes: list[str]) -> None:
        self.sources, self.over_sources, self.notes = sources, over_sources, notes

    def mapping(self, base: dict, over: dict, path: DocPath, slot: Slot | None) -> dict:
        out = dict(base)
        if slot is not None:
            self._switch_kind(out, over, path, slot)
        for key, value in over.items():
            here = (*path, key)
            if isinstance(value, dict) and isinstance(out.get(key), dict):
                child = slot.child(key, {**out, **over}) if slot is not None else None
                out[key] = self.mapping(out[key], value, here, child)
                for table, theirs in (
                    (self.sources.keys, self.over_sources.keys),
                    (self.sources.values, self.over_sources.values),
                ):
                    if here in theirs:
                        table[here] = theirs[here]
            else:
                out[key] = value
                self.sources.drop(here)
                self.sources.take(self.over_sources, here)
        return out

    def _switch_kind(self, out: dict, over: dict, path: DocPath, slot: Slot) -> None:
        disc = slot.discriminator
        if disc is None or disc not in over or out.get(disc, over[disc]) == over[disc]:
            return
        old, new = out[disc], over[disc]
        model = slot.models.get(str(new))
        if model is None:  # an unknown kind: validation reports it, with the choices
            return
        for key in [k for k in out if k not in model.model_fields and k not in over]:
            where = self.sources.key((*path, key))
            self.notes.append(
                f"{self.over_sources.value((*path, disc))}: {dotted((*path, disc))} changes "
                f"'{old}' -> '{new}': dropping {dotted((*path, key))} (set at {where}), "
                f"which kind '{new}' does not have"
            )
            del out[key]
            self.sources.drop((*path, key))
