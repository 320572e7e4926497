"""Simulation: coverage of the confidence intervals of inference after selection.

Run by hand (never in CI):

    python benchmarks/coverage.py                        # 500 replicates per scenario
    python benchmarks/coverage.py --reps 50 --methods naive
    python benchmarks/coverage.py --scenarios gauss-p20-rho0 --jobs 2
    # two processes sharing (and resuming) one study in a directory of row files
    python benchmarks/coverage.py --rows DIR &
    python benchmarks/coverage.py --rows DIR --reverse &
    python benchmarks/coverage.py --rows DIR --summarize-only --out table.md
    python benchmarks/coverage.py --cost 5          # CPU seconds of a replicate, by step

Every replicate draws a new design and response, fits the lasso at a fixed lambda
(``lam = c sqrt(2 log(p) / n)``, the order of the universal threshold on glmnet's
scale: ``c = sigma`` for gaussian, ``c = 1/2`` for binomial), and runs
``fit.inference(method, level=0.9)`` for every method registered in
:data:`penstat.inference.run.RUNNERS`. For each column the fit selected and the
method reports an interval for, the interval is checked against two targets:

* ``partial``: the coefficient of the column in the best fit of the true mean on the
  selected columns (least squares of ``X beta`` on ``[1, X_M]``; for binomial, the
  logistic fit of the true probabilities on ``[1, X_M]``), the target of selective
  inference and of the classical refit (Berk et al. 2013; Lee et al. 2016);
* ``full``: the true coefficient ``beta_j``, the target of the debiased lasso and
  of sample splitting.

A method's own target is ``details["target"]`` of its result when it says, else
``partial`` for ``selective`` and ``naive`` and ``full`` for the others. Coverage is
pooled over all intervals of all replicates, with a Monte Carlo standard error that
takes the replicate as the unit (:func:`cluster_se`): the intervals of one data set
share its noise, its selection and its sigma estimate, so they are not independent
(``--check-se`` checks the standard error on a simulation with a known answer).

Two columns check what the methods promise for a whole replicate rather than one
interval (:func:`family_wise`): the simultaneous coverage, the share of replicates
in which every interval of the method covers its target, and the family-wise error
rate, the share of replicates in which some true null (a column whose own target is
0) gets an adjusted p-value <= 1 - level. The adjusted p-values are the method's
``p_adjusted`` (split: multi-split FWER adjustment over all columns; debiased: Holm
over all columns), else Holm over the p-values it reports (selective and naive: the
selected columns). Each replicate gives one yes or no, so their Monte Carlo s.e.
(:func:`cluster_se` with one interval per replicate) is ``sqrt(c (1 - c) / (R - 1))``.

Scenarios: gaussian n = 100, p = 20 and 200, Toeplitz correlation rho^|i-j| with
rho = 0 and 0.5, 5 true effects (+-1, +-0.75, 0.5 spread over the columns), sigma = 1;
binomial n = 300, p = 50, rho = 0, the same effects. Failures (a method refusing a
replicate, e.g. more selected columns than rows for the refit) are counted, not
hidden. BLAS runs one thread per process. The machine may be shared: this script
measures coverage, not time.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import limit_threads_from_argv  # noqa: E402

THREADS = limit_threads_from_argv(default=1)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

EFFECTS = np.array([1.0, -1.0, 0.75, -0.75, 0.5])
SIGMA = 1.0  # the noise standard deviation of the gaussian scenarios
OWN_TARGET = {"selective": "partial", "naive": "partial"}


@dataclass(frozen=True)
class Scenario:
    name: str
    family: str
    n: int
    p: int
    rho: float

    @property
    def beta(self) -> np.ndarray:
        beta = np.zeros(self.p)
        where = np.linspace(0, self.p - 1, len(EFFECTS) + 1)[:-1].round().astype(int)
        beta[where] = EFFECTS
        return beta

    @property
    def lam(self) -> float:
        scale = 1.0 if self.family == "gaussian" else 0.5
        return scale * math.sqrt(2 * math.log(self.p) / self.n)


SCENARIOS = {
    s.name: s
    for s in (
        Scenario("gauss-p20-rho0", "gaussian", 100, 20, 0.0),
        Scenario("gauss-p20-rho0.5", "gaussian", 100, 20, 0.5),
        Scenario("gauss-p200-rho0", "gaussian", 100, 200, 0.0),
        Scenario("gauss-p200-rho0.5", "gaussian", 100, 200, 0.5),
        Scenario("binom-p50-rho0", "binomial", 300, 50, 0.0),
    )
}


def draw(scenario: Scenario, rng: np.random.Generator):
    """A design with Toeplitz correlation, the true mean and a response."""
    n, p, rho = scenario.n, scenario.p, scenario.rho
    z = rng.standard_normal((n, p))
    if rho > 0:  # AR(1) columns: corr(x_i, x_j) = rho^|i - j|
        x = np.empty_like(z)
        x[:, 0] = z[:, 0]
        for j in range(1, p):
            x[:, j] = rho * x[:, j - 1] + math.sqrt(1 - rho**2) * z[:, j]
    else:
        x = z
    eta = x @ scenario.beta
    if scenario.family == "gaussian":
        mean = eta
        y = eta + rng.standard_normal(n)
    else:
        mean = 1 / (1 + np.exp(-eta))
        y = (rng.random(n) < mean).astype(float)
    return x, mean, y


def partial_target(scenario: Scenario, x, mean, keep: np.ndarray) -> np.ndarray:
    """The coefficients of the best fit of the true mean on [1, X_M]."""
    exog = np.column_stack([np.ones(len(x)), x[:, keep]])
    if scenario.family == "gaussian":
        return np.linalg.lstsq(exog, mean, rcond=None)[0][1:]
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(mean, exog, family=sm.families.Binomial()).fit()
    return np.asarray(res.params)[1:]


def replicate(
    scenario: Scenario,
    methods: list[str],
    level: float,
    seed,
    lam_factor: float = 1.0,
    clock: dict[str, float] | None = None,
) -> list[dict]:
    """One data set: the lasso at the scenario's lambda (times ``lam_factor``), then
    every method. ``clock``: adds the CPU seconds of the data, fit and targets
    (``"fit"``), of each method and of reading the intervals (``"rows"``)."""
    import penstat as ps

    clock = {} if clock is None else clock
    tick = time.process_time()

    def lap(key: str) -> None:
        nonlocal tick
        now = time.process_time()
        clock[key] = clock.get(key, 0.0) + now - tick
        tick = now

    rng = np.random.default_rng(seed)
    x, mean, y = draw(scenario, rng)
    names = [f"x{j + 1}" for j in range(scenario.p)]
    frame = pd.DataFrame(x, columns=names)
    frame["y"] = y
    lam = lam_factor * scenario.lam
    with reused_design(scenario):
        fit = ps.lasso("y ~ .", frame, family=scenario.family, lam=lam)
    selected = [names.index(c) for c in fit.selected]
    rows = []
    if not selected:
        return [{"method": m, "status": "none selected"} for m in methods]
    keep = np.zeros(scenario.p, dtype=bool)
    keep[selected] = True
    targets = {
        "partial": dict(
            zip(fit.selected, partial_target(scenario, x, mean, keep), strict=True)
        ),
        "full": dict(zip(names, scenario.beta, strict=True)),
    }
    child = seed.spawn(1)[0]  # the methods' randomness, apart from the data's
    done = {}
    lap("fit")
    for method in methods:
        # "NAME@sigma": the method given the true noise level (gaussian only);
        # "NAME:key=value,...": with these options
        base, _, given = method.partition("@")
        name, options = parse_method(base)
        if given and scenario.family != "gaussian":
            continue
        if given and name in RESCALED and base in done:
            # the same run (same seed) with the true sigma: only the standard errors
            # change, in proportion to sigma
            res = RESCALED[name](done[base], SIGMA, level)
            lap(method)
            rows += _rows(method, name, res, fit, targets, selected)
            lap("rows")
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = fit.inference(
                    name,
                    level=level,
                    seed=child,
                    n_jobs=1,
                    progress=False,
                    sigma=SIGMA if given else None,
                    **options,
                )
        except ps.PenstatError as exc:
            rows.append({"method": method, "status": f"refused: {type(exc).__name__}"})
            lap(method)
            continue
        if not given:
            done[base] = res
        lap(method)
        rows += _rows(method, name, res, fit, targets, selected)
        lap("rows")
    return rows


def cost(methods: list[str], level: float, reps: int, seed: int) -> str:
    """CPU seconds of one replicate by scenario and step, the mean over replicates
    ``reps .. 2 reps - 1`` of each scenario after one replicate of warm-up (outside
    the study's first ``reps``), in this process."""
    keys = ["fit", *methods, "rows"]
    lines = [
        f"CPU seconds per replicate (mean of {reps}; BLAS threads: {THREADS})",
        "",
        "| scenario | " + " | ".join(keys) + " | total |",
        "|---|" + "--:|" * (len(keys) + 1),
    ]
    for k, scenario in enumerate(SCENARIOS.values()):
        seeds = np.random.SeedSequence([seed, k]).spawn(2 * reps + 1)
        replicate(scenario, methods, level, seeds[-1])
        clock: dict[str, float] = {}
        for s in seeds[reps : 2 * reps]:
            replicate(scenario, methods, level, s, clock=clock)
        cells = [f"{clock[key] / reps:.3f}" if key in clock else "–" for key in keys]
        total = sum(clock.values()) / reps
        lines.append(f"| {scenario.name} | " + " | ".join(cells) + f" | {total:.3f} |")
    return "\n".join(lines)


#: Scenario name -> the design of its first replicate (see :func:`reused_design`).
_TEMPLATES: dict = {}
#: False: every replicate's design is built from the formula (``--no-design-cache``).
REUSE_DESIGN = True


@contextlib.contextmanager
def reused_design(scenario: Scenario):
    """Within the block, the fit's design for ``"y ~ ."`` on a replicate's frame is
    the scenario's first design with this frame's ``X`` and ``y`` in it.

    Every replicate of a scenario has the same numeric columns ``x1 .. xp`` and
    response ``y``, no missing value, weight or offset, so patsy's design (its
    terms, column names, row labels) is the same but for the numbers. Building it
    from the formula took about a sixth of a p = 200 replicate's CPU time.
    ``--check-design`` compares the design this gives with patsy's, field by field.
    """
    import penstat.api as api

    if not REUSE_DESIGN:
        yield
        return
    real = api.build_design

    def build(formula, data, family, **options):
        template = _TEMPLATES.get(scenario.name)
        if template is None:
            template = _TEMPLATES[scenario.name] = real(formula, data, family, **options)
            return template
        return _with_data(template, data)

    api.build_design = build
    try:
        yield
    finally:
        api.build_design = real


def _with_data(template, data: pd.DataFrame):
    """``template`` with the numbers of ``data`` (same columns, rows and family)."""
    x = np.asfortranarray(data[template.columns].to_numpy(dtype=float))
    y = data[template.response].to_numpy(dtype=float)
    frame = data[template.input_columns]
    return dataclasses.replace(template, X=x, y=y, _frame=frame)


def check_design(reps: int = 3) -> str:
    """The design :func:`reused_design` gives against patsy's, on ``reps``
    replicates of every scenario: every field equal (arrays bit for bit)."""
    import penstat.api as api
    from penstat.family import get_family

    lines = []
    for k, scenario in enumerate(SCENARIOS.values()):
        seeds = np.random.SeedSequence([2024, k]).spawn(reps + 1)
        template = None
        for seed in seeds:
            x, _, y = draw(scenario, np.random.default_rng(seed))
            frame = pd.DataFrame(x, columns=[f"x{j + 1}" for j in range(scenario.p)])
            frame["y"] = y
            real = api.build_design("y ~ .", frame, get_family(scenario.family))
            if template is None:
                template = real
                continue
            mine = _with_data(template, frame)
            bad = []
            for f in dataclasses.fields(real):
                a, b = getattr(real, f.name), getattr(mine, f.name)
                if f.name == "design_info":
                    same = a.column_names == b.column_names
                elif isinstance(a, np.ndarray):
                    same = (
                        a.dtype == b.dtype
                        and a.flags.f_contiguous == (b.flags.f_contiguous)
                        and np.array_equal(a, b)
                    )
                elif isinstance(a, pd.DataFrame | pd.Index):
                    same = a.equals(b)
                else:
                    same = a == b
                if not same:
                    bad.append(f.name)
            lines.append(f"{scenario.name}: {'same' if not bad else bad}")
    return "\n".join(lines)


def parse_method(method: str) -> tuple[str, dict[str, str]]:
    """``"NAME:key=value;key=value"`` -> ``("NAME", {key: value})`` (string options
    of ``fit.inference``, e.g. ``debiased:initial=lasso``)."""
    name, _, rest = method.partition(":")
    options = dict(item.split("=", 1) for item in rest.split(";") if item)
    return name, options


def _debiased_with_sigma(res, sigma: float, level: float):
    """A debiased result with ``sigma`` in place of its estimate: its intervals are
    ``b +- z se`` with ``se`` proportional to sigma (the nodewise part does not
    depend on sigma)."""
    from scipy import stats

    table = res.table.copy()
    table["std_error"] = table["std_error"] * (sigma / res.sigma)
    q = stats.norm.ppf(0.5 + level / 2.0)
    table["ci_lower"] = table["estimate"] - q * table["std_error"]
    table["ci_upper"] = table["estimate"] + q * table["std_error"]
    # two-sided p-values and Holm's adjustment at the new standard errors
    table["p_value"] = 2.0 * stats.norm.sf(np.abs(table["estimate"] / table["std_error"]))
    table["p_adjusted"] = holm(table["p_value"].to_numpy())
    return dataclasses.replace(res, table=table, sigma=sigma, sigma_method="given")


def _rescaled_pvalues(frame: pd.DataFrame) -> pd.DataFrame:
    """The p-values of ``debiased@sigma`` rows from the ``debiased`` row of the same
    replicate and column: ``|z|`` grows by the ratio of the widths (the same
    estimate, standard errors in proportion to sigma), then Holm by replicate.
    Row files written before :func:`_debiased_with_sigma` rescaled the p-values hold
    the estimated sigma's there; this gives the same numbers for both."""
    from scipy import stats

    mine = frame[(frame["method"] == "debiased@sigma") & (frame["status"] == "ok")]
    base = frame[(frame["method"] == "debiased") & (frame["status"] == "ok")]
    if not len(mine) or not len(base) or "p_value" not in frame:
        return frame
    key = ["replicate", "column"]
    pair = mine[key].merge(
        base[[*key, "p_value", "width"]], on=key, how="left", validate="one_to_one"
    )
    z = stats.norm.isf(pair["p_value"].to_numpy(dtype=float) / 2.0)
    z = z * pair["width"].to_numpy(dtype=float) / mine["width"].to_numpy(dtype=float)
    pval = 2.0 * stats.norm.sf(z)
    adjusted = np.empty_like(pval)
    for r in np.unique(mine["replicate"]):
        at = (mine["replicate"] == r).to_numpy()
        adjusted[at] = holm(pval[at])
    frame = frame.copy()
    frame.loc[mine.index, "p_value"] = pval
    frame.loc[mine.index, "p_adjusted"] = adjusted
    return frame


#: Methods whose NAME@sigma result is computed from NAME's result of the same
#: replicate, exactly (saves a second run).
RESCALED = {"debiased": _debiased_with_sigma}


def _rows(method, name, res, fit, targets, selected) -> list[dict]:
    rows = []
    own = str(res.details.get("target", OWN_TARGET.get(name, "full")))
    own = "partial" if own not in ("partial", "full") else own
    # a method with the full model's coefficients as its target reports (and is
    # checked) on every column it has an interval for, selected or not; the
    # partial target exists only for the selected columns
    shown = res.table.index if own == "full" else fit.selected
    table = res.table.loc[[c for c in shown if c in res.table.index]]
    lower = table["ci_lower"].to_numpy(dtype=float)
    upper = table["ci_upper"].to_numpy(dtype=float)
    pval = table["p_value"].to_numpy(dtype=float)
    if "p_adjusted" in table:
        padj = table["p_adjusted"].to_numpy(dtype=float)
    else:
        padj = np.full(len(table), math.nan)
    for k, column in enumerate(table.index):
        lo, hi = float(lower[k]), float(upper[k])
        if math.isnan(lo) or math.isnan(hi):
            continue
        entry = {"method": method, "status": "ok", "own": own, "column": column}
        for kind, target in targets.items():
            entry[kind] = lo <= target[column] <= hi if column in target else None
        entry["width"] = hi - lo
        entry["n_selected"] = len(selected)
        # for the family-wise columns: the p-values and the values of both targets
        entry["p_value"] = float(pval[k])
        entry["p_adjusted"] = float(padj[k])
        entry["theta"] = float(targets["partial"].get(column, math.nan))
        entry["beta"] = float(targets["full"][column])
        rows.append(entry)
    return rows


def _numbered(i: int, scenario: Scenario, *args) -> tuple[int, Scenario, list[dict]]:
    return i, scenario, replicate(scenario, *args)


class RowStore:
    """Where ``--rows`` keeps the intervals, one CSV row each.

    A file: rows are appended to it, and a replicate counts as done when the file
    has it with every method. A directory: each process appends to its own
    ``rows-TAG.csv`` and, once a replicate's rows are written, a line
    ``scenario,replicate`` to the shared ``done.txt``; every process reads
    ``done.txt`` before it starts a replicate, so processes on the same directory
    never run a replicate twice, and a later run resumes from all of them.
    """

    def __init__(self, path: Path | None, tag: str, methods: list[str]):
        self.path, self.methods = path, methods
        self.is_dir = path is not None and (path.is_dir() or not path.suffix)
        if self.is_dir:
            path.mkdir(parents=True, exist_ok=True)
            self.out = path / f"rows-{tag}.csv"
            self.index = path / "done.txt"
            for file in (self.out, self.index):
                # a run stopped inside a write: end its last line
                if file.exists() and file.stat().st_size:
                    with open(file, "rb+") as fh:
                        fh.seek(-1, 2)
                        if fh.read(1) != b"\n":
                            fh.write(b"\n")
        else:
            self.out, self.index = path, None
        self._own: set[tuple[str, int]] = set()
        self._file_done: dict[str, set[int]] = {}

    def done(self, scenario: Scenario, i: int) -> bool:
        if self.path is None:
            return False
        if (scenario.name, i) in self._own:
            return True
        if self.is_dir:
            return (scenario.name, i) in self._read_index()
        if scenario.name not in self._file_done:
            old = _saved_rows(self.path, scenario, self.methods, 1 << 30)
            self._file_done[scenario.name] = set(old["replicate"]) if len(old) else set()
        return i in self._file_done[scenario.name]

    def _read_index(self) -> set[tuple[str, int]]:
        if not self.index.exists():
            return set()
        pairs = set()
        for line in self.index.read_text(encoding="utf-8").splitlines():
            name, _, i = line.partition(",")
            if i.strip().isdigit():
                pairs.add((name, int(i)))
        return pairs

    def append(self, scenario: Scenario, i: int, batch: list[dict]) -> None:
        self._own.add((scenario.name, i))
        if self.path is None:
            return
        text = pd.DataFrame(batch).to_csv(header=not self.out.exists(), index=False)
        with open(self.out, "a", encoding="utf-8") as fh:
            fh.write(text)  # one write: a stopped run leaves whole replicates
        if self.is_dir:
            with open(self.index, "a", encoding="utf-8") as fh:
                fh.write(f"{scenario.name},{i}\n")

    def rows(self, scenario: Scenario, reps: int) -> pd.DataFrame:
        """The saved rows of this scenario's first ``reps`` replicates."""
        if self.path is None:
            return pd.DataFrame()
        if not self.is_dir:
            return _saved_rows(self.path, scenario, self.methods, reps)
        done = {i for name, i in self._read_index() if name == scenario.name}
        parts = [
            _read_rows(f, scenario, self.methods, reps)
            for f in sorted(self.path.glob("rows-*.csv"))
        ]
        parts = [part for part in parts if len(part)]
        if not parts:
            return pd.DataFrame()
        old = pd.concat(parts, ignore_index=True)
        old = old[old["replicate"].isin(done)]
        # a replicate interrupted after part of its rows was written and run again
        return old.drop_duplicates(["replicate", "method", "column"], keep="last")


def _saved_rows(path: Path | None, scenario: Scenario, methods: list[str], reps: int):
    """The rows of ``--rows`` for this scenario, these methods and the first ``reps``
    replicates (a replicate is kept only with all the methods it runs: NAME@sigma
    only for gaussian scenarios)."""
    if path is None or not path.exists():
        return pd.DataFrame()
    need = {m for m in methods if scenario.family == "gaussian" or "@" not in m}
    old = _read_rows(path, scenario, methods, reps)
    if not len(old):
        return old
    complete = old.groupby("replicate")["method"].agg(lambda m: need <= set(m))
    return old[old["replicate"].isin(complete.index[complete])]


def _read_rows(path: Path, scenario: Scenario, methods: list[str], reps: int):
    """The rows of one CSV for this scenario, these methods, replicates < ``reps``
    (a line cut short by an interrupted write is skipped)."""
    old = pd.read_csv(path, on_bad_lines="skip", low_memory=False)
    old = old[(old["scenario"] == scenario.name) & (old["replicate"] < reps)]
    old = old[old["method"].isin(methods)]
    for kind in ("partial", "full"):
        if kind in old:
            old[kind] = old[kind].map({True: True, False: False, "True": True,
                                       "False": False})  # fmt: skip
    return old


def cluster_se(covered, replicate) -> float:
    """The Monte Carlo standard error of a coverage pooled over the intervals of
    several replicates, with the replicate as the unit.

    The pooled coverage is ``c = sum_r k_r / sum_r m_r`` (``k_r`` of the ``m_r``
    intervals of replicate ``r`` cover). Its standard error over ``R`` independent
    replicates is the ratio estimator's (Cochran 1977, *Sampling Techniques*,
    eq. 6.13, for clusters as units):
    ``sqrt(sum_r (k_r - c m_r)^2 / (R (R - 1))) / mean(m_r)``. When every replicate
    has the same number of intervals this is ``sqrt(var(f_r) / R)``, the variance of
    the per-replicate coverage fractions ``f_r = k_r / m_r`` over ``R``. The binomial
    ``sqrt(c (1 - c) / sum m_r)`` assumes independent intervals and understates the
    error when the intervals of one replicate cover or miss together.
    """
    _, unit = np.unique(np.asarray(replicate), return_inverse=True)
    k = np.bincount(unit, weights=np.asarray(covered, dtype=float))
    m = np.bincount(unit).astype(float)
    big_r = len(k)
    if big_r < 2:
        return math.nan
    cover = k.sum() / m.sum()
    return math.sqrt(((k - cover * m) ** 2).sum() / (big_r * (big_r - 1))) / m.mean()


def check_standard_error(studies: int = 4000, reps: int = 200, seed: int = 7) -> str:
    """The standard errors against a simulation whose answer is known.

    ``studies`` independent coverage studies of ``reps`` replicates each. Replicate
    ``r`` has ``m_r = 1 + Poisson(mean)`` intervals that cover independently with a
    probability ``q_r`` of its own, drawn around 0.9 (a Beta with the stated intra-
    replicate correlation ``icc = 1 / (a + b + 1)``; ``icc = 0``: ``q_r = 0.9``, the
    intervals independent). The pooled coverage's true standard deviation is its
    standard deviation over the studies (known to about 1%: ``1 / sqrt(2 studies)``)
    and, to first order, ``sqrt(E[(k - 0.9 m)^2] / R) / E[m]`` in closed form;
    each study's cluster and binomial standard errors are compared with it, and so
    is the share of studies whose ``c +- 1.645 se`` holds the true pooled coverage
    ``E[sum k] / E[sum m] = 0.9`` (``q_r`` is independent of ``m_r``).
    """
    rng = np.random.default_rng(seed)
    lines = [
        f"{studies} simulated studies of {reps} replicates, true coverage 0.9",
        "",
        "| intervals per replicate (mean) | within-replicate correlation | s.d. of "
        "the pooled coverage: formula | over the studies | cluster s.e. (mean) | "
        "binomial s.e. (mean) | 90% coverage of c +- 1.645 cluster s.e. | ... of "
        "binomial s.e. |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for mean_m, icc in ((5.0, 0.0), (5.0, 0.05), (5.0, 0.3), (200.0, 0.02)):
        pooled, clus, binom = [], [], []
        for _ in range(studies):
            m = 1 + rng.poisson(mean_m - 1, reps)
            if icc > 0:
                ab = 1 / icc - 1
                q = rng.beta(0.9 * ab, 0.1 * ab, reps)
            else:
                q = np.full(reps, 0.9)
            k = rng.binomial(m, q)
            c = k.sum() / m.sum()
            covered = np.repeat(
                np.tile([1.0, 0.0], reps), np.column_stack([k, m - k]).ravel()
            )
            ids = np.repeat(np.arange(reps), m)
            pooled.append(c)
            clus.append(cluster_se(covered, ids))
            binom.append(math.sqrt(c * (1 - c) / m.sum()))
        pooled, clus, binom = map(np.asarray, (pooled, clus, binom))
        truth = pooled.std(ddof=1)
        # the delta method: Var(c) = E[(k - 0.9 m)^2] / (R E[m]^2), with
        # E[(k - 0.9 m)^2 | m] = m E[q (1 - q)] + m^2 Var(q), Var(q) = 0.09 icc
        e_m, e_m2 = mean_m, (mean_m - 1) + mean_m**2
        formula = math.sqrt((e_m * 0.09 * (1 - icc) + e_m2 * 0.09 * icc) / reps) / e_m
        hit_c = float(np.mean(np.abs(pooled - 0.9) <= 1.645 * clus))
        hit_b = float(np.mean(np.abs(pooled - 0.9) <= 1.645 * binom))
        lines.append(
            f"| {mean_m:g} | {icc:g} | {formula:.5f} | {truth:.5f} | {clus.mean():.5f} | "
            f"{binom.mean():.5f} | {hit_c:.3f} | {hit_b:.3f} |"
        )
    return "\n".join(lines)


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjustment of the p-values of one replicate."""
    pv = np.asarray(pvalues, dtype=float)
    order = np.argsort(pv)
    m = len(pv)
    adjusted = np.maximum.accumulate((m - np.arange(m)) * pv[order])
    out = np.empty(m)
    out[order] = np.minimum(adjusted, 1.0)
    return out


#: A column is a true null of a target when the target's value is this small (the
#: partial target of a column is exactly 0, to rounding, when the selected set holds
#: every true effect; the binomial one is a fitted GLM, good to about 1e-8).
NULL_TOL = 1e-6


def family_wise(ok: pd.DataFrame, own: str, level: float) -> dict:
    """Per replicate: does every interval cover its target (simultaneous coverage),
    and does any true null get an adjusted p-value <= 1 - level (a family-wise
    error)? Shares over the replicates with intervals, with their Monte Carlo s.e.

    A method's adjusted p-values are its ``p_adjusted`` when it has them (split:
    FWER over all columns; debiased: Holm over all columns); otherwise Holm over the
    p-values it reports in the replicate (selective, naive: the selected columns).
    A null is a column whose own target (``theta`` for ``partial``, ``beta`` for
    ``full``) is 0.
    """
    if "p_value" not in ok:
        return {}
    value = "theta" if own == "partial" else "beta"
    alpha = 1.0 - level
    simultaneous, error = [], []
    for _, part in ok.groupby("replicate", sort=True):
        simultaneous.append(bool(part[own].astype(bool).all()))
        adjusted = part["p_adjusted"].to_numpy(dtype=float)
        if np.isnan(adjusted).all():
            adjusted = holm(part["p_value"].to_numpy(dtype=float))
        null = np.abs(part[value].to_numpy(dtype=float)) <= NULL_TOL
        error.append(bool((null & (adjusted <= alpha)).any()))
    units = np.arange(len(error))
    return {
        "simultaneous": float(np.mean(simultaneous)),
        "simultaneous_se": cluster_se(np.asarray(simultaneous, float), units),
        "fwer": float(np.mean(error)),
        "fwer_se": cluster_se(np.asarray(error, float), units),
    }


def summarize(scenario: Scenario, rows: list[dict], reps: int, level: float = 0.9):
    out = []
    frame = _rescaled_pvalues(pd.DataFrame(rows).reset_index(drop=True))
    for method, part in frame.groupby("method", sort=False):
        ok = part[part["status"] == "ok"]
        failed = part[part["status"] != "ok"]
        entry = {"scenario": scenario.name, "method": method, "reps": reps}
        entry["failed"] = int(failed["replicate"].nunique())
        entry["intervals"] = int(len(ok))
        if len(ok):
            own = ok["own"].iloc[0]
            other = "full" if own == "partial" else "partial"
            cover = ok[own].astype(float).mean()
            entry.update(
                target=own,
                coverage=cover,
                se=cluster_se(ok[own].astype(float), ok["replicate"]),
                other=ok[other].astype(float).mean(),
                other_target=other,
                width=float(np.median(ok["width"])),
                **family_wise(ok, own, level),
            )
        out.append(entry)
    return out


def markdown(results: list[dict], level: float) -> str:
    pct = f"{100 * level:g}%"
    alpha = f"{1 - level:.2g}"
    lines = [
        f"| scenario | method | target | {pct} coverage (cluster MC s.e.) | coverage of "
        f"the other target | simultaneous coverage (s.e.) | FWER at {alpha} (s.e.) | "
        "median width | intervals | replicates without intervals |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for r in results:
        if r["intervals"]:
            cells = [
                r["target"],
                f"{r['coverage']:.3f} ({r['se']:.3f})",
                f"{r['other']:.3f} ({r['other_target']})",
            ]
            if "fwer" in r:
                cells += [
                    f"{r['simultaneous']:.3f} ({r['simultaneous_se']:.3f})",
                    f"{r['fwer']:.3f} ({r['fwer_se']:.3f})",
                ]
            else:
                cells += ["–", "–"]
            cells.append(f"{r['width']:.3g}")
        else:
            cells = ["–"] * 6
        lines.append(
            f"| {r['scenario']} | {r['method']} | "
            + " | ".join(cells)
            + f" | {r['intervals']} | {r['failed']} of {r['reps']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from penstat.inference.run import RUNNERS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=500, help="replicates per scenario")
    parser.add_argument(
        "--methods",
        default=",".join([*RUNNERS, "selective@sigma"]),
        help="comma-separated; NAME@sigma: the method given the true sigma (gaussian "
        "scenarios); NAME:key=value;key=value: with these options of fit.inference "
        "(e.g. debiased:initial=lasso); default: every registered method "
        f"({','.join(RUNNERS)}) and selective@sigma",
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated scenario names"
    )
    parser.add_argument("--level", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--jobs", type=int, default=1, help="joblib workers")
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads (0: default)")
    parser.add_argument("--out", type=Path, help="also write the table to this file")
    parser.add_argument(
        "--rows",
        type=Path,
        help="CSV of every interval, appended replicate by replicate; the replicates "
        "already in it (scenario, replicate number, every method) are not run again, "
        "so an interrupted run resumes",
    )
    parser.add_argument(
        "--reverse",
        action="store_true",
        help="run the replicates from the last (a second process on another --rows "
        "file shares the work; concatenate the files)",
    )
    parser.add_argument(
        "--first",
        type=int,
        default=0,
        help="run only the replicates from this number on (a third process shares "
        "the work with a forward and a --reverse one)",
    )
    parser.add_argument(
        "--summarize-only",
        action="store_true",
        help="run nothing: the table of the replicates in --rows",
    )
    parser.add_argument(
        "--lam-factor",
        type=float,
        default=1.0,
        help="multiply each scenario's lambda (a check of this script: a tiny factor "
        "selects every column of the p = 20 scenarios, where the naive intervals "
        "must cover at the nominal level)",
    )
    parser.add_argument(
        "--no-design-cache",
        action="store_true",
        help="build every replicate's design from the formula (see reused_design)",
    )
    parser.add_argument(
        "--cost",
        type=int,
        default=0,
        metavar="N",
        help="run nothing else: the CPU time of one replicate by scenario and method, "
        "the mean over N replicates",
    )
    parser.add_argument(
        "--check-design",
        action="store_true",
        help="run nothing else: the reused design against patsy's, field by field",
    )
    parser.add_argument(
        "--check-se",
        action="store_true",
        help="run nothing else: the Monte Carlo standard error of the table against "
        "a simulation whose answer is known",
    )
    args = parser.parse_args(argv)
    global REUSE_DESIGN
    REUSE_DESIGN = not args.no_design_cache
    if args.check_design:
        print(check_design())
        return 0
    if args.check_se:
        print(check_standard_error())
        return 0
    methods = [m for m in args.methods.split(",") if m]
    unknown = [m for m in methods if parse_method(m.partition("@")[0])[0] not in RUNNERS]
    if unknown:
        parser.error(f"methods {unknown} are not registered; registered: {list(RUNNERS)}")
    scenarios = [SCENARIOS[s] for s in args.scenarios.split(",") if s]
    if args.cost:
        print(cost(methods, args.level, args.cost, args.seed))
        return 0

    from joblib import Parallel, delayed

    tag = "reverse" if args.reverse else f"first{args.first}"
    store = RowStore(args.rows, tag, methods)
    # the seeds of a scenario hang on its position in SCENARIOS: the same data
    # whichever scenarios a run includes; replicate i of every scenario runs before
    # replicate i + 1 of any, so all scenarios have about as many when a run stops
    seeds = {
        s.name: np.random.SeedSequence([args.seed, list(SCENARIOS).index(s.name)]).spawn(
            args.reps
        )
        for s in scenarios
    }
    order = range(args.reps)[:: -1 if args.reverse else 1]
    tasks = [(i, s) for i in order if i >= args.first for s in scenarios]

    def pending():
        for i, s in tasks:
            if args.summarize_only or store.done(s, i):  # read when it is due
                continue
            yield delayed(_numbered)(
                i, s, methods, args.level, seeds[s.name][i], args.lam_factor
            )

    start = time.perf_counter()
    cpu = time.process_time()
    new_rows: dict[str, list[dict]] = {s.name: [] for s in scenarios}
    if args.jobs == 1:  # one replicate at a time, each checked against done.txt
        runs = (fn(*a, **k) for fn, a, k in pending())
    else:
        runs = Parallel(n_jobs=args.jobs, return_as="generator")(pending())
    for i, s, batch in runs:
        batch = [dict(row, scenario=s.name, replicate=i) for row in batch]
        store.append(s, i, batch)
        new_rows[s.name] += batch
    print(
        f"ran {sum(len({r['replicate'] for r in v}) for v in new_rows.values())} "
        f"replicates in {time.perf_counter() - start:.0f} s "
        f"({time.process_time() - cpu:.0f} s CPU in this process)",
        file=sys.stderr,
    )
    results = []
    for scenario in scenarios:
        if args.rows is not None:
            rows = store.rows(scenario, args.reps).to_dict("records")
        else:
            rows = new_rows[scenario.name]
        if not rows:
            continue
        ran = len({row["replicate"] for row in rows})
        results += summarize(scenario, rows, ran, args.level)
    table = markdown(results, args.level)
    header = (
        f"Coverage of {100 * args.level:g}% intervals after selection, "
        f"{args.reps} replicates per scenario (or those in --rows: the last column "
        f"counts them), seed {args.seed}, lasso at "
        f"lam = {args.lam_factor:g} c sqrt(2 log(p) / n). The Monte Carlo s.e. takes "
        "the replicate as the unit (cluster s.e., see cluster_se)."
    )
    print(header + "\n\n" + table)
    if args.out is not None:
        args.out.write_text(header + "\n\n" + table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
