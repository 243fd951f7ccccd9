"""How the table and markdown reports write numbers: counts with separators, FLOPs in SI units,
bytes in binary units, signed changes and percentages.  JSON keeps the raw numbers."""

from __future__ import annotations

from archspec.analysis.structure import Shape

DASH = "—"


def count(n: float | int | None) -> str:
    """63082496 -> '63,082,496'; floats (metrics) with 4 significant digits."""
    if n is None:
        return DASH
    if isinstance(n, float) and not n.is_integer():
        return f"{n:.4g}"
    return f"{int(n):,}"


def signed(n: float | int | None) -> str:
    """+151,162,880 / -12 / 0."""
    if n is None:
        return DASH
    if isinstance(n, float) and not n.is_integer():
        return f"{n:+.4g}"
    return f"{int(n):+,}" if n else "0"


def percent(r: float | None) -> str:
    """0.2396 -> '+23.96%' with 3 significant digits; None -> dash."""
    if r is None:
        return DASH
    if r == 0:
        return "0%"
    return f"{100 * r:+.3g}%"


def flops(n: float | int | None) -> str:
    """126_200_000 -> '126.2 MFLOP' (4 significant digits)."""
    return _scaled(n, 1000, ["FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP"])


def nbytes(n: float | int | None) -> str:
    """1_572_864 -> '1.5 MiB'."""
    return _scaled(n, 1024, ["B", "KiB", "MiB", "GiB", "TiB", "PiB"])


def _scaled(n: float | int | None, base: int, units: list[str]) -> str:
    if n is None:
        return DASH
    value, unit = float(n), units[0]
    for unit in units:
        if abs(value) < base or unit == units[-1]:
            break
        value /= base
    if unit == units[0]:
        return f"{int(value):,} {unit}"
    return f"{value:.4g} {unit}"


def shape(s: Shape) -> str:
    """(1536, 512) -> '1536×512'."""
    return "×".join(str(d) for d in s)


def shape_change(a: dict[str, Shape], b: dict[str, Shape]) -> str:
    """Parameters of one module on both sides: 'weight 512×512 → 1024×1024, bias 512 → 1024';
    a module on one side only lists its shapes; a parameter one side lacks shows a dash."""
    if not a or not b:
        return ", ".join(f"{name} {shape(s)}" for name, s in (a or b).items())
    parts = []
    for name in [*a, *(k for k in b if k not in a)]:
        sa = shape(a[name]) if name in a else DASH
        sb = shape(b[name]) if name in b else DASH
        parts.append(f"{name} {sa}" if sa == sb else f"{name} {sa} → {sb}")
    return ", ".join(parts)
