"""The one registry of recipe choices: every component is found here, by group and kind.

A *component* is one choice of the recipe language (a positional scheme, a norm, an objective,
a data source, ...). Its module declares, together, the torch-free spec class (what `validate`,
`diff` and the JSON Schema see) and an implementation object holding the group's hooks
(builder, cost model, decoding and picture hooks, ...; which hooks a group has is that group's
protocol, written in archspec/components/<group>/__init__.py). Torch is imported only inside
the hooks, so registering a component imports no torch.

Consumers never match on a kind again: they ask `impl_of(spec)` (or `impl(group, kind)`) for
the component and call its hooks. Spec modules build their discriminated unions from
`union(group)` once every component, built-in or from an installed plugin, is registered.

Installed packages add components through the entry-point group `archspec.components`: each
entry point names a module (or a callable) that calls `register` when loaded. A recipe never
names code: it names a kind, and only registered kinds validate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union, cast

from pydantic import Field

if TYPE_CHECKING:  # importing archspec.spec here would build its unions before registration
    from archspec.spec.base import Spec

ENTRY_POINT_GROUP = "archspec.components"
"""Entry-point group through which installed packages register components."""

GROUPS: tuple[str, ...] = (
    "positional",
    "norm",
    "ffn",
    "attention",
    "mask",
    "objective",
    "source",
    "tokenizer",
    "schedule",
)
"""Every group of choices. A group's protocol lives in archspec/components/<group>/."""

T = TypeVar("T")


@dataclass(frozen=True)
class Entry:
    """One registered component: its group, its kind, its spec class, its implementation."""

    group: str
    kind: str
    spec: type[Spec]
    impl: Any
    origin: str
    """'archspec' for built-in components, else the distribution that registered it."""


_entries: dict[str, dict[str, Entry]] = {g: {} for g in GROUPS}
_by_spec: dict[type[Spec], Entry] = {}


class RegistryError(Exception):
    """A component registered twice, in an unknown group, or without a `kind` literal."""


def _kind_of(spec: type[Spec]) -> str:
    field = spec.model_fields.get("kind")
    if field is None or not isinstance(field.default, str):
        raise RegistryError(f"{spec.__name__} needs a field `kind: Literal[...] = '...'`")
    return field.default


def register(group: str, spec: type[Spec], impl: Any, *, origin: str = "archspec") -> None:
    """Add a component; its kind is the default of the spec class's `kind` field."""
    if group not in _entries:
        raise RegistryError(f"unknown component group {group!r}; groups: {', '.join(GROUPS)}")
    kind = _kind_of(spec)
    old = _entries[group].get(kind)
    if old is not None and old.spec is not spec:
        raise RegistryError(
            f"{group} kind {kind!r} is registered twice ({old.origin} and {origin})"
        )
    entry = Entry(group, kind, spec, impl, origin)
    _entries[group][kind] = entry
    _by_spec[spec] = entry


def kinds(group: str) -> tuple[str, ...]:
    """The kinds of a group, in registration order (built-ins first)."""
    return tuple(_entries[group])


def specs(group: str) -> tuple[type[Spec], ...]:
    """The spec classes of a group, in registration order."""
    return tuple(e.spec for e in _entries[group].values())


def entry(group: str, kind: str) -> Entry:
    """The registered component of a group and kind (KeyError names the known kinds)."""
    try:
        return _entries[group][kind]
    except KeyError:
        known = ", ".join(_entries.get(group, {})) or "none"
        raise KeyError(f"no {group} component {kind!r} (registered: {known})") from None


def impl(group: str, kind: str) -> Any:
    """The implementation object of a component."""
    return entry(group, kind).impl


def impl_of(spec: Spec, expected: type[T] | None = None) -> T:
    """The implementation registered for a validated spec instance."""
    found = _by_spec.get(type(spec))
    if found is None:
        raise KeyError(f"{type(spec).__name__} is not a registered component spec")
    return cast(T, found.impl)


def union(group: str) -> Any:
    """A pydantic discriminated union (on `kind`) of every spec class of a group."""
    members = specs(group)
    if not members:
        raise RegistryError(f"no components registered in group {group!r}")
    if len(members) == 1:
        return Annotated[members[0], Field(discriminator="kind")]
    return Annotated[Union[members], Field(discriminator="kind")]  # noqa: UP007


_plugins_loaded = False


def load_plugins(loader: Callable[[], Any] | None = None) -> list[str]:
    """Import every installed `archspec.components` entry point once; returns their names.

    An entry point's object is a module that registers on import, or a callable taking no
    arguments that registers when called. A plugin that fails to load raises: a silently
    missing kind would only surface later as a confusing validation error.
    """
    global _plugins_loaded
    if _plugins_loaded:
        return []
    _plugins_loaded = True
    names: list[str] = []
    eps = loader() if loader is not None else metadata.entry_points(group=ENTRY_POINT_GROUP)
    for ep in eps:
        obj = ep.load()
        if callable(obj) and not isinstance(obj, type):
            obj()
        names.append(ep.name)
    return names
