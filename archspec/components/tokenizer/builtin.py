"""Imports the built-in tokenizer modules, each registering itself, in the order users see them
(archspec.spec imports this before it builds the tokenizer union)."""

import importlib

BUILTINS = ("char", "word", "bpe", "file")
"""Module names, in the order of the kinds in messages, the schema and the README."""

for _name in BUILTINS:
    importlib.import_module(f"archspec.components.tokenizer.{_name}")
