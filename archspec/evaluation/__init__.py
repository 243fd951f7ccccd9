"""Evaluating trained runs: `archspec eval RUN --data FILE` and `archspec.evaluate`.

data     FILE (or the validation split) read by the training data pipeline
metrics  BLEU and chrF through torchmetrics, as sacreBLEU computes them
scoring  evaluate(run, data) -> Evaluation: the metrics of each objective
report   an aligned table, or JSON
"""

from __future__ import annotations

from archspec.evaluation.report import render_json, render_table
from archspec.evaluation.scoring import Evaluation, evaluate

__all__ = ["Evaluation", "evaluate", "render_json", "render_table"]
