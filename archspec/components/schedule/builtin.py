"""Imports the built-in schedule modules, each registering itself, in the order users see them
(archspec.spec imports this before it builds the schedule union)."""

import importlib

BUILTINS = ("noam", "cosine", "constant")
"""Module names, in the order of the kinds in messages, the schema and the README."""

for _name in BUILTINS:
    importlib.import_module(f"archspec.components.schedule.{_name}")
