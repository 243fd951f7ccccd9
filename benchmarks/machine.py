"""What the results were measured on: CPU, threads, load, library versions, the command."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata


def cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def cpu_flags() -> list[str]:
    """The vector extensions that decide matmul speed (AVX2, AVX-512, AMX)."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    wanted = ["avx2", "avx512f", "avx512_bf16", "amx_bf16", "amx_tile"]
                    return [w for w in wanted if w in flags]
    except OSError:
        pass
    return []


def load_average() -> tuple[float, float, float]:
    return os.getloadavg()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ["torch", "transformers", "x-transformers", "archspec"]:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            if pkg == "archspec":
                import archspec

                out[pkg] = archspec.__version__ + " (checkout)"
            else:
                out[pkg] = "not installed"
    return out


def describe(threads: int) -> list[str]:
    """Markdown bullet lines about the machine."""
    import torch

    flags = ", ".join(cpu_flags()) or "none of avx2/avx512/amx"
    v = versions()
    return [
        f"- CPU: {cpu_name()}, {os.cpu_count()} logical cores ({flags}); "
        f"torch threads {threads}; {platform.system()} {platform.release()}",
        f"- GPU: {torch.cuda.get_device_name() if torch.cuda.is_available() else 'none'}",
        "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
        f"- command: `{' '.join(['python', *sys.argv])}`",
    ]
