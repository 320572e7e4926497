"""The formula layer on the partitions of a Dask DataFrame.

One pass over the data learns what the design needs from all of it: the number of
rows of every partition (the global row positions), the levels of every categorical
(object, string or category) column the formula uses, and the classes of a binomial
response and the labels of a ``foldid`` column, all taken on the rows kept after
dropping missing values (as in memory). The patsy ``DesignInfo`` is then built once,
by :func:`penstat.design.build_design`, on a small in-memory frame holding every level
(:func:`template_frame`); every partition is coded with that same ``DesignInfo``
(:meth:`PartitionDesign.block`), so its columns and their order are those of an
in-memory fit of the whole data.

Stateful transforms (``center``, ``standardize``, ``scale``, ``poly``, ``ns``, ``bs``,
...) learn their state from all the rows; they are refused with a
:class:`~penstat.FormulaError` naming the term (compute the column first, e.g. with
``ddf.assign``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy

from penstat._errors import ArgumentError, DataError, FormulaError
from penstat.design import Design, build_design
from penstat.design.formula import numeric_as_arrays, simple_name
from penstat.design.terms import parse_formula

__all__ = [
    "OFFSET_COLUMN",
    "attach_offset",
    "caller_names",
    "hash_folds",
    "missing_rows",
    "poisson_counts",
    "read_columns",
    "template_frame",
]

#: the column an offset given as a Dask Series or array becomes
OFFSET_COLUMN = "(offset)"

_SAMPLE_ROWS = 8


def hash_folds(positions: np.ndarray, nfolds: int, seed: int) -> np.ndarray:
    """Fold label (0 to nfolds - 1) of each global row position: a seeded hash
    (SplitMix64, Steele, Lea & Flood 2014) of the position, so a row's fold does not
    depend on how the data are partitioned.

    Examples
    --------
    >>> a = hash_folds(np.arange(6), 3, seed=0)
    >>> bool((a == hash_folds(np.arange(6), 3, seed=0)).all())
    True
    >>> sorted(set(hash_folds(np.arange(1000), 5, seed=1).tolist()))
    [0, 1, 2, 3, 4]
    """
    with np.errstate(over="ignore"):
        z = np.asarray(positions, dtype=np.uint64) + np.uint64(seed) * np.uint64(
            0x9E3779B97F4A7C15
        )
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(nfolds)).astype(np.int64)


def _splitmix(z: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


# P(N <= k) for N ~ Poisson(1), k = 0 .. 19 (the rest of the mass is below 1e-18)
_POISSON1_CDF = np.cumsum(np.exp(-1.0) / np.cumprod(np.r_[1.0, np.arange(1.0, 20.0)]))


def poisson_counts(positions: np.ndarray, seed: int, replicate: int) -> np.ndarray:
    """Poisson(1) bootstrap counts of the rows at these global positions for one
    replicate: a Poisson(1) quantile of a uniform made by a seeded hash of
    (seed, replicate, position), so the counts do not depend on the partitioning.

    Examples
    --------
    >>> c = poisson_counts(np.arange(100_000), seed=0, replicate=3)
    >>> round(float(c.mean()), 1), round(float(c.var()), 1)
    (1.0, 1.0)
    """
    with np.errstate(over="ignore"):
        key = _splitmix(np.uint64(seed) * np.uint64(0x100000001B3) + np.uint64(replicate))
        z = _splitmix(np.asarray(positions, dtype=np.uint64) ^ key)
    u = (z >> np.uint64(11)).astype(float) * 2.0**-53
    return np.searchsorted(_POISSON1_CDF, u, side="right").astype(float)


def _categorical(dtype) -> bool:
    return (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    ) and not pd.api.types.is_bool_dtype(dtype)


@dataclass(frozen=True)
class DataFacts:
    """What the first pass learns: rows per partition, levels of the categorical
    columns (and of the response and the foldid column) among the rows kept, and a
    few complete rows."""

    lengths: np.ndarray
    levels: dict[str, list]
    sample: pd.DataFrame
    n_kept: int

    @property
    def starts(self) -> np.ndarray:
        """Global position of the first row of each partition."""
        return np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)


def missing_rows(part: pd.DataFrame, columns: list[str]) -> np.ndarray | None:
    """Rows of ``part`` missing a value in any of ``columns`` (a boolean mask), or
    None when no row is: column by column, a float column first by its sum (NaN
    only when a value is NaN, or inf and -inf meet; then the exact test), integer
    and boolean NumPy columns not at all (they cannot hold a missing value), the
    others by ``isna``. The same rows as ``part[columns].isna().any(axis=1)``,
    without its (rows x columns) masks.

    Examples
    --------
    >>> df = pd.DataFrame({"x": [1.0, np.nan, 3.0], "g": ["a", "b", None],
    ...                    "k": [1, 2, 3]})
    >>> missing_rows(df, ["x", "g", "k"]).tolist()
    [False, True, True]
    >>> missing_rows(df, ["k"]) is None
    True
    """
    na = None
    for c in columns:
        column = part[c]
        dtype = column.dtype
        if isinstance(dtype, np.dtype) and dtype.kind in "iub":
            continue
        if isinstance(dtype, np.dtype) and dtype.kind == "f":
            values = column.to_numpy()
            with np.errstate(invalid="ignore", over="ignore"):
                if not np.isnan(np.add.reduce(values)):
                    continue
            mask = np.isnan(values)
        else:
            mask = column.isna().to_numpy(dtype=bool)
        if mask.any():
            na = mask if na is None else na | mask
    return na


def facts_of_partition(part: pd.DataFrame, used: list[str], level_cols: list[str]):
    """One partition's contribution to :class:`DataFacts`."""
    na = missing_rows(part, used)
    # no row dropped (the common case): the partition as it is, not a copy
    kept = part if na is None else part.loc[~na]
    levels = {}
    for c in level_cols:
        values = kept[c]
        if isinstance(values.dtype, pd.CategoricalDtype):
            levels[c] = set(values.cat.categories.tolist())
        else:
            levels[c] = set(values.dropna().unique().tolist())
    return len(part), levels, kept.head(_SAMPLE_ROWS), len(kept)


