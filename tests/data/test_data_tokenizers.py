"""Tokenizers round-trip text, save and reload identically, and respect the vocabulary size."""

from __future__ import annotations

import re

import pytest
from tokenizers import normalizers

from archspec.components.tokenizer.word import word_counts
from archspec.data import tokenizers as tk
from archspec.errors import ArchspecError
from archspec.spec import BpeTokenizer, CharTokenizer, WordTokenizer

SAMPLE = [
    "First Citizen:\nBefore we proceed any further, hear me speak.\n",
    "All:\tSpeak, speak.\n",
    "Ñandú, ¿qué tal?  Très bien — 3.5 × 2!\n",
]


@pytest.fixture(scope="module")
def shakespeare(request) -> list[str]:
    path = request.config.rootpath / "data" / "shakespeare" / "train.txt"
    return path.read_text(encoding="utf-8").splitlines(keepends=True)[:4000]


def test_special_tokens_have_fixed_ids():
    tok = tk.train_tokenizer(CharTokenizer(), SAMPLE, 500)
    ids = [tok.token_to_id(t) for t in ("<pad>", "<unk>", "<bos>", "<eos>", "<mask>")]
    assert ids == [tk.PAD, tk.UNK, tk.BOS, tk.EOS, tk.MASK] == [0, 1, 2, 3, 4]


def test_char_round_trips_exactly_one_token_per_character():
    tok = tk.train_tokenizer(CharTokenizer(), SAMPLE, 500)
    for text in SAMPLE:
        ids = tk.encode(tok, [text])[0]
        assert len(ids) == len(text)
        assert tk.decode(tok, ids) == text
    assert tok.get_vocab_size() == len(set("".join(SAMPLE))) + 5


def test_char_marks_unseen_characters_unknown():
    tok = tk.train_tokenizer(CharTokenizer(), ["abc"], 50)
    assert tk.encode(tok, ["abz"])[0][2] == tk.UNK
    assert tk.decode(tok, tk.encode(tok, ["abz"])[0]) == "ab<unk>"


def test_char_table_encodes_as_hugging_face_does(shakespeare):
    tok = tk.train_tokenizer(CharTokenizer(), shakespeare, 500)
    table = tk.char_table(tok)
    assert table is not None
    texts = [*shakespeare, *SAMPLE, "unseen: \u00e9 e\u0301 \U0001f600 \r\n\x00 \u2028 zq\n"]
    hf = [i for e in tok.encode_batch(texts, add_special_tokens=False) for i in e.ids]
    assert tk.encode_joined(tok, texts, table).tolist() == hf
    assert tk.UNK in hf  # the unseen characters are in the comparison


def test_char_table_steps_aside_for_special_token_text():
    tok = tk.train_tokenizer(CharTokenizer(), SAMPLE, 500)
    texts = ["a <pad> b <mask>", "<e", "os>\n"]  # a special token's text, also across texts
    hf = [i for e in tok.encode_batch(texts, add_special_tokens=False) for i in e.ids]
    assert tk.encode_joined(tok, texts, tk.char_table(tok)).tolist() == hf
    assert tk.PAD in hf and tk.MASK in hf


def test_char_table_only_for_char_tokenizers(shakespeare):
    for spec in (WordTokenizer(), BpeTokenizer()):
        assert tk.char_table(tk.train_tokenizer(spec, shakespeare, 10_000)) is None
    lowered = tk.train_tokenizer(CharTokenizer(), SAMPLE, 500)
    lowered.normalizer = normalizers.Lowercase()  # a normalizer changes code points first
    assert tk.char_table(lowered) is None


def test_word_round_trips_up_to_spacing(shakespeare):
    tok = tk.train_tokenizer(WordTokenizer(), shakespeare, 100_000)
    for line in shakespeare[:300]:
        ids = tk.encode(tok, [line])[0]
        back = tk.decode(tok, ids)
        assert re.sub(r"\s", "", back) == re.sub(r"\s", "", line)  # only spacing may change
        assert tk.encode(tok, [back])[0] == ids
    assert tk.decode(tok, tk.encode(tok, ["Before we proceed, hear me."])[0]) == (
        "Before we proceed, hear me."
    )


