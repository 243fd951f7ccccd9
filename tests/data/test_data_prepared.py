"""`archspec prepare`: shards read back as exactly the examples the in-memory pipeline makes;
deterministic, skipped when current, resumable after an interrupt; stale data is refused."""

from __future__ import annotations

import os

import pytest
import torch
from tokenizers import Tokenizer

from archspec.data import build_datamodule, writer
from archspec.data.prepared import check_current
from archspec.data.writer import prepare_folder
from archspec.errors import ArchspecError

LINES = [f"Line {i}: {'abcdefghij'[: 1 + i % 10] * (1 + i % 4)} é€ {i * 7}\n" for i in range(400)]


@pytest.fixture
def corpus(write):
    return write("corpus.txt", "".join(LINES) + "odd <eos> literal and a last line\n")


def chunk_recipe(make_recipe, path, tokenizer="char", **source):
    source = {"kind": "text", "path": str(path), "val_fraction": 0.1, **source}
    data = {"source": source, "tokenizer": {"kind": tokenizer}, "seq_len": 16}
    return make_recipe("causal-lm", data, vocab_size=300)


def items(dataset):
    return [
        {k: v.tolist() if hasattr(v, "tolist") else v for k, v in dataset[i].items()}
        for i in range(len(dataset))
    ]


@pytest.mark.parametrize("tokenizer", ["char", "bpe"])
def test_prepared_chunks_equal_the_in_memory_ones(tmp_path, corpus, make_recipe, tokenizer):
    recipe = chunk_recipe(make_recipe, corpus, tokenizer, test_fraction=0.05)
    folder = tmp_path / "prepared"
    assert prepare_folder(recipe, None, folder, block_bytes=700, workers=1)
    memory = build_datamodule(recipe, tmp_path / "a")
    disk = build_datamodule(recipe, tmp_path / "b", prepared_dir=folder)
    assert "prepared data" in disk.prepared.note
    assert len(list(folder.glob("train-*.ids"))) > 5  # several blocks, split mid-block
    assert (tmp_path / "a/tokenizer.json").read_text() == (
        tmp_path / "b/tokenizer.json"
    ).read_text()
    for split in ("train", "val", "test"):
        assert items(disk.prepared.datasets[split]) == items(memory.prepared.datasets[split])
        assert torch.equal(
            disk.prepared.datasets[split].lengths.long(), memory.prepared.datasets[split].lengths
        )


def test_char_shards_equal_the_hugging_face_encoding(tmp_path, write, make_recipe):
    """The char fast path (a code point table) against the tokenizer it replaces."""
    text = "".join(LINES[:50]) + "x <pad> y\n" + "".join(LINES[50:100])
    path = write("c.txt", text)
    recipe = chunk_recipe(make_recipe, path, val_fraction=0.0)
    folder = tmp_path / "p"
    prepare_folder(recipe, None, folder, block_bytes=500, workers=1)
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    want = [
        i
        for line in text.splitlines(keepends=True)
        for i in tok.encode(line, add_special_tokens=False).ids
    ]
    stream = (
        build_datamodule(recipe, tmp_path / "r", prepared_dir=folder)
        .prepared.datasets["train"]
        .stream
    )
    assert stream[0 : len(stream)].tolist() == want


def test_prepare_is_deterministic_and_uses_worker_processes(tmp_path, corpus, make_recipe):
    recipe = chunk_recipe(make_recipe, corpus, "bpe")
    for name in ("one", "two"):
        prepare_folder(recipe, None, tmp_path / name, block_bytes=2000, workers=2)
    files = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert files == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in files:
        if name.endswith((".ids", "tokenizer.json")):
            assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_up_to_date_shards_are_skipped_and_stale_ones_refused(tmp_path, corpus, make_recipe):
    recipe = chunk_recipe(make_recipe, corpus)
    folder = tmp_path / "p"
    assert prepare_folder(recipe, None, folder) is True
    assert prepare_folder(recipe, None, folder) is False
    assert check_current(recipe, folder, None) is not None
    with open(corpus, "a") as f:
        f.write("one more line\n")
    with pytest.raises(ArchspecError, match=r"out of date.*corpus.txt changed.*archspec prepare"):
        build_datamodule(recipe, tmp_path / "run", prepared_dir=folder)
    other = chunk_recipe(make_recipe, corpus, "bpe")
    with pytest.raises(ArchspecError, match=r"data.tokenizer.kind: \"char\" -> \"bpe\""):
        check_current(other, folder, None)
    assert prepare_folder(recipe, None, folder) is True  # redone for the new data
    assert check_current(recipe, folder, None) is not None