def merge_facts(a, b):
    """Merge two partitions' (or subtrees') facts: lengths in partition order."""
    lengths = a[0] + b[0]
    levels = {c: a[1][c] | b[1][c] for c in a[1]}
    sample = (
        a[2] if len(a[2]) >= _SAMPLE_ROWS else pd.concat([a[2], b[2]]).head(_SAMPLE_ROWS)
    )
    return lengths, levels, sample, a[3] + b[3]


def template_frame(
    meta: pd.DataFrame, facts: DataFacts, columns: list[str]
) -> pd.DataFrame:
    """A small frame holding every level of every categorical column: the complete
    rows of the sample, then one row per level (numbers taken from the sample rows),
    so that patsy's ``DesignInfo`` built on it codes every partition as it would
    code the whole data.

    Examples
    --------
    >>> meta = pd.DataFrame({"y": pd.Series([], dtype=float),
    ...                      "g": pd.Series([], dtype=object)})
    >>> facts = DataFacts(np.array([3]), {"g": ["a", "c"]},
    ...                   pd.DataFrame({"y": [1.0], "g": ["a"]}), 3)
    >>> template_frame(meta, facts, ["y", "g"])["g"].tolist()
    ['a', 'a', 'c']
    """
    sample = facts.sample[columns].reset_index(drop=True)
    m = max([len(v) for v in facts.levels.values()] + [2])
    out = {}
    for c in columns:
        dtype = meta[c].dtype
        if c in facts.levels:
            levels = list(facts.levels[c])
            try:
                levels = sorted(levels)
            except TypeError:
                pass
            if not levels:
                levels = sample[c].tolist()[:1]
            values = [levels[i % len(levels)] for i in range(m)]
            if isinstance(dtype, pd.CategoricalDtype):
                extra = pd.Categorical(
                    values,
                    categories=dtype.categories if dtype.categories is not None else levels,
                )
            else:
                extra = pd.Series(
                    values,
                    dtype=dtype if not pd.api.types.is_string_dtype(dtype) else object,
                )
        elif pd.api.types.is_bool_dtype(dtype):
            extra = pd.Series([bool(i % 2) for i in range(m)], dtype=dtype)
        else:
            pool = sample[c].to_numpy() if len(sample) else np.array([1.0, 2.0])
            extra = pd.Series([pool[i % len(pool)] for i in range(m)], dtype=dtype)
        out[c] = pd.Series(extra).reset_index(drop=True)
    return pd.concat([sample, pd.DataFrame(out)[columns]], ignore_index=True)


