"""The report as titled tables of text cells, shared by the terminal and markdown renderers.

Each section says which columns hold code (dotted paths, rendered `like this` in markdown) and
gives each row a status (same, changed, added, removed, total) that the terminal colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from archspec.diff import numbers as fmt
from archspec.diff.fields import FieldChange, format_value
from archspec.diff.inputs import Side
from archspec.diff.report import DiffReport, Pair
from archspec.diff.tree import ModuleChange
from archspec.spec.vocab import assumption_note


@dataclass
class Section:
    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    """One per row: same, changed, added, removed or total."""
    right: set[int] = field(default_factory=set)
    """Columns aligned right (numbers)."""
    code: set[int] = field(default_factory=set)
    """Columns of dotted paths."""
    empty: str = "no differences"
    """What to say instead of an empty table."""

    def add(self, cells: list[str], status: str = "changed") -> None:
        self.rows.append(cells)
        self.status.append(status)


def side_line(name: str, side: Side) -> str:
    """'A: recipes/paper/base.yaml (recipe) — Transformer base ...'."""
    sets = "".join(f" --set {o}" for o in side.overrides)
    desc = f" — {side.recipe.description}" if side.recipe.description else ""
    return f"{name}: {side.label}{sets} ({side.source}, {side.recipe.model.kind}){desc}"


def side_assumption(side: Side) -> str | None:
    """What the counts of a side assume of a `vocab_size: auto`, as `validate` says it."""
    return assumption_note(side.recipe)


def sections(report: DiffReport, show_all: bool = False) -> list[Section]:
    """Every section in report order; training fields only when there are some to show."""
    out = [_fields_section("Architecture", report.architecture, show_all)]
    training = _fields_section("Training and other settings", report.training, show_all)
    if training.rows:
        out.append(training)
    out += [_parameters(report), _costs(report), _structure(report.structure)]
    if report.metrics is not None:
        out.append(_metrics(report.metrics))
    return out


def _fields_section(title: str, fields: list[FieldChange], show_all: bool) -> Section:
    changed = [f for f in fields if f.status != "same"]
    n = len(changed)
    s = Section(
        f"{title}: {n} field{'s' if n != 1 else ''} differ{'s' if n == 1 else ''}",
        ["field", "A", "B"],
        code={0},
    )
    for f in fields if show_all else changed:
        s.add([f.path, format_value(f.a), format_value(f.b)], f.status)
    return s


def _parameters(report: DiffReport) -> Section:
    s = Section("Parameters", ["component", "A", "B", "change", "relative"], right={1, 2, 3, 4})
    for name, pair in report.parameters.items():
        status = "total" if name == "total" else "same" if pair.change == 0 else "changed"
        s.add(
            [
                name,
                fmt.count(pair.a),
                fmt.count(pair.b),
                fmt.signed(pair.change),
                fmt.percent(pair.relative),
            ],
            status,
        )
    return s


def _costs(report: DiffReport) -> Section:
    title = f"Cost at sequence length {report.seq_len} (fp32)"
    s = Section(title, ["quantity", "A", "B", "relative"], right={1, 2, 3})
    for cost in report.costs:
        show = fmt.flops if cost.unit == "flop" else fmt.nbytes
        p = cost.pair
        status = "same" if p.change == 0 else "changed"
        s.add([cost.label, show(p.a), show(p.b), fmt.percent(p.relative)], status)
    return s


def _structure(rows: list[ModuleChange]) -> Section:
    n = len(rows)
    s = Section(
        f"Module tree: {n} module{'s' if n != 1 else ''} differ{'s' if n == 1 else ''}",
        ["module", "change", "parameters and shapes (A → B)"],
        code={0},
        empty="no structural difference",
    )
    for row in rows:
        if row.layers:
            count = row.params_a if row.change == "removed" else row.params_b
            detail = f"{row.layers} layer{'s' if row.layers != 1 else ''}, {count:,} parameters"
        else:
            detail = fmt.shape_change(row.a, row.b)
        s.add([row.path, row.change, detail], row.change)
    return s


def _metrics(metrics: dict[str, Pair]) -> Section:
    s = Section(
        "Final metrics",
        ["metric", "A", "B", "change"],
        right={1, 2, 3},
        empty="no metrics in either summary.json",
    )
    for name, pair in metrics.items():
        s.add(
            [name, fmt.count(pair.a), fmt.count(pair.b), fmt.signed(pair.change)],
            "same" if pair.change == 0 else "changed",
        )
    return s
