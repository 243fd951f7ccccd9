"""The sweep file: a base recipe, what changes per variant, what to report, where to run.

```yaml
base: paper/base                          # a recipe (path or shipped name), or one written inline
cases:                                    # named rows, each a set of changes (Table 3's rows)
  base: {}
  h16: {set: {model.heads: 16}, reference: {parameters: 65.0e+6}}
grid: {schedule.warmup: [2000, 4000]}     # dotted path -> values; the Cartesian product
random: {samples: 4, seed: 0, space: {model.dropout.residual: {kind: uniform, low: 0, high: 0.3}}}
seeds: 2                                  # repeats per variant (trainer.seed, +1, ...)
metrics: {report: [val_loss, val_bleu], rank: val_bleu}
eval: {seq_len: [256]}                    # also score each at other lengths after training
```

Every axis multiplies: variants = cases x grid points x random samples x seeds (an absent axis
counts once).  Within a variant the changes apply in that order, after the base: case, grid,
random, seed, then `shrink`, then the command line's recipe `--set`s.  Two axes may not set the
same setting (nor one inside the other), so no change silently overwrites another.

Pydantic models on archspec's strict Spec base; no torch.  Expansion is in expand.py.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from archspec.spec.base import Issues, Spec, cross_check

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
"""Case and sweep names become folder names: letters, digits, '.', '_' and '-'."""


# --- random samplers (one per `kind`) -------------------------------------------------------


class ChoiceSampler(Spec):
    """One of the listed values, each equally likely."""

    kind: Literal["choice"] = "choice"
    values: list[Any] = Field(min_length=1)
    """The values to pick from (any YAML value, mappings too)."""


class UniformSampler(Spec):
    """A number drawn uniformly between low and high."""

    kind: Literal["uniform"] = "uniform"
    low: float
    """Smallest value."""
    high: float
    """Largest value."""

    @cross_check("low", "high")
    def _rules(self, issues: Issues) -> None:
        _check_range(self.low, self.high, issues)


class LogUniformSampler(Spec):
    """A positive number whose logarithm is uniform between log(low) and log(high): the usual
    choice for learning rates."""

    kind: Literal["loguniform"] = "loguniform"
    low: float = Field(gt=0)
    """Smallest value (above 0)."""
    high: float = Field(gt=0)
    """Largest value."""

    @cross_check("low", "high")
    def _rules(self, issues: Issues) -> None:
        _check_range(self.low, self.high, issues)


class IntSampler(Spec):
    """An integer drawn uniformly from low, low + step, ..., up to high (inclusive)."""

    kind: Literal["int"] = "int"
    low: int
    """Smallest value."""
    high: int
    """Largest value (inclusive)."""
    step: int = Field(1, ge=1)
    """Spacing of the allowed values, counted from low."""

    @cross_check("low", "high")
    def _rules(self, issues: Issues) -> None:
        _check_range(self.low, self.high, issues)


def _check_range(low: float, high: float, issues: Issues) -> None:
    if low >= high:
        issues.add("high", f"must be greater than low ({low}), found {high}")


Sampler = Annotated[
    ChoiceSampler | UniformSampler | LogUniformSampler | IntSampler, Field(discriminator="kind")
]
"""How one setting is drawn in a random search."""


# --- sections -------------------------------------------------------------------------------


class RandomSpec(Spec):
    """A seeded random search: `samples` draws of every setting in `space`."""

    samples: int = Field(ge=1)
    """How many variants to draw."""
    seed: int = 0
    """Seeds the draws: the same seed draws the same variants."""
    space: dict[str, Sampler] = Field(min_length=1)
    """Dotted recipe path -> sampler ({kind: choice | uniform | loguniform | int, ...})."""


class CaseSpec(Spec):
    """One named variant: changes to the base, and optional published numbers to compare with."""

    set: dict[str, Any] = {}
    """Dotted recipe path -> value, like `--set` (an empty case is the base itself)."""
    reference: dict[str, float] = {}
    """Published numbers for this row, shown beside the measured ones: `parameters` (a count,
    e.g. 65.0e+6) gets a residual column; any other key (ppl, bleu) is shown as is."""


class MetricsSpec(Spec):
    """What the results table reports and which metric ranks the variants."""

    report: list[str] = Field(["val_loss"], min_length=1)
    """Logged metrics to report, final and best value each (val_loss, val_ppl, val_acc,
    val_bleu for seq2seq, val_f1 for classification, train_loss, ...)."""
    rank: str | None = None
    """The metric that ranks the variants (default: the first reported; added to the report
    when it is not listed)."""
    mode: Literal["min", "max"] | None = None
    """Whether a lower or a higher rank metric is better (default: max for bleu, acc and f1,
    min otherwise)."""

    @property
    def ranked_by(self) -> str:
        return self.rank or self.report[0]

    @property
    def columns(self) -> list[str]:
        """The reported metrics, the rank metric included."""
        return self.report + ([self.rank] if self.rank and self.rank not in self.report else [])


def better(metric: str) -> Literal["min", "max"]:
    """Whether a lower or a higher value of a metric is better, from its name."""
    return "max" if re.search(r"bleu|acc|f1", metric) else "min"


class ShrinkSpec(Spec):
    """Shrink every variant for a quick run: widths divided, then a few settings replaced.

    Rows of an ablation set absolute widths (d_model 1024, d_k 16); dividing every width of
    every variant by the same factor keeps each row's relative change."""

    factor: int = Field(1, ge=1)
    """Divide model.d_model, d_ff, d_k and d_v of every variant by this (1: off).  A width
    the factor does not divide is an error naming the variant."""
    set: dict[str, Any] = {}
    """Dotted recipe path -> value, applied to every variant after the division when factor
    is above 1 (fewer steps, a small vocabulary, smaller data)."""


