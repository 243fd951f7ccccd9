"""Hugging Face interop: one module per model family (gpt2.py, llama.py, bert.py, ...), each
registering a `Family` (archspec/interop/hf/family.py) under the `model_type` values of the
config.json files it reads."""
