"""The bad-input corpus: every case in tests/robustness/corpus/*.yaml is a command a user (or a
hostile input) might run, with the exit status and message it must give.

A case (one list item):

    id: quoted-integer                    # unique within its file (the family)
    files: {r.yaml: "..."}                # written into an empty working directory first
    latin1: [r.yaml]                      # files written as Latin-1 bytes (not UTF-8)
    args: [validate, r.yaml]              # the archspec command line
    status: 2                             # exit status (default 2)
    match: 'model\\.heads: expected an integer'   # regex the output must contain (or a list
                                          #   of regexes: each must match, in that order)
    where: r.yaml                         # the output must name this file (default: the first
                                          #   file of `files` named in args); null: no file
    line: true                            # ...with a line number (default true for a file)
    remove: [run/checkpoints/last.ckpt]   # paths deleted after the files are written
    truncate: {run/checkpoints/best.ckpt: 100}   # files cut to this many bytes
    env: {ARCHSPEC_RUN_DIR: run}          # environment variables of the command
    absent: [runs]                        # paths that must not exist afterwards
    dangerous: true                       # run in a subprocess with RLIMIT_AS and a timeout
    repeat: {big.yaml: ["# pad\\n", 10000]}  # a file of TEXT written COUNT times
    run: lm                               # copy a tiny trained run (the tiny_run fixture) to run/
                                          #   (first: `files` may then overwrite its files)
    stdin: "..."                          # text piped to the command
    nogpu: true                           # only meaningful on a machine without a GPU

Every working directory also holds tiny.yaml, a valid tiny causal-lm recipe on the shipped
Shakespeare (absolute data paths), for cases to extend or train.

`{ROOT}` in files and args is the repository root (its data/ and recipes/).  Every case's
output must contain no "Traceback".  Most run in-process (archspec.cli.main) and take well
under a second; the dangerous ones run in a subprocess capped at 3 GB and 60 s.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import lightning.pytorch  # noqa: F401  (see below)
import pytest
import yaml

from archspec.cli import main
from tests.robustness.helpers import ROOT, lm, run_cli

CORPUS = Path(__file__).parent / "corpus"
# Lightning adds a logging handler bound to the sys.stderr of the moment it is first imported;
# imported here, that is pytest's own stream and not the capsys one a case closes after it.


def load_cases() -> list[dict[str, Any]]:
    cases = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["family"] = path.stem
            cases.append(case)
    return cases


CASES = load_cases()


def test_the_corpus_is_large_and_ids_are_unique() -> None:
    ids = [f"{c['family']}-{c['id']}" for c in CASES]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert len(CASES) >= 100
    assert {c["family"] for c in CASES} >= {
        "recipes",
        "sweeps",
        "data",
        "rundirs",
        "checkpoints",
        "options",
        "yaml",
    }


def _sub(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("{ROOT}", str(ROOT))
    if isinstance(value, list):
        return [_sub(v) for v in value]
    if isinstance(value, dict):
        return {k: _sub(v) for k, v in value.items()}
    return value


TINY_RECIPE = """\
model:
  kind: decoder
  d_model: 16
  heads: 2
  d_ff: 32
  vocab_size: 96
  max_len: 32
  tying: decoder
  decoder: {layers: 1}
data:
  source: {kind: text, path: {ROOT}/data/shakespeare/val.txt}
  tokenizer: {kind: char}
  batching: {kind: examples, size: 4}
trainer: {accelerator: cpu, max_steps: 2, val_every: 2, val_batches: 1, log_every: 1}
"""


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory) -> Path:
    """A finished 4-step run of the tiny causal-lm (last.ckpt and best.ckpt), trained once."""
    from archspec.train.run import train

    return train(lm(max_steps=4, val_every=4), run_dir=tmp_path_factory.mktemp("c") / "run").run_dir


def write_files(case: dict[str, Any], where: Path, run: Path | None) -> None:
    (where / "tiny.yaml").write_text(_sub(TINY_RECIPE), encoding="utf-8")
    if run is not None:
        shutil.copytree(run, where / "run")
    for name, content in (case.get("files") or {}).items():
        path = where / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            path.mkdir(exist_ok=True)
            continue
        text = _sub(content)
        if name in (case.get("latin1") or []):
            path.write_bytes(text.encode("latin-1"))
        else:
            path.write_bytes(text.encode("utf-8", "surrogateescape"))
    for name, (text, count) in (case.get("repeat") or {}).items():
        (where / name).write_text(text * count, encoding="utf-8")
    for name in case.get("remove") or []:
        path = where / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    for name, size in (case.get("truncate") or {}).items():
        with open(where / name, "r+b") as f:
            f.truncate(size)


def run_in_process(args: list[str], capsys, monkeypatch, stdin: str | None) -> tuple[int, str]:
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        main(args)
        status = 0
    except SystemExit as err:
        status = err.code if isinstance(err.code, int) else (0 if err.code is None else 1)
    out = capsys.readouterr()
    return status, out.out + out.err


def expected_file(case: dict[str, Any]) -> str | None:
    if "where" in case:
        return case["where"]
    args = [str(a) for a in case["args"]]
    for name in [*(case.get("files") or {}), *(case.get("repeat") or {})]:
        if name in args:
            return name
    return None


def _has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.parametrize("case", CASES, ids=[f"{c['family']}-{c['id']}" for c in CASES])
def test_case(case: dict[str, Any], tmp_path, monkeypatch, capsys, request) -> None:
    if case.get("nogpu") and _has_gpu():
        pytest.skip("this machine has a GPU")
    run = request.getfixturevalue("tiny_run") if case.get("run") else None
    write_files(case, tmp_path, run)
    args = [str(a) for a in _sub(case["args"])]
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARCHSPEC_RUN_DIR", raising=False)
    monkeypatch.delenv("RANK", raising=False)
    for key, value in (case.get("env") or {}).items():
        monkeypatch.setenv(key, _sub(value))
    if case.get("dangerous"):
        proc = run_cli(
            args, cwd=tmp_path, timeout=60, limit=True, stdin=case.get("stdin"), env=case.get("env")
        )
        status, output = proc.returncode, proc.stdout + proc.stderr
    else:
        status, output = run_in_process(args, capsys, monkeypatch, case.get("stdin"))
    assert "Traceback" not in output, output[-3000:]
    assert status == case.get("status", 2), output[-3000:]
    for name in case.get("absent") or []:
        assert not (tmp_path / name).exists(), f"{name} was left behind"
    matches = case["match"] if isinstance(case["match"], list) else [case["match"]]
    at = 0
    for pattern in matches:  # every message, in the order listed (source order)
        found = re.compile(pattern).search(output, at)
        assert found, f"no {pattern!r} after position {at} in:\n{output[-3000:]}"
        at = found.end()
    name = expected_file(case)
    if name is not None:
        assert name in output, output[-3000:]
        if case.get("line", True):
            assert re.search(re.escape(name) + r":\d+", output), output[-3000:]