class LocalExecutor(Spec):
    """Run variants on this machine: one after another in this process, or in parallel as
    `archspec train` subprocesses."""

    kind: Literal["local"] = "local"
    parallel: int = Field(1, ge=1)
    """Variants running at once (each a subprocess with cores / parallel threads); 1 trains
    in this process."""
    devices_per_run: int | None = Field(None, ge=1)
    """GPUs per variant: the visible GPUs are split into groups of this size and each
    variant runs on one group (CUDA_VISIBLE_DEVICES), as many at once as there are groups."""


class SubmititExecutor(Spec):
    """Submit every variant as a job with submitit (SLURM; `local` and `debug` run the same
    jobs on this machine, for trying a set-up out)."""

    kind: Literal["submitit"] = "submitit"
    cluster: Literal["slurm", "local", "debug"] = "slurm"
    """slurm (sbatch), local (subprocesses) or debug (in this process)."""
    max_jobs: int = Field(16, ge=1)
    """Jobs queued or running at once."""
    timeout_min: int = Field(24 * 60, ge=1)
    """Time limit of one job, in minutes."""
    partition: str | None = None
    """SLURM partition."""
    nodes: int = Field(1, ge=1)
    """Nodes per job (Lightning's multi-node DDP inside the job: set trainer.num_nodes too)."""
    gpus_per_node: int = Field(0, ge=0)
    """GPUs per node (set trainer.devices to match)."""
    cpus_per_task: int = Field(4, ge=1)
    """CPU cores per task."""
    mem_gb: float | None = Field(None, gt=0)
    """Memory per node in GB."""
    parameters: dict[str, Any] = {}
    """Any other submitit parameter, e.g. {slurm_account: proj, slurm_qos: high}."""


class RayExecutor(Spec):
    """Run every variant as a Ray task: on a Ray cluster (`address: auto` joins the one this
    machine belongs to) or on a Ray instance started on this machine (no address)."""

    kind: Literal["ray"] = "ray"
    address: str | None = None
    """The cluster to join (`auto`, `ray://head:10001`); None: start Ray on this machine."""
    num_cpus: int | None = Field(None, ge=1)
    """With no address: the CPUs the local Ray instance offers (None: all of them)."""
    max_jobs: int = Field(4, ge=1)
    """Variants running at once (Ray also waits for free CPUs and GPUs)."""
    cpus_per_run: float = Field(1.0, gt=0)
    """CPUs each variant reserves (its threads: torch uses this many)."""
    gpus_per_run: float = Field(0.0, ge=0)
    """GPUs each variant reserves (set trainer.devices and accelerator to match)."""
    runtime_env: dict[str, Any] = {}
    """Ray's runtime_env for the tasks, e.g. {env_vars: {HF_HOME: /data}} or a working_dir."""


class EvalSpec(Spec):
    """Score every variant again once it has trained, as `archspec eval RUN --seq-len N` does
    (scoring.py): its validation split in blocks of each length, one column per length."""

    seq_len: list[Annotated[int, Field(ge=2)]] = Field(min_length=1)
    """Block lengths to score at, e.g. [256] for twice a training length of 128 (the length
    extrapolation of Press et al. 2022); each at most model.max_len."""
    checkpoint: Literal["best", "last"] = "best"
    """Which checkpoint of each run is scored."""


Executor = Annotated[LocalExecutor | SubmititExecutor | RayExecutor, Field(discriminator="kind")]
"""Where the variants run."""


