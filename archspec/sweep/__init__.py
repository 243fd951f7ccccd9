"""Ablation studies: a sweep file -> validated variants -> training runs -> a table and plots.

    load_sweep (load.py)  sweep file + `--set` -> SweepFile (validated, base resolved)
    expand (expand.py)    SweepFile -> Plan: every variant's Recipe, validated, named
    run_sweep (runner.py) Plan -> a sweep directory of run directories, resumable
    results.py, table.py, plots.py   the results file, the Markdown table, the PNG plots

Loading and expanding import no torch, so `archspec sweep --dry-run` answers at once.
"""

from archspec.sweep.expand import Plan, Variant, expand
from archspec.sweep.load import SweepFile, load_sweep
from archspec.sweep.spec import SweepSpec

__all__ = ["Plan", "SweepFile", "SweepSpec", "Variant", "expand", "load_sweep"]