def read_columns(used: list[str], weights, offset, foldid) -> list[str]:
    """The columns a fit reads: those of the formula, then the weights, offset and
    fold columns. Every pass of a fit reads this same list: Dask may join the
    partitions of a projection of Parquet files (fewer columns, fewer partitions),
    and the rows' global positions are those of the first pass's partitions.

    Examples
    --------
    >>> read_columns(["y", "x"], "w", None, "x")
    ['y', 'x', 'w']
    """
    others = [c for c in (weights, offset, foldid) if c is not None]
    return list(dict.fromkeys(used + others))


def _stateful_terms(design: Design) -> list[str]:
    """The formula factors of ``design`` that learned a state from the rows."""
    info = design.design_info
    found = []
    for factor, finfo in info.factor_infos.items():
        state = getattr(finfo, "state", None) or {}
        if state.get("transforms"):
            found.append(factor.name())
    return found


def _direct_columns(design: Design, meta: pd.DataFrame) -> list[str] | None:
    """The design columns when every one is a plain numeric (not bool) column of the
    data named as itself in the formula, else None."""
    for factor, finfo in design.design_info.factor_infos.items():
        code = factor.name()
        if (
            finfo.type != "numerical"
            or finfo.num_columns != 1
            or code not in meta.columns
            or not pd.api.types.is_numeric_dtype(meta[code].dtype)
            or pd.api.types.is_bool_dtype(meta[code].dtype)
        ):
            return None
    if any(len(term.factors) > 1 for term in design.design_info.terms):
        return None
    if not all(c in meta.columns for c in design.columns):
        return None
    return list(design.columns)


@dataclass(frozen=True, eq=False)
class PartitionDesign:
    """How every partition becomes design rows: the template :class:`Design` (its
    ``DesignInfo``), the columns whose missing values drop a row, and the response,
    weights, offset and fold columns. Picklable: it is sent to the workers."""

    design: Design
    used: list[str]
    weights: str | None
    offset: str | None
    foldid: str | None
    fold_labels: list = field(default_factory=list)
    nfolds: int = 0
    seed: int = 0
    direct: list[str] | None = None
    shipped: dict = field(default_factory=dict)
    read: list[str] = field(default_factory=list)

    @property
    def p(self) -> int:
        return len(self.design.columns)

    @property
    def columns_read(self) -> list[str]:
        """The columns of the data every pass of the fit reads (:func:`read_columns`:
        the same list in every pass, so that Dask splits the projected data into
        the same partitions each time)."""
        return list(self.read) or read_columns(
            self.used, self.weights, self.offset, self.foldid
        )

    def __setstate__(self, state):
        # patsy's DesignInfo is rebuilt after unpickling in penstat's own namespace;
        # the caller's names the formula uses come with the design and go back in
        self.__dict__.update(state)
        restore_design_info(self.design, self.shipped)

    def block(self, part: pd.DataFrame, start: int) -> dict[str, Any]:
        """The design rows of one partition (rows with a missing value in a
        variable of the formula dropped): ``X`` (n, p), ``y``, ``w``, ``offset``
        (or None), ``fold`` (0 .. K-1, or None without CV) and ``n_dropped``."""
        d = self.design
        X = None
        na = None
        rest = self.used
        if self.direct is not None and len(part) and _numpy_numbers(part, self.direct):
            # every design column is a numeric column of the data: one copy, no
            # patsy; a column's sum is finite when all its values are (else, or on
            # overflow, the exact tests: NaN rows are dropped, inf is refused)
            X = np.asfortranarray(part[self.direct].to_numpy(dtype=float))
            with np.errstate(invalid="ignore", over="ignore"):
                finite = np.isfinite(X.sum(axis=0))
            if not finite.all():
                na = np.isnan(X[:, ~finite]).any(axis=1)
                na = na if na.any() else None
            direct = set(self.direct)
            rest = [c for c in self.used if c not in direct]
        more = missing_rows(part, rest)
        if more is not None:
            na = more if na is None else na | more
        keep = None if na is None else ~na
        # no row dropped (the common case): the partition as it is, not a copy
        kept = part if na is None else part.loc[keep]
        if X is not None:
            if na is not None:
                X = np.asfortranarray(X[keep])
            if not finite.all() and not np.isfinite(X).all():
                bad = [
                    c
                    for c, ok in zip(self.direct, np.isfinite(X).all(axis=0), strict=True)
                    if not ok
                ]
                raise DataError(
                    f"design columns {bad} have infinite values; check the data"
                )
        elif len(kept):
            X = d.transform(kept)
        else:
            X = np.empty((0, self.p), order="F")
        values = kept[d.response]
        if d.family.name == "binomial":
            y = (values.to_numpy() == d.classes[1]).astype(float)
        else:
            y = values.to_numpy(dtype=float)
        w = None
        if self.weights is not None:
            w = kept[self.weights].to_numpy(dtype=float, na_value=np.nan)
            if not np.isfinite(w).all() or (w < 0).any():
                raise DataError(
                    f"weights column {self.weights!r} has missing, infinite or negative "
                    "values in a row used; weights must be finite and >= 0"
                )
        off = None
        if self.offset is not None:
            off = kept[self.offset].to_numpy(dtype=float, na_value=np.nan)
            if not np.isfinite(off).all():
                raise DataError(
                    f"offset column {self.offset!r} has missing or infinite values in a "
                    "row used"
                )
        positions = start + (
            np.arange(len(part), dtype=np.int64) if keep is None else np.flatnonzero(keep)
        )
        fold = None
        if self.foldid is not None:
            fold = _label_codes(kept[self.foldid], self.fold_labels)
        elif self.nfolds:
            fold = hash_folds(positions, self.nfolds, self.seed)
        return {
            "X": np.asarray(X, dtype=float, order="F"),
            "y": y,
            "w": w,
            "offset": off,
            "fold": fold,
            "positions": positions,
            "n_dropped": 0 if na is None else int(na.sum()),
        }


