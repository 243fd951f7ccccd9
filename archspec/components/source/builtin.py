"""Registers the built-in data sources (archspec.spec.data imports this before its union)."""

from archspec.components.registry import register
from archspec.components.source.labelled import Labelled, LabelledSource
from archspec.components.source.pairs import Pairs, PairsSource
from archspec.components.source.synthetic import Synthetic, SyntheticSource
from archspec.components.source.text import Text, TextSource

register("source", SyntheticSource, Synthetic())
register("source", TextSource, Text())
register("source", PairsSource, Pairs())
register("source", LabelledSource, Labelled())
