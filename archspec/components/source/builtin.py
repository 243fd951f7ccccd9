"""Imports the built-in source modules, each registering itself, in the order users see them
(archspec.spec imports this before it builds the source union)."""

import importlib

BUILTINS = ("synthetic", "text", "pairs", "labelled")
"""Module names, in the order of the kinds in messages, the schema and the README."""

for _name in BUILTINS:
    importlib.import_module(f"archspec.components.source.{_name}")