def test_damaged_or_foreign_folders_are_clear_errors(tmp_path, corpus, make_recipe):
    recipe = chunk_recipe(make_recipe, corpus)
    folder = tmp_path / "p"
    prepare_folder(recipe, None, folder)
    shard = folder / "train-00000.ids"
    shard.write_bytes(shard.read_bytes()[:-2])
    with pytest.raises(ArchspecError, match=r"manifest says .*damaged.*archspec prepare"):
        build_datamodule(recipe, tmp_path / "run", prepared_dir=folder)
    (folder / "manifest.json").write_text('{"format": "something-else"}')
    with pytest.raises(ArchspecError, match="not archspec prepared data"):
        check_current(recipe, folder, None)
    (folder / "manifest.json").write_text("{broken")
    with pytest.raises(ArchspecError, match="not a readable manifest"):
        check_current(recipe, folder, None)


def test_an_interrupted_prepare_resumes_at_the_first_missing_shard(
    tmp_path, corpus, make_recipe, monkeypatch
):
    recipe = chunk_recipe(make_recipe, corpus)
    clean = tmp_path / "clean"
    prepare_folder(recipe, None, clean, block_bytes=1000, workers=1)
    real, calls = writer._encode_piece, []

    def dies_after_three(job):
        if len(calls) == 3:
            raise KeyboardInterrupt
        calls.append(job[0])
        return real(job)

    monkeypatch.setattr(writer, "_encode_piece", dies_after_three)
    folder = tmp_path / "p"
    with pytest.raises(KeyboardInterrupt):
        prepare_folder(recipe, None, folder, block_bytes=1000, workers=1)
    assert not (folder / "manifest.json").exists()
    written = {p: os.stat(p).st_mtime_ns for p in calls}
    monkeypatch.setattr(writer, "_encode_piece", real)
    redone = []
    monkeypatch.setattr(writer, "_encode_piece", lambda job: redone.append(job[0]) or real(job))
    assert prepare_folder(recipe, None, folder, block_bytes=1000, workers=1)
    assert not set(redone) & set(calls)  # the three finished shards were kept
    assert {p: os.stat(p).st_mtime_ns for p in calls} == written
    for shard in clean.glob("*.ids"):
        assert (folder / shard.name).read_bytes() == shard.read_bytes()


EXAMPLES = [
    (
        "seq2seq",
        {"kind": "pairs", "path": "data/en-es/train.tsv", "max_examples": 300},
        {"too_long": "truncate"},
    ),
    (
        "classification",
        {"kind": "labelled", "path": "data/movie-reviews/train.tsv", "max_examples": 300},
        {"too_long": "truncate"},
    ),
    ("masked-lm", {"kind": "text", "path": "CORPUS", "sequences": "lines"}, {}),
]


@pytest.mark.parametrize(("objective", "source", "extra"), EXAMPLES)
def test_prepared_examples_equal_the_in_memory_ones(
    tmp_path, corpus, shipped, make_recipe, objective, source, extra
):
    path = str(corpus) if source["path"] == "CORPUS" else str(shipped.parent / source["path"])
    data = {"source": {**source, "path": path}, **extra}
    recipe = make_recipe(objective, data, vocab_size=400)
    prepare_folder(recipe, None, tmp_path / "p")
    memory = build_datamodule(recipe, tmp_path / "a")
    disk = build_datamodule(recipe, tmp_path / "b", prepared_dir=tmp_path / "p")
    assert disk.splits == memory.splits and disk.label_names == memory.label_names
    for split in memory.splits:
        assert items(disk.prepared.datasets[split]) == items(memory.prepared.datasets[split])
    assert disk.references() == memory.references() and disk.sources() == memory.sources()
    first = next(iter(disk.train_dataloader()))
    assert {k: v.tolist() for k, v in first.items()} == {
        k: v.tolist() for k, v in next(iter(memory.train_dataloader())).items()
    }
