"""Registers the built-in objectives (archspec.spec.objective imports this before its union)."""

from archspec.components.objective.causal_lm import CausalLM, CausalLMObjective
from archspec.components.objective.classification import Classification, ClassificationObjective
from archspec.components.objective.masked_lm import MaskedLM, MaskedLMObjective
from archspec.components.objective.seq2seq import Seq2Seq, Seq2SeqObjective
from archspec.components.registry import register

register("objective", Seq2SeqObjective, Seq2Seq())
register("objective", CausalLMObjective, CausalLM())
register("objective", MaskedLMObjective, MaskedLM())
register("objective", ClassificationObjective, Classification())