def _numpy_numbers(part: pd.DataFrame, columns: list[str]) -> bool:
    """Whether every one of ``columns`` holds NumPy floats or integers (no missing
    value marker other than NaN)."""
    dtypes = part.dtypes
    return all(isinstance(dtypes[c], np.dtype) and dtypes[c].kind in "fiu" for c in columns)


def _label_codes(values: pd.Series, labels: list) -> np.ndarray:
    """The position of each value in ``labels`` (every value is one of them)."""
    try:
        codes = pd.Categorical(values, categories=labels).codes.astype(np.int64)
    except (TypeError, ValueError):
        codes = None
    if codes is None or (codes < 0).any():
        # labels pandas does not take as categories (mixed types): one by one
        index = {label: k for k, label in enumerate(labels)}
        codes = np.array([index[v] for v in values.tolist()], dtype=np.int64)
    return codes


def _formula_env(shipped: dict):
    from penstat.design.namespace import default_env

    return patsy.EvalEnvironment([dict(shipped), default_env().namespace])


def restore_design_info(design: Design, shipped: dict) -> None:
    """Give an unpickled ``design`` its patsy ``DesignInfo`` back, evaluated with the
    caller's names ``shipped`` (nothing to do without them: the design rebuilds it
    itself in penstat's namespace)."""
    if not shipped or design.design_info is not None:
        return
    terms = [
        patsy.Term([patsy.EvalFactor(code) for code in codes]) for codes in design.rhs_codes
    ]
    from penstat.design.namespace import FORMULA_LOCK

    with FORMULA_LOCK:
        if design.design_info is not None:
            return
        info = patsy.dmatrix(
            patsy.ModelDesc([], terms),
            numeric_as_arrays(design._frame),
            eval_env=_formula_env(shipped),
            NA_action="raise",
        ).design_info
        object.__setattr__(design, "design_info", info)


