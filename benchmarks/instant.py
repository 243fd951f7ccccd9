"""Wall time and peak memory of the commands that must feel instant, run as a user runs them.

Each command runs as `python -m archspec ...` in a fresh interpreter under /usr/bin/time -v
(peak resident set); the wall time is the median of `repeats` runs, measured around the
subprocess. A second run of each command through an atexit hook reports whether torch was
imported. `archspec diff` is skipped when this checkout does not have it yet.

Run alone: python -m benchmarks.instant
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE, BIG = "recipes/paper/base.yaml", "recipes/paper/big.yaml"
COMMANDS: list[tuple[str, list[str], bool]] = [
    ("archspec --help", ["--help"], False),
    ("archspec validate base.yaml", ["validate", BASE], False),
    ("archspec show base.yaml", ["show", BASE], False),
    ("archspec diff base.yaml big.yaml", ["diff", BASE, BIG], False),
    ("archspec summary big.yaml (meta device)", ["summary", BIG], True),
]
"""(label, arguments, whether the command may import torch)."""
OK_STATUS = {"diff": (0, 1)}
"""Exit statuses that are answers, not failures (diff: 1 when the architectures differ)."""

_PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.__stderr__.write('TORCH_IMPORTED=%s\\n' % ('torch' in "
    "sys.modules)))\n"
    "from archspec.cli import main\n"
    "main(sys.argv[1:])\n"
)


def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def has_command(name: str) -> bool:
    """Whether `archspec NAME --help` works in this checkout."""
    out = subprocess.run(
        [sys.executable, "-m", "archspec", name, "--help"],
        cwd=ROOT, env=_env(), capture_output=True, text=True,
    )  # fmt: skip
    return out.returncode == 0


def time_command(args: list[str], repeats: int = 5) -> dict[str, float | bool]:
    """Median wall seconds, peak resident MB, and whether torch was imported."""
    gnu_time = shutil.which("time") or "/usr/bin/time"
    walls, peaks = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = subprocess.run(
            [gnu_time, "-v", sys.executable, "-m", "archspec", *args],
            cwd=ROOT, env=_env(), capture_output=True, text=True,
        )  # fmt: skip
        walls.append(time.perf_counter() - t0)
        if out.returncode not in OK_STATUS.get(args[0], (0,)):
            raise RuntimeError(f"archspec {' '.join(args)} failed:\n{out.stderr[-2000:]}")
        peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
        peaks.append(int(peak.group(1)) / 1024 if peak else float("nan"))
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    torch_imported = "TORCH_IMPORTED=True" in probe.stderr
    return {"wall_s": statistics.median(walls), "peak_mb": max(peaks), "torch": torch_imported}


def python_startup(repeats: int = 5) -> float:
    """Median wall seconds of `python -c pass`, the floor under every command."""
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        walls.append(time.perf_counter() - t0)
    return statistics.median(walls)


def run(repeats: int = 5, log=print) -> list[dict]:  # noqa: ANN001
    """One row per command: label, wall_s, peak_mb, torch, allowed_torch, skipped."""
    rows: list[dict] = [
        {"label": "python -c pass (interpreter start)", "wall_s": python_startup(repeats),
         "peak_mb": float("nan"), "torch": False, "allowed_torch": False, "skipped": None},
    ]  # fmt: skip
    for label, args, allowed in COMMANDS:
        if args[0] != "--help" and not has_command(args[0]):
            log(f"  {label}: skipped (no `{args[0]}` command in this checkout yet)")
            rows.append({"label": label, "skipped": f"no `{args[0]}` command in this checkout"})
            continue
        row = {"label": label, "allowed_torch": allowed, "skipped": None}
        row |= time_command(args, repeats)
        log(f"  {label}: {row['wall_s']:.2f} s, {row['peak_mb']:.0f} MB, torch={row['torch']}")
        rows.append(row)
    return rows


def markdown(rows: list[dict]) -> list[str]:
    lines = [
        "| command | wall time (median) | peak RSS | imports torch |",
        "|---|---|---|---|",
    ]
    for r in rows:
        if r["skipped"]:
            lines.append(f"| `{r['label']}` | skipped: {r['skipped']} | | |")
            continue
        peak = "" if r["peak_mb"] != r["peak_mb"] else f"{r['peak_mb']:.0f} MB"
        torch = "yes" if r["torch"] else "no"
        if r["torch"] and not r["allowed_torch"]:
            torch += " (should not)"
        lines.append(f"| `{r['label']}` | {r['wall_s']:.2f} s | {peak} | {torch} |")
    return lines


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print("\n".join(markdown(run())))