def test_word_lowercase_and_min_freq(shakespeare):
    tok = tk.train_tokenizer(WordTokenizer(lowercase=True, min_freq=3), shakespeare, 100_000)
    assert tk.decode(tok, tk.encode(tok, ["Good LORD"])[0]) == "good lord"
    vocab = tok.get_vocab()
    counts = word_counts(tok, shakespeare)
    assert all(
        counts[w] >= 3 for w in vocab if w not in ("<pad>", "<unk>", "<bos>", "<eos>", "<mask>")
    )
    assert sum(c >= 3 for c in counts.values()) == len(vocab) - 5


def test_bpe_round_trips_any_text_exactly(shakespeare):
    tok = tk.train_tokenizer(BpeTokenizer(), shakespeare, 600)
    for text in [*SAMPLE, "unseen: ☃ 漢字 🙂\r\n"]:
        ids = tk.encode(tok, [text])[0]
        assert tk.UNK not in ids
        assert tk.decode(tok, ids) == text
    lower = tk.train_tokenizer(BpeTokenizer(lowercase=True), shakespeare, 600)
    assert tk.decode(lower, tk.encode(lower, ["ROMEO, O Romeo"])[0]) == "romeo, o romeo"


def test_bpe_vocabulary_is_the_requested_size_on_shipped_data(shipped):
    rows = (shipped / "en-es" / "train.tsv").read_text(encoding="utf-8").splitlines()
    texts = [half for row in rows for half in row.split("\t")]
    for size in (300, 2000, 4000):
        assert tk.train_tokenizer(BpeTokenizer(), texts, size).get_vocab_size() == size


@pytest.mark.parametrize("spec", [CharTokenizer(), WordTokenizer(lowercase=True), BpeTokenizer()])
def test_saved_tokenizer_reloads_identically(tmp_path, shakespeare, spec):
    tok = tk.train_tokenizer(spec, shakespeare, 5000)
    path = tmp_path / "run" / "tokenizer.json"
    tk.save_tokenizer(tok, path)
    back = tk.load_tokenizer(path, tk.expected_kind(spec))
    assert back.to_str() == tok.to_str()
    assert tk.encode(back, SAMPLE) == tk.encode(tok, SAMPLE)
    assert [p.name for p in path.parent.iterdir()] == ["tokenizer.json"]  # no temp file left


def test_reloading_with_another_kind_is_refused(tmp_path, shakespeare):
    path = tmp_path / "tokenizer.json"
    tk.save_tokenizer(tk.train_tokenizer(CharTokenizer(), shakespeare, 800), path)
    with pytest.raises(ArchspecError, match="holds a char tokenizer but the recipe asks for bpe"):
        tk.load_tokenizer(path, "bpe")


def test_too_many_characters_names_the_value_to_raise():
    with pytest.raises(ArchspecError) as err:
        tk.train_tokenizer(CharTokenizer(), SAMPLE, 20, knob="model.vocab_size.target")
    need = len(set("".join(SAMPLE))) + 5
    assert f"raise model.vocab_size.target to at least {need}" in str(err.value)


def test_too_many_words_suggests_a_min_freq_that_fits(shakespeare):
    with pytest.raises(ArchspecError) as err:
        tk.train_tokenizer(WordTokenizer(), shakespeare, 1000)
    message = str(err.value)
    min_freq = int(re.search(r"min_freq to (\d+)", message)[1])
    fits = tk.train_tokenizer(WordTokenizer(min_freq=min_freq), shakespeare, 1000)
    assert fits.get_vocab_size() <= 1000
    with pytest.raises(ArchspecError):  # and it is the smallest that fits
        tk.train_tokenizer(WordTokenizer(min_freq=min_freq - 1), shakespeare, 1000)


def test_decode_stops_at_eos_and_drops_padding():
    tok = tk.symbol_tokenizer(["0", "1", "2"])
    ids = [tk.BOS, *tk.encode(tok, ["2 0 1"])[0], tk.EOS, 6, tk.PAD]
    assert tk.decode(tok, ids) == "2 0 1"