def caller_names(formula: str, meta: pd.DataFrame, exclude, env) -> dict:
    """The names a formula uses that are not columns of the data, as the caller's
    namespace ``env`` (a patsy ``EvalEnvironment``) gives them, to be sent to the
    workers with the design, so that the workers evaluate every term as the
    caller's process does: each name the namespace defines other than as
    :func:`~penstat.design.namespace.default_env` does (the workers' namespace
    under the names sent), so also a caller's ``log`` or ``max`` that stands in for
    penstat's formula function or Python's built-in. Each must pickle
    (``cloudpickle``, as Dask sends functions): one that does not is refused with a
    :class:`~penstat.FormulaError` naming it. A name found nowhere is left to the
    formula layer's own error (a built-in such as ``abs`` or ``round`` is the same
    object on the workers).

    Examples
    --------
    >>> import patsy
    >>> meta = pd.DataFrame({"y": [1.0], "x": [2.0]})
    >>> def twice(v):
    ...     return 2 * v
    >>> env = patsy.EvalEnvironment([{"twice": twice}])
    >>> sorted(caller_names("y ~ twice(x) + log(x)", meta, [], env))
    ['twice']
    >>> env = patsy.EvalEnvironment([{"log": twice}])  # the caller's own log
    >>> sorted(caller_names("y ~ log(x)", meta, [], env))
    ['log']
    """
    import ast

    import cloudpickle

    from penstat.design.namespace import default_env

    columns = [c for c in meta.columns if isinstance(c, str)]
    parsed = parse_formula(formula, columns, set(exclude))
    known = set(columns)
    workers = default_env().namespace
    names = []
    for codes in parsed.rhs_codes:
        for code in codes:
            try:
                tree = ast.parse(code.strip(), mode="eval")
            except SyntaxError:
                continue  # the formula layer reports it
            for node in ast.walk(tree):
                if isinstance(node, ast.Name) and node.id not in known:
                    names.append(node.id)
    shipped = {}
    for name in dict.fromkeys(names):
        try:
            value = env.namespace[name]
        except KeyError:
            continue
        try:
            if workers[name] is value:
                continue  # the same object on the workers
        except KeyError:
            pass
        try:
            cloudpickle.dumps(value)
        except Exception as exc:  # any failure to pickle: the value cannot travel
            raise FormulaError(
                f"the formula uses {name!r} from your namespace, which cannot be sent "
                f"to the Dask workers that evaluate the formula ({type(exc).__name__}: "
                f"{exc}); compute the column first (ddf.assign) and use it in the "
                "formula, or define the function at module level"
            ) from None
        shipped[name] = value
    return shipped


def plan_design(
    formula: str,
    meta: pd.DataFrame,
    family: str,
    weights: str | None,
    offset: str | None,
    foldid: str | None,
    formula_env: str | None,
):
    """The columns the first pass must read: ``(used, level_cols)``; ``used`` are
    the columns whose missing values drop a row."""
    for arg, value in (("weights", weights), ("offset", offset), ("foldid", foldid)):
        if value is not None and not isinstance(value, str):
            raise ArgumentError(
                f"{arg}= on a Dask DataFrame must name a column of the data, not a "
                f"{type(value).__name__}; add it as a column (ddf.assign)"
            )
        if value is not None and value not in meta.columns:
            raise ArgumentError(f"{arg}={value!r} is not a column of the data")
    columns = [c for c in meta.columns if isinstance(c, str)]
    left_out = {c for c in (weights, offset, foldid) if c is not None}
    parsed = parse_formula(formula, columns, left_out, safe=formula_env == "safe")
    lhs = parsed.response
    if simple_name(lhs) is None or simple_name(lhs) not in columns:
        raise FormulaError(
            f"the response {lhs!r} of a fit on a Dask DataFrame must be a column of the "
            "data (compute a transformed or grouped response first, with ddf.assign)"
        )
    used = list(dict.fromkeys(parsed.response_columns + parsed.columns))
    level_cols = [c for c in used if _categorical(meta[c].dtype)]
    if family == "binomial" and simple_name(lhs) not in level_cols:
        level_cols.append(simple_name(lhs))
    if foldid is not None:
        level_cols.append(foldid)
    return used, level_cols


