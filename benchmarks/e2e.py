"""End to end: the whole `archspec train` process against hand-written loops of the same run.

    python benchmarks/e2e.py            # the full run behind benchmarks/results/e2e.md
    python benchmarks/e2e.py --quick    # a smoke run of every table (tiny settings)
    python -m venv /tmp/core && /tmp/core/bin/pip install torch==2.13.0 -e .
    python benchmarks/e2e.py --core-python /tmp/core/bin/python   # + start-up, core install

Pairs of processes (3, or --pairs), interleaved (archspec first in odd pairs, the loop first in
even ones):
- `archspec train recipes/quickstart/shakespeare-char.yaml --max-steps 300` against
  benchmarks/peers/loop_lm.py (nanoGPT-style, the same shape, data, tokenizer, optimizer,
  schedule, clipping, validation, checkpoints and final sample);
- `archspec train recipes/examples/translate-en-es.yaml --max-steps 80` against
  benchmarks/peers/loop_seq2seq.py (nn.Transformer, pre-norm, the same BPE, token batches,
  schedule, label smoothing and final validation with BLEU of 250 greedy translations).

Each process runs under benchmarks/e2e_probe.py, which notes the time of every optimizer step.
From the wall clock before the process starts, those step times and the clock after it ends:
time to first step (interpreter start, imports, data, model, up to the end of step 1), steady
tokens/s (tokens per step over the median step time, steps 10 on; the same batch plan for both
sides, so for the translation model it is the median step time's ratio), time after the last
step (final validation, checkpoints, sample, shut-down) and the whole process. Ratios are
archspec over hand-written, pair by pair, then the median over pairs. Then the sequence-length
table (benchmarks/e2e_lengths.py) runs in this process. With --core-python, as many pairs
again time the quickstart's first step under that interpreter: a virtual environment with only
archspec's core dependencies, where torchmetrics finds no transformers or scipy to import.

Before the first pair, both sides' Python files get their bytecode (`compileall` over archspec/
and benchmarks/, as `pip install` of a wheel does and as any run after the first finds it):
where PYTHONDONTWRITEBYTECODE is set, as on the benchmark machine, an editable install would
otherwise compile archspec's ~250 modules again in every process. One untimed
`import lightning` then reads the installed packages into the page cache, so that the first
pair does not pay for a cold disk.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import e2e_lengths  # noqa: E402
from benchmarks.machine import describe, load_average  # noqa: E402

PROBE = str(ROOT / "benchmarks" / "e2e_probe.py")
QUICKSTART = "recipes/quickstart/shakespeare-char.yaml"
TRANSLATE = "recipes/examples/translate-en-es.yaml"
METRICS = [
    "steady tokens/s",
    "time to first step (s)",
    "time after last step (s)",
    "whole process (s)",
]


def timed(
    command: list[str], log: Path, python: str = sys.executable
) -> dict[str, float | list[float]]:
    """Run `command` under the probe; wall clock before and after, step times from the probe."""
    steps_file = log.with_suffix(".json")
    start = time.time()
    with open(log, "w") as out:
        subprocess.run(
            [python, PROBE, str(steps_file), *command],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, check=True,
        )  # fmt: skip
    end = time.time()
    probe = json.loads(steps_file.read_text())
    return {"start": start, "end": end, "steps": probe["steps"], "phases": probe["phases"]}


def phases(run: dict) -> dict[str, dict[str, float]]:
    """Seconds per probed phase before the first step and after the last, each phase's own
    time (less the phases it contains, e.g. Trainer.fit less its validation), plus the rest."""
    first, last = run["steps"][0], run["steps"][-1]
    windows = {"before": (run["start"], first), "after": (last, run["end"])}
    out: dict[str, dict[str, float]] = {}
    for window, (lo, hi) in windows.items():
        spans = [
            (n, max(s, lo), min(e, hi)) for n, s, e in run["phases"] if min(e, hi) > max(s, lo)
        ]
        own: dict[str, float] = {}
        for i, (name, s, e) in enumerate(spans):
            inner = [
                (s2, e2) for j, (_, s2, e2) in enumerate(spans) if j != i and s <= s2 and e2 <= e
            ]
            direct = [
                (s2, e2) for s2, e2 in inner
                if not any(s3 <= s2 and e2 <= e3 and (s3, e3) != (s2, e2) for s3, e3 in inner)
            ]  # fmt: skip
            label = "Trainer.fit (the rest)" if name == "fit" else name
            own[label] = own.get(label, 0.0) + (e - s) - sum(e2 - s2 for s2, e2 in direct)
        own["rest (imports, start-up)" if window == "before" else "rest (shut-down)"] = (
            hi - lo - sum(own.values())
        )
        out[window] = own
    return out


def summary(run: dict, tokens_per_step: float) -> dict[str, float]:
    steps: list[float] = run["steps"]  # type: ignore[assignment]
    gaps = [b - a for a, b in zip(steps[9:], steps[10:], strict=False)] or [steps[-1] - steps[0]]
    return {
        "steady tokens/s": tokens_per_step / statistics.median(gaps),
        "time to first step (s)": steps[0] - run["start"],
        "time after last step (s)": run["end"] - steps[-1],
        "whole process (s)": run["end"] - run["start"],
    }


def pairs(name: str, ours: list[str], theirs: list[str], n: int, tokens: float, work: Path):
    """n interleaved (archspec, hand-written) runs -> per-pair summaries of both."""
    results = []
    for i in range(n):
        order = [("archspec", ours), ("hand-written", theirs)]
        if i % 2:
            order.reverse()
        got = {}
        for who, cmd in order:
            run_dir = work / f"{name}-{who}-{i}"
            cmd = [a.replace("{run}", str(run_dir)) for a in cmd]
            run = timed(cmd, work / f"{name}-{who}-{i}.log")
            got[who] = summary(run, tokens)
            if who == "archspec":
                got["phases"] = phases(run)
            print(f"  {name} pair {i + 1}/{n} {who}: " + ", ".join(
                f"{k} {v:.2f}" for k, v in got[who].items()), flush=True)  # fmt: skip
            if who == "archspec":
                print(f"    phases: {got['phases']}", flush=True)
        results.append(got)
    return results


def first_steps(python: str, n: int, work: Path) -> list[str]:
    """Time to first step of the quickstart against the loop under another interpreter (a
    virtual environment with only archspec's core dependencies), n interleaved pairs."""
    ratios, ours, theirs = [], [], []
    for i in range(n):
        sides = {
            "archspec": [str(Path(python).parent / "archspec"), "train", QUICKSTART,
                         "--max-steps", "3", "--run-dir", str(work / f"core-a-{i}"), "--plain"],
            "loop": [str(ROOT / "benchmarks/peers/loop_lm.py"), "--steps", "3", "--out-dir",
                     str(work / f"core-l-{i}")],
        }  # fmt: skip
        got = {}
        for who in sorted(sides, reverse=bool(i % 2)):
            run = timed(sides[who], work / f"core-{who}-{i}.log", python)
            got[who] = run["steps"][0] - run["start"]  # type: ignore[operator]
        ours.append(got["archspec"])
        theirs.append(got["loop"])
        ratios.append(got["archspec"] / got["loop"])
        print(f"  core install pair {i + 1}/{n}: {got}", flush=True)
    return [
        f"### Time to first step with only the core dependencies ({n} interleaved pairs)",
        "",
        f"`{python}`: a virtual environment with `pip install torch==2.13.0 -e .` (no dev extra:",
        "no transformers or scipy for torchmetrics to import). archspec "
        f"{statistics.median(ours):.2f} s, the loop {statistics.median(theirs):.2f} s: "
        f"{statistics.median(ratios):.2f}x ({min(ratios):.2f}-{max(ratios):.2f}).",
        "",
    ]


def table(title: str, results: list[dict]) -> list[str]:
    lines = [f"### {title}", "", "| | archspec | hand-written | ratio (median, range) |",
             "|---|---|---|---|"]  # fmt: skip
    for metric in METRICS:
        a = [r["archspec"][metric] for r in results]
        b = [r["hand-written"][metric] for r in results]
        ratios = [x / y for x, y in zip(a, b, strict=True)]
        fmt = "{:,.0f}" if "tokens" in metric and min(a + b) >= 100 else "{:.2f}"
        lines.append(
            f"| {metric} | {fmt.format(statistics.median(a))} | {fmt.format(statistics.median(b))}"
            f" | {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) |"
        )
    a_end = statistics.median(r["archspec"]["time after last step (s)"] for r in results)
    b_end = statistics.median(r["hand-written"]["time after last step (s)"] for r in results)
    lines += [
        "",
        f"Time after the last step: archspec {a_end - b_end:+.2f} s against the loop.",
        "",
    ]
    for window, title in (("before", "before the first step"), ("after", "after the last step")):
        names = sorted({k for r in results for k in r["phases"][window]})
        cells = [
            f"{k} {statistics.median(r['phases'][window].get(k, 0.0) for r in results):.2f} s"
            for k in names
        ]
        lines.append(f"- archspec {title} (median seconds): " + ", ".join(cells))
    return [*lines, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="tiny settings: a smoke run")
    ap.add_argument("--pairs", type=int, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "e2e.md")
    ap.add_argument(
        "--core-python",
        help="also time the first step under this interpreter (a venv with `pip install -e .`)",
    )
    args = ap.parse_args()
    n = args.pairs or (1 if args.quick else 3)
    lm_steps, mt_steps = (12, 12) if args.quick else (300, 80)
    sample, bleu = (20, 16) if args.quick else (300, 250)  # the recipes' own: 300 and 250
    loads = [load_average()[0]]
    began = time.time()
    prepare_interpreter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        lm = pairs(
            "quickstart",
            ["archspec", "train", QUICKSTART, "--max-steps", str(lm_steps), "--run-dir", "{run}",
             "--plain", "--set", f"objective.sample_tokens={sample}"],
            [str(ROOT / "benchmarks/peers/loop_lm.py"), "--steps", str(lm_steps), "--out-dir",
             "{run}", "--sample", str(sample)],
            n, 32 * 128, work,
        )  # fmt: skip
        loads.append(load_average()[0])
        mt = pairs(
            "translate",
            ["archspec", "train", TRANSLATE, "--max-steps", str(mt_steps), "--run-dir", "{run}",
             "--plain", "--set", f"objective.bleu_samples={bleu}"],
            [str(ROOT / "benchmarks/peers/loop_seq2seq.py"), "--steps", str(mt_steps),
             "--out-dir", "{run}", "--bleu-samples", str(bleu)],
            n, 1.0, work,
        )  # fmt: skip
        loads.append(load_average()[0])
        core = first_steps(args.core_python, n, work) if args.core_python else []
    lengths = e2e_lengths.measure(quick=args.quick)
    loads.append(load_average()[0])
    minutes = (time.time() - began) / 60
    command = "python benchmarks/e2e.py" + (" --quick" if args.quick else "")
    command += f" --pairs {args.pairs}" if args.pairs else ""
    command += f" --core-python {args.core_python}" if args.core_python else ""
    lines = [
        "# End to end: the whole `archspec train` process against hand-written loops",
        "",
        f"Generated by `{command}` ({minutes:.1f} min); see the docstring of benchmarks/e2e.py.",
        "Where the time goes and which misses are forced: [e2e-profile.md](e2e-profile.md).",
        "",
        *describe(int(os.environ.get("OMP_NUM_THREADS", "0")) or _threads()),
        "- 1-minute load average at the start, after each table and at the end: "
        + ", ".join(f"{x:.2f}" for x in loads),
        "",
        f"## The whole process ({n} interleaved pairs)",
        "",
        *table(f"Quickstart decoder, {lm_steps} steps, against a nanoGPT-style loop", lm),
        *table(
            f"Translation encoder-decoder, {mt_steps} steps, against an nn.Transformer loop", mt
        ),  # fmt: skip
        "For the translation model the steady figure is steps/s (1 / median step time; both "
        "sides use the same batch plan), so its ratio is the tokens/s ratio.",
        "",
        *core,
        *e2e_lengths.markdown(lengths),
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


def prepare_interpreter() -> None:
    """Bytecode for both sides' files and a warm page cache (see the docstring)."""
    for folder in ("archspec", "benchmarks"):
        compileall.compile_dir(str(ROOT / folder), quiet=1)
    subprocess.run([sys.executable, "-c", "import lightning, torchmetrics"], check=True)


def _threads() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()
