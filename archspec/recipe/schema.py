"""Reading the Pydantic models as a map of a document: which keys and kinds may stand where.

The loader needs this in three places: merging (a changed `kind` drops the keys the new kind
does not accept), overrides (`--set a.b=v` must name a real setting, even one absent from the
file such as model.d_k) and error messages (pydantic puts union tags such as 'encoder-decoder'
into its error locations; we strip them so the dotted path is what the user wrote).
"""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from archspec.recipe.source import DocPath


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _strip(tp: Any) -> tuple[Any, str | None]:
    """Annotated[X, Field(discriminator='kind')] -> (X, 'kind')."""
    disc = None
    while get_origin(tp) is Annotated:
        tp, *meta = get_args(tp)
        for m in meta:
            if isinstance(m, FieldInfo) and isinstance(m.discriminator, str):
                disc = m.discriminator
    return tp, disc


@dataclass(frozen=True)
class Slot:
    """What may stand at one place of a document: a model, a union of models, a scalar, a list."""

    annotation: Any
    field: FieldInfo | None = None

    @cached_property
    def _parts(self) -> tuple[tuple[Any, ...], str | None]:
        tp, disc = _strip(self.annotation)
        if self.field is not None and isinstance(self.field.discriminator, str):
            disc = self.field.discriminator
        if get_origin(tp) in (Union, types.UnionType):
            members = []
            pending = list(get_args(tp))
            while pending:  # flatten Optional[Annotated[A | B, discriminator]] too
                arg, inner = _strip(pending.pop(0))
                disc = disc or inner
                if get_origin(arg) in (Union, types.UnionType):
                    pending[:0] = get_args(arg)
                elif arg is not type(None):
                    members.append(arg)
            return tuple(members), disc
        return (tp,), disc

    @property
    def members(self) -> tuple[Any, ...]:
        """The alternatives, without None and without Annotated wrappers."""
        return self._parts[0]

    @property
    def discriminator(self) -> str | None:
        return self._parts[1] if len(self.models) > 1 else None

    @cached_property
    def models(self) -> dict[str, type[BaseModel]]:
        """Model alternatives by tag: the `kind` value when tagged, else the class name."""
        disc = self._parts[1]
        out: dict[str, type[BaseModel]] = {}
        for m in self.members:
            if not _is_model(m):
                continue
            tags = choices(m.model_fields[disc].annotation) if disc in m.model_fields else []
            for tag in tags or [m.__name__]:
                out[str(tag)] = m
        return out

    @property
    def is_union(self) -> bool:
        """True when pydantic names the chosen alternative inside its error locations."""
        return len(self.members) > 1

    @property
    def container(self) -> Any:
        """list or dict when this slot holds one (a single non-model alternative), else None."""
        if len(self.members) == 1 and get_origin(self.members[0]) in (list, dict):
            return get_origin(self.members[0])
        return None

    def item(self) -> Slot:
        """The slot of a list element or a dict value."""
        return Slot(get_args(self.members[0])[-1] if get_args(self.members[0]) else Any)

    def default_kind(self) -> str | None:
        """The kind of this slot's default (e.g. sinusoidal for model.positional), if any."""
        default = self.field.default if self.field is not None else None
        disc = self._parts[1]
        return getattr(default, disc, None) if disc and isinstance(default, BaseModel) else None

    def pick(self, value: Any) -> type[BaseModel] | None:
        """The model class a mapping `value` standing here is validated as (None: not a model)."""
        models = self.models
        if not models:
            return None
        if len(models) == 1 and not self.is_union:
            return next(iter(models.values()))
        disc = self._parts[1]
        if disc:
            kind = value.get(disc) if isinstance(value, dict) else None
            kind = kind if kind is not None else self.default_kind()
            return models.get(str(kind)) if kind is not None else None
        return next(iter(models.values())) if isinstance(value, dict) else None

    def tag_of(self, model: type[BaseModel]) -> str:
        return next((t for t, m in self.models.items() if m is model), model.__name__)

    def child(self, key: Any, value: Any) -> Slot | None:
        """The slot of `key` inside the `value` standing here; None if this slot has no such key."""
        if self.container is not None:
            return self.item()
        model = self.pick(value)
        if model is None or key not in model.model_fields:
            return None
        return field_slot(model, key)