def make_partition_design(
    formula: str,
    meta: pd.DataFrame,
    facts: DataFacts,
    family: str,
    used: list[str],
    weights: str | None,
    offset: str | None,
    foldid: str | None,
    positive_class,
    formula_env: str | None,
    nfolds: int,
    seed: int,
    shipped: dict | None = None,
) -> PartitionDesign:
    """Build the design once on the template frame (:func:`template_frame`) and
    check that it holds no stateful transform; ``shipped`` the caller's names the
    formula uses (:func:`caller_names`)."""
    extra = [c for c in (weights, offset, foldid) if c is not None]
    columns = read_columns(used, weights, offset, foldid)
    levels = {c: v for c, v in facts.levels.items() if c != foldid}
    template = template_frame(
        meta, DataFacts(facts.lengths, levels, facts.sample, facts.n_kept), columns
    )
    if weights is not None:
        template[weights] = 1.0
    if offset is not None:
        template[offset] = 0.0
    with warnings.catch_warnings():
        # the template's rows are not the data: its warnings about values
        # (identifier-like columns) do not apply
        warnings.filterwarnings("ignore", message=".*different value in every row.*")
        design = build_design(
            formula,
            template,
            family,
            weights=None,
            na_action="drop",
            positive_class=positive_class,
            exclude=extra,
            formula_env=formula_env,
            eval_env=_formula_env(shipped) if shipped else None,
        )
    stateful = _stateful_terms(design)
    if stateful:
        raise FormulaError(
            f"the formula term(s) {stateful} use a transform that learns from all the "
            "rows (center, standardize, scale, poly, ns, bs, ...); on a Dask DataFrame "
            "compute such a column first (e.g. ddf.assign) and use it in the formula"
        )
    labels = []
    if foldid is not None:
        labels = list(facts.levels[foldid])
        try:
            labels = sorted(labels)
        except TypeError:
            pass
        if len(labels) < 3:
            raise ArgumentError(
                f"foldid={foldid!r} has {len(labels)} distinct labels among the rows "
                "used; cross-validation needs at least 3"
            )
    return PartitionDesign(
        direct=_direct_columns(design, meta),
        design=design,
        used=used,
        weights=weights,
        offset=offset,
        foldid=foldid,
        fold_labels=labels,
        nfolds=len(labels) if foldid is not None else nfolds,
        seed=seed,
        shipped=dict(shipped or {}),
        read=columns,
    )


def is_dask_collection(value) -> bool:
    """Whether ``value`` is a Dask Series, DataFrame or array (without importing
    Dask)."""
    return type(value).__module__.startswith("dask") and hasattr(value, "npartitions")


def _with_offset(part: pd.DataFrame, off, name: str):
    values = np.asarray(off, dtype=float).ravel()
    if values.shape[0] != len(part):
        raise DataError(
            f"offset: a partition of the data has {len(part)} rows but the offset's "
            f"matching partition has {values.shape[0]}; an offset given as a Dask "
            "Series or array must be split as the data are (the same rows in every "
            "partition), e.g. a column of the same frame, or an array whose chunks "
            "are the partitions' lengths"
        )
    return part.assign(**{name: values})


def attach_offset(ddf, offset, name: str = OFFSET_COLUMN):
    """``ddf`` with ``offset`` (a Dask Series, or a 1-d Dask array) as its column
    ``name``: partition ``i`` of the offset goes with partition ``i`` of the data,
    row by row (by position, as an in-memory array offset). An offset split into a
    different number of partitions is an :class:`~penstat.ArgumentError`; one whose
    partitions have other lengths a :class:`~penstat.DataError` in the first pass.

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0, 4.0]})
    >>> ddf = dd.from_pandas(df, npartitions=2)
    >>> attach_offset(ddf, ddf["y"] * 10).compute()["(offset)"].tolist()
    [10.0, 20.0, 30.0, 40.0]
    """
    import dask.array as da
    import dask.dataframe as dd

    if isinstance(offset, da.Array):
        if offset.ndim != 1:
            raise ArgumentError(
                f"offset: a Dask array offset must be 1-d, got {offset.ndim} dimensions"
            )
        offset = dd.from_dask_array(offset)
    if not isinstance(offset, dd.Series):
        raise ArgumentError(
            f"offset= on a Dask DataFrame must be a column name, a Dask Series or a "
            f"1-d Dask array, not a {type(offset).__name__}"
        )
    kind = getattr(offset.dtype, "kind", "O")
    if pd.api.types.is_bool_dtype(offset.dtype) or kind not in "iuf":
        raise ArgumentError(
            f"offset: the Dask offset holds {offset.dtype} values; it must be real "
            "numbers, one per row: convert it first (e.g. offset.astype(float) if you "
            "mean booleans as 0 / 1)"
        )
    if offset.npartitions != ddf.npartitions:
        raise ArgumentError(
            f"offset: the Dask offset has {offset.npartitions} partitions but the data "
            f"{ddf.npartitions}; it must be split as the data are (row i of partition "
            "k of the offset goes with row i of partition k of the data): use a "
            "column of the same frame (ddf['base'] or offset='base'), or rechunk the "
            "array to the partitions' lengths"
        )
    if name in ddf.columns:
        raise ArgumentError(
            f"offset: the data already have a column {name!r}, the name a Dask offset "
            "takes; rename it"
        )
    meta = ddf._meta.assign(**{name: pd.Series([], dtype=float)})
    return ddf.map_partitions(_with_offset, offset, name, meta=meta, align_dataframes=False)
