"""Costs computed from the spec alone (no torch): parameters, FLOPs, memory, the module tree."""

from archspec.analysis.flops import forward_flops_per_token, training_flops_per_token
from archspec.analysis.memory import (
    activation_bytes,
    cross_kv_bytes_per_source_token,
    kv_cache_bytes_per_token,
)
from archspec.analysis.params import count_parameters, parameter_breakdown
from archspec.analysis.structure import parameter_manifest

__all__ = [
    "activation_bytes",
    "count_parameters",
    "cross_kv_bytes_per_source_token",
    "forward_flops_per_token",
    "kv_cache_bytes_per_token",
    "parameter_breakdown",
    "parameter_manifest",
    "training_flops_per_token",
]
