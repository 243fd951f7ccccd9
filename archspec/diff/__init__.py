"""`archspec diff`: compare two architectures from their specs, and what the difference costs.

    side = load_side("recipes/paper/big.yaml", ["model.heads=8"])   # recipe, run dir or .ckpt
    report = compare(load_side("recipes/paper/base.yaml"), side, seq_len=256, batch=16)
    print(render_markdown(report))

Nothing here imports torch (a bare checkpoint outside its run directory is the exception, see
inputs.py) or allocates weights: every number comes from the spec (archspec.analysis).
"""

from archspec.diff.fields import FieldChange, field_changes
from archspec.diff.inputs import Side, load_side
from archspec.diff.report import DiffReport, Pair, compare
from archspec.diff.report_json import render_json, report_dict
from archspec.diff.report_markdown import render_markdown
from archspec.diff.report_table import render_table
from archspec.diff.tree import ModuleChange, structure_diff

__all__ = [
    "DiffReport",
    "FieldChange",
    "ModuleChange",
    "Pair",
    "Side",
    "compare",
    "field_changes",
    "load_side",
    "render_json",
    "render_markdown",
    "render_table",
    "report_dict",
    "structure_diff",
]
