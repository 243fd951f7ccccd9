"""Imports the built-in objective modules, each registering itself, in the order users see them
(archspec.spec imports this before it builds the objective union)."""

import importlib

BUILTINS = ("seq2seq", "causal_lm", "masked_lm", "classification")
"""Module names, in the order of the kinds in messages, the schema and the README."""

for _name in BUILTINS:
    importlib.import_module(f"archspec.components.objective.{_name}")