def field_slot(model: type[BaseModel], name: str) -> Slot:
    field = model.model_fields[name]
    return Slot(field.annotation, field)


def root_slot(model: type[BaseModel]) -> Slot:
    return Slot(model)


def choices(annotation: Any) -> list[Any]:
    """The allowed values of a Literal annotation (also inside Optional/Annotated); else []."""
    tp, _ = _strip(annotation)
    if get_origin(tp) is Literal:
        return list(get_args(tp))
    if get_origin(tp) in (Union, types.UnionType):
        return [c for arg in get_args(tp) for c in choices(arg)]
    return []


@dataclass
class Step:
    """One element of a cleaned error location, with the model that owns it."""

    key: Any
    owner: type[BaseModel] | None  # the model whose field `key` is (or should have been)
    union: Slot | None  # the union `owner` was picked from, when it was one
    slot: Slot | None  # what stands at the key (None: not a known field)


@dataclass
class CleanLoc:
    """A pydantic error location with union tags removed."""

    path: DocPath
    steps: list[Step]
    slot: Slot | None  # what stands at the end of the path
    member: str | None = None  # the plain-union alternative the error is about ('int')
    union_path: DocPath | None = None  # where that plain (untagged) union stands
    member_is_model: bool = False

    @property
    def smart(self) -> bool:
        """True when the error comes from one alternative of a plain union (int | VocabPair)."""
        return self.union_path is not None


def clean_loc(model: type[BaseModel], loc: tuple[Any, ...]) -> CleanLoc:
    """Strip union tags from `loc`: ('model', 'encoder', 'heads') -> ('model', 'heads')."""
    slot: Slot | None = root_slot(model)
    owner_union: Slot | None = None
    out = CleanLoc((), [], slot)
    path: list[Any] = []
    i = 0
    while i < len(loc):
        elem = loc[i]
        if slot is not None and slot.is_union:  # the element names the alternative
            picked = slot.models.get(str(elem))
            if slot.discriminator is None:
                out.member, out.union_path = str(elem), tuple(path)
                out.member_is_model = picked is not None
            owner_union, slot = slot, (Slot(picked) if picked is not None else None)
            i += 1
            continue
        owner = slot.pick({}) if slot is not None and slot.container is None else None
        if slot is not None and slot.container is not None:
            nxt: Slot | None = slot.item()
        elif owner is not None and elem in owner.model_fields:
            nxt = field_slot(owner, elem)
        else:
            nxt = None
        out.steps.append(Step(elem, owner, owner_union, nxt))
        path.append(elem)
        slot, owner_union = nxt, None
        i += 1
    out.path, out.slot = tuple(path), slot
    return out


def known_paths(model: type[BaseModel], data: Any) -> Iterator[DocPath]:
    """Every settable dotted path, for the kinds `data` selects (defaults where it says none)."""
    yield from _paths(root_slot(model), data, ())


def _paths(slot: Slot, value: Any, prefix: DocPath) -> Iterator[DocPath]:
    if slot.container is dict and isinstance(value, dict):
        for key, item in value.items():
            yield (*prefix, key)
            yield from _paths(slot.item(), item, (*prefix, key))
        return
    if slot.container is list and isinstance(value, list):
        for i, item in enumerate(value):
            yield (*prefix, i)
            yield from _paths(slot.item(), item, (*prefix, i))
        return
    model = slot.pick(value)
    candidates = [model] if model is not None else list(dict.fromkeys(slot.models.values()))
    seen: set[str] = set()
    for m in candidates:
        for name in m.model_fields:
            if name in seen:
                continue
            seen.add(name)
            sub = value.get(name) if isinstance(value, dict) else None
            yield (*prefix, name)
            yield from _paths(field_slot(m, name), sub, (*prefix, name))


def lacks(union: Slot, model: type[BaseModel], key: Any) -> str | None:
    """Why `key` is wrong for this kind, when another kind of the same union has it.

    'encoder-only models have no decoder (it belongs to kind encoder-decoder, decoder)';
    None when no alternative has `key` (then it is a plain unknown key).
    """
    others = [t for t, m in union.models.items() if m is not model and key in m.model_fields]
    if not others or key in model.model_fields:
        return None
    noun = getattr(model, "noun", None)
    head = f"{noun} have no {key}" if noun else f"kind '{union.tag_of(model)}' has no {key}"
    return f"{head} (it belongs to kind {', '.join(others)})"
