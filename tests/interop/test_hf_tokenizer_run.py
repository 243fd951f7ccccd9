"""A run trained from an imported recipe keeps the folder's tokenizer: the run directory holds
its copy, the checkpoint's special ids are the file's, and `generate` on the run equals HF
`generate` (one step at lr 1e-9 leaves the weights where they started)."""

from __future__ import annotations

import json

import pytest
import torch

from archspec.cli import main
from archspec.interop.hf.folder import recipe_data
from archspec.spec import Recipe
from tests.interop.tokenizer_files import FAMILIES, LINES
from tests.train.conftest import TRAINER


@pytest.mark.slow  # a one-step Lightning run (about 15 s on a loaded 2-core machine)
def test_a_run_from_an_imported_recipe_generates_as_hf(tmp_path, capsys) -> None:
    from archspec.train.run import train

    hf, fast = FAMILIES["llama"](tmp_path / "hf")
    text = tmp_path / "train.txt"
    text.write_text("\n".join(LINES) + "\n")
    data = recipe_data(tmp_path / "hf", tokenizer=True)
    data["data"]["source"] = {"kind": "text", "path": str(text), "sequences": "lines"}
    data["data"]["batching"] = {"kind": "examples", "size": 2}
    data.update(
        objective={"kind": "causal-lm", "sample_tokens": 0},
        schedule={"kind": "constant", "lr": 1e-9, "warmup": 0},
        trainer={**TRAINER, "max_steps": 1, "val_every": 1, "val_batches": 1},
    )
    run = train(Recipe.model_validate(data), run_dir=tmp_path / "run", init_from=tmp_path / "hf")
    saved = (run.run_dir / "tokenizer.json").read_text()
    assert saved == (tmp_path / "hf" / "tokenizer.json").read_text()
    capsys.readouterr()
    with pytest.raises(SystemExit) as done:
        main(["generate", str(run.run_dir), "--prompt", "the cat", "--method", "greedy",
              "--max-new-tokens", "10", "--checkpoint", "last", "--format", "jsonl"])  # fmt: skip
    assert done.value.code in (0, None)
    row = json.loads(capsys.readouterr().out)
    ids = fast("the cat", return_tensors="pt").input_ids  # <s> the cat
    with torch.no_grad():
        expected = hf.generate(ids, max_new_tokens=10, do_sample=False, pad_token_id=0)
    assert row["ids"] == expected[0, ids.size(1) :].tolist()
