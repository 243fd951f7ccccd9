"""Decoding from trained models: greedy, sampling (beam search and caches come later)."""
