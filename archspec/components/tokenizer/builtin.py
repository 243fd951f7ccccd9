"""Registers the built-in tokenizers (archspec.spec.data imports this before its union)."""

from archspec.components.registry import register
from archspec.components.tokenizer.bpe import Bpe, BpeTokenizer
from archspec.components.tokenizer.char import Char, CharTokenizer
from archspec.components.tokenizer.word import Word, WordTokenizer

register("tokenizer", CharTokenizer, Char())
register("tokenizer", WordTokenizer, Word())
register("tokenizer", BpeTokenizer, Bpe())