class SweepSpec(Spec):
    """An ablation study: one base recipe and the variants made from it."""

    name: str | None = None
    """Folder name under sweeps/ (default: the sweep file's name)."""
    title: str | None = None
    """Heading of the results table."""
    base: str | dict[str, Any]
    """The recipe every variant starts from: a path relative to this file or a shipped name
    ('paper/base'), or a recipe written inline (it may `extends:` one)."""
    cases: dict[str, CaseSpec] | None = None
    """Named variants, in table order: name -> {set: {path: value}, reference: {...}}.  List
    `base: {}` to have the unchanged base as a row.  Without cases the base is the one case."""
    grid: dict[str, list[Any]] = {}
    """Dotted recipe path -> values; every combination is a variant (of every case)."""
    random: RandomSpec | None = None
    """A seeded random search (its samples multiply with cases and grid)."""
    seeds: Annotated[int, Field(ge=1)] | list[int] = 1
    """Repeats of every variant: a count (trainer.seed, trainer.seed + 1, ...) or the seeds."""
    metrics: MetricsSpec = MetricsSpec()
    """What to report and which metric ranks."""
    labels: dict[str, str] = {}
    """Column headers for varied settings: {model.encoder.layers: N}.  Columns sharing a
    label merge when they agree in every row."""
    reference_label: str = "reference"
    """What the `reference:` numbers are called in the table (e.g. 'paper')."""
    flops_seq_len: int | None = Field(None, ge=1)
    """Sequence length for FLOPs per token (default: each variant's model.max_len)."""
    eval: EvalSpec | None = None
    """Score each finished variant at other sequence lengths after training ({seq_len: [256]});
    the scores become columns of the table."""
    shrink: ShrinkSpec = ShrinkSpec()
    """A quick, small version of every variant (off unless factor > 1)."""
    executor: Executor = LocalExecutor()
    """Where variants run (the `--parallel` and `--devices-per-run` flags set the local one)."""

    @field_validator("cases", mode="before")
    @classmethod
    def _empty_cases(cls, value: Any) -> Any:
        """`base:` with nothing after it (YAML null) is an empty case."""
        if isinstance(value, dict):
            return {k: ({} if v is None else v) for k, v in value.items()}
        return value

    @cross_check("name", "cases")
    def _names(self, issues: Issues) -> None:
        if self.name is not None and not NAME.match(self.name):
            issues.add("name", f"'{self.name}' names a folder: use letters, digits, . _ -")
        for case in self.cases or {}:
            if not NAME.match(str(case)):
                issues.add(
                    ("cases", case), "a case name names a folder: use letters, digits, . _ -"
                )
        if self.cases is not None and not self.cases:
            issues.add("cases", "no cases listed; remove `cases:` or list at least one")

    @cross_check("grid", "seeds")
    def _axes(self, issues: Issues) -> None:
        for path, values in self.grid.items():
            if not values:
                issues.add(("grid", path), "a grid axis needs at least one value")
        if isinstance(self.seeds, list) and (
            not self.seeds or len(set(self.seeds)) < len(self.seeds)
        ):
            issues.add("seeds", "list each seed once (at least one)")

    @cross_check("grid", "random.space", "seeds")
    def _overlaps(self, issues: Issues) -> None:
        _check_overlaps(self, issues)

    @property
    def seed_list(self) -> list[int] | None:
        """Explicit seeds, or None for `seeds: N` (counted from each variant's trainer.seed)."""
        return self.seeds if isinstance(self.seeds, list) else None

    @property
    def n_seeds(self) -> int:
        return len(self.seeds) if isinstance(self.seeds, list) else self.seeds


def _check_overlaps(spec: SweepSpec, issues: Issues) -> None:
    """Two axes setting the same setting (or one inside the other) is an error."""
    axes: list[tuple[str, tuple[str | int, ...]]] = []  # (dotted path, where in the sweep file)
    axes += [(p, ("grid", p)) for p in spec.grid]
    if spec.random is not None:
        axes += [(p, ("random", "space", p)) for p in spec.random.space]
    if spec.n_seeds > 1:
        axes.append(("trainer.seed", ("seeds",)))
    owners: dict[str, tuple[str | int, ...]] = {}
    for path, where in axes:
        clash = _clash(path, owners)
        if clash:
            issues.add(where, f"{path} is also set by {'.'.join(map(str, owners[clash]))}")
        owners[path] = where
    for name, case in (spec.cases or {}).items():
        for path in case.set:
            clash = _clash(path, owners)
            if clash:
                issues.add(
                    ("cases", name, "set", path),
                    f"{path} is also set by {'.'.join(map(str, owners[clash]))}; "
                    "a setting can be changed by one axis only",
                )


def _clash(path: str, owners: dict[str, Any]) -> str | None:
    for other in owners:
        if path == other or path.startswith(other + ".") or other.startswith(path + "."):
            return other
    return None
