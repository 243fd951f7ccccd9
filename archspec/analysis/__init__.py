"""Costs computed from the spec alone (no torch): parameters, FLOPs, memory."""

from archspec.analysis.params import count_parameters, parameter_breakdown

__all__ = ["count_parameters", "parameter_breakdown"]
