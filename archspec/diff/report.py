"""Everything `archspec diff` reports, computed once from two sides; renderers only format it.

Sections, in the order every format shows them: the changed fields (architecture, then training
and other settings), parameters per component, costs at one sequence length and batch, the
structural difference of the module trees, and final metrics when runs are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from archspec.analysis.flops import (
    TRAINING_FACTOR,
    forward_flops_per_token,
    recompute_flops_per_token,
    training_flops_per_token,
)
from archspec.analysis.memory import (
    activation_bytes,
    checkpointed_layers,
    checkpointing_saves_bytes,
    cross_kv_bytes_per_source_token,
    kv_cache_bytes_per_token,
)
from archspec.analysis.params import COMPONENTS, parameter_breakdown
from archspec.analysis.structure import parameter_manifest
from archspec.diff.fields import FieldChange, field_changes, recipe_fields, split
from archspec.diff.inputs import Side
from archspec.diff.tree import ModuleChange, structure_diff
from archspec.errors import ArchspecError

DEFAULT_BATCH = 32
"""Sequences per batch for the activation-memory estimate when --batch is not given."""


@dataclass(frozen=True)
class Pair:
    """One quantity on both sides (None where a side does not have it)."""

    a: float | int | None
    b: float | int | None

    @property
    def change(self) -> float | int | None:
        return None if self.a is None or self.b is None else self.b - self.a

    @property
    def relative(self) -> float | None:
        """(b - a) / a, or None when undefined (a missing or zero)."""
        return None if self.change is None or not self.a else self.change / self.a


@dataclass(frozen=True)
class Cost:
    """A row of the cost table: a stable key, how to show its numbers, its label, both values."""

    key: str
    unit: str
    """flop or byte: how renderers format the values."""
    label: str
    pair: Pair


@dataclass
class DiffReport:
    a: Side
    b: Side
    architecture: list[FieldChange]
    """Every model.* field (unchanged ones too: renderers hide them unless asked)."""
    training: list[FieldChange]
    """Every other field: training sections, description."""
    parameters: dict[str, Pair]
    """Per component of COMPONENTS (both sides zero are left out), then "total"."""
    seq_len: int
    batch: int
    costs: list[Cost]
    structure: list[ModuleChange]
    metrics: dict[str, Pair] | None
    """Final metrics (and the best checkpoint's) when at least one side is a run."""

    @property
    def architecture_changes(self) -> list[FieldChange]:
        return [c for c in self.architecture if c.status != "same"]

    @property
    def training_changes(self) -> list[FieldChange]:
        return [c for c in self.training if c.status != "same"]

    @property
    def same_architecture(self) -> bool:
        return not self.architecture_changes

    @property
    def identical(self) -> bool:
        return self.same_architecture and not self.training_changes

    @property
    def exit_code(self) -> int:
        """0 when the architectures are the same (training may differ), 1 otherwise."""
        return 0 if self.same_architecture else 1

    @property
    def verdict(self) -> str:
        n_arch, n_train = len(self.architecture_changes), len(self.training_changes)
        if self.identical:
            return "Identical: same architecture, same training settings."
        if self.same_architecture:
            verb = "differs" if n_train == 1 else "differ"
            return f"Same architecture; {_fields(n_train)} of training or other settings {verb}."
        other = f", {_fields(n_train)} of training or other settings" if n_train else ""
        return f"Architectures differ: {_fields(n_arch)} of the model{other}."


def _fields(n: int) -> str:
    return f"{n} field" if n == 1 else f"{n} fields"


def compare(
    a: Side, b: Side, *, seq_len: int | None = None, batch: int | None = None
) -> DiffReport:
    """The report of A against B, costs at `seq_len` (default: the shorter model.max_len) and
    `batch` sequences (default DEFAULT_BATCH)."""
    ma, mb = a.recipe.model, b.recipe.model
    if seq_len is None:
        seq_len = min(ma.max_len, mb.max_len)
    for side, name in ((a, "A"), (b, "B")):
        if seq_len > side.recipe.model.max_len:
            raise ArchspecError(
                f"--seq-len {seq_len} is longer than model.max_len {side.recipe.model.max_len} "
                f"of {name} ({side.label}); choose at most {min(ma.max_len, mb.max_len)}"
            )
    batch = DEFAULT_BATCH if batch is None else batch
    arch, training = split(field_changes(recipe_fields(a.recipe), recipe_fields(b.recipe)))
    return DiffReport(
        a=a,
        b=b,
        architecture=arch,
        training=training,
        parameters=_parameters(a, b),
        seq_len=seq_len,
        batch=batch,
        costs=_costs(a, b, seq_len, batch),
        structure=structure_diff(parameter_manifest(a.recipe), parameter_manifest(b.recipe)),
        metrics=_metrics(a.summary, b.summary),
    )


def _parameters(a: Side, b: Side) -> dict[str, Pair]:
    pa, pb = parameter_breakdown(a.recipe), parameter_breakdown(b.recipe)
    out = {c: Pair(pa[c], pb[c]) for c in COMPONENTS if pa[c] or pb[c]}
    out["total"] = Pair(sum(pa.values()), sum(pb.values()))
    return out


def _costs(a: Side, b: Side, seq_len: int, batch: int) -> list[Cost]:
    def both(fn: Any, *args: Any) -> Pair:
        return Pair(fn(a.recipe, *args), fn(b.recipe, *args))

    forward = both(forward_flops_per_token, seq_len)
    x = TRAINING_FACTOR
    train = both(training_flops_per_token, seq_len)
    checkpointing = bool(checkpointed_layers(a.recipe) or checkpointed_layers(b.recipe))
    costs = [
        Cost("forward_flops_per_token", "flop", "forward FLOPs per token", forward),
        Cost(
            "training_flops_per_token", "flop", f"training FLOPs per token ({x} × forward)", train
        ),
        Cost(
            "activation_bytes",
            "byte",
            f"activations, batch of {batch} × {seq_len}",
            both(activation_bytes, batch, seq_len),
        ),
    ]
    if checkpointing:  # trainer.activation_checkpointing on either side
        costs[1] = Cost(
            "training_flops_per_token",
            "flop",
            f"training FLOPs per token ({x} × forward + recomputed layers)",
            train,
        )
        label = "recomputed forward FLOPs per token (activation checkpointing)"
        recompute = both(recompute_flops_per_token, seq_len)
        costs.append(Cost("recompute_flops_per_token", "flop", label, recompute))
        saved = both(checkpointing_saves_bytes, batch, seq_len)
        label = f"activations saved by checkpointing, batch of {batch} × {seq_len}"
        costs.append(Cost("checkpointing_saved_bytes", "byte", label, saved))
    kv = both(kv_cache_bytes_per_token)
    if kv.a is not None or kv.b is not None:
        costs.append(Cost("kv_cache_bytes_per_token", "byte", "KV cache per generated token", kv))
    cross = both(cross_kv_bytes_per_source_token)
    if cross.a is not None or cross.b is not None:
        label = "cross-attention K/V per source token"
        costs.append(Cost("cross_kv_bytes_per_source_token", "byte", label, cross))
    return costs


def _metrics(sa: dict[str, Any] | None, sb: dict[str, Any] | None) -> dict[str, Pair] | None:
    """Final metrics of both runs by name, then the best checkpoint's monitored value."""
    if sa is None and sb is None:
        return None
    fa, fb = _numbers((sa or {}).get("final")), _numbers((sb or {}).get("final"))
    out = {k: Pair(fa.get(k), fb.get(k)) for k in [*fa, *(k for k in fb if k not in fa)]}
    ba, bb = (sa or {}).get("best"), (sb or {}).get("best")
    names = {x.get("metric") for x in (ba, bb) if isinstance(x, dict) and x.get("metric")}
    if len(names) == 1:
        value = [_number(x.get("value")) if isinstance(x, dict) else None for x in (ba, bb)]
        out[f"best {names.pop()}"] = Pair(*value)
    return out


def _numbers(mapping: Any) -> dict[str, float | int]:
    if not isinstance(mapping, dict):
        return {}
    out = {str(k): _number(v) for k, v in mapping.items()}
    return {k: v for k, v in out.items() if v is not None}


def _number(value: Any) -> float | int | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None
