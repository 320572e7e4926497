"""Design matrices from R-style formulas and pandas data frames (via patsy).

:func:`build_design` turns ``"y ~ x1 + C(g) + a:b"`` and a DataFrame into a
:class:`Design`: the float64 Fortran-ordered matrix ``X`` *without* the intercept
column (the solver fits the intercept unpenalized), the response ``y``, optional
weights, the column names, the map from formula terms to columns, and patsy's
``DesignInfo`` so that new data go through exactly the same coding and stateful
transforms (:meth:`Design.transform`).

Beyond patsy's own syntax, ``.`` stands for every other column of the data frame,
as in R: ``y ~ .``, ``y ~ . - x3``, ``y ~ . + age:tobacco``, ``y ~ .^2``; the
formula is read by :mod:`penstat.design.terms` and its names mean what
:mod:`penstat.design.namespace` says (``formula_env="safe"``: columns and the listed
formula functions only).

>>> import pandas as pd
>>> from penstat.design import build_design
>>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0], "x": [0.5, 1.5, 2.0, 3.0],
...                    "g": ["a", "b", "a", "c"]})
>>> d = build_design("y ~ .", df, "gaussian")
>>> d.columns
['g[T.b]', 'g[T.c]', 'x']
>>> d.terms["g"]
['g[T.b]', 'g[T.c]']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import patsy
import scipy.sparse as sp

from penstat._errors import ArgumentError, DataError, FormulaError, warn_user
from penstat._validation import check_formula_env, check_offset_not_response
from penstat.design.columns import check_formula_columns, check_frame, check_newdata_types
from penstat.design.formula import (
    close_matches,
    numeric_as_arrays,
    patsy_frame,
    simple_name,
    translate_patsy_error,
    unknown_name,
)
from penstat.design.namespace import (
    FORMULA_LOCK,
    caller_env,
    check_expression,
    default_env,
    safe_env,
)
from penstat.design.response import (
    SUCCESS_LABELS,
    grouped_response,
    offset_rows,
    response_values,
    weight_values,
)
from penstat.design.sparse import SPARSE_MIN_LEVELS, build_rhs, is_sparse_term
from penstat.design.terms import parse_formula
from penstat.family import Family, get_family

__all__ = ["Design", "build_design"]


@dataclass(frozen=True, eq=False)
class Design:
    """A design matrix built from a formula, with what is needed to code new data.

    Attributes
    ----------
    X : numpy.ndarray
        float64, Fortran order, shape (n, p); no intercept column.
    y : numpy.ndarray
        float64 (n,); 0/1 for the binomial family.
    weights : numpy.ndarray or None
        Observation weights as given (not rescaled), or None; for counts
        (``cbind(s, f)``) the trials s + f times the weights given, as glmnet's.
    offset : numpy.ndarray or None
        The offset of each row used (a known part of its linear predictor, with a
        fixed coefficient of 1), or None.
    offset_column : str or None
        The column of the data the offset was read from (None for an array).
    columns : list of str
        Design column names (patsy's names, e.g. ``"C(g)[T.b]"``, ``"a:b"``).
    terms : dict
        Formula term name -> list of its design columns, in design order.
    design_info : patsy.DesignInfo or None
        The right-hand side's DesignInfo (None after unpickling until first use; it is
        rebuilt from the stored model frame).
    formula : str
        The formula as given; ``expanded_formula`` has ``.`` replaced.
    rhs_codes : tuple of tuple of str
        The code of each right-hand term's factors (the intercept is ``()``): the
        terms, rebuilt for new data after unpickling.
    formula_env : str or None
        ``"safe"`` when the formula was read in the safe mode (its terms are checked
        again when they are rebuilt), else None.
    has_intercept : bool
        Whether the formula has an intercept (``- 1`` / ``+ 0`` remove it).
    n_dropped : int
        Rows dropped because a variable used by the formula is missing.
    missing : dict
        Variable -> number of rows missing it, for the variables used by the formula
        with a missing value (a dropped row may miss several).
    dropped_rows : pandas.Index
        Index labels of those rows.
    row_index : pandas.Index
        Index labels of the rows used.
    row_positions : numpy.ndarray
        Integer positions (in the data frame) of the rows used.
    response : str
        The left-hand side of the formula.
    classes : tuple or None
        Binomial only: ``(negative, positive)`` labels of the response;
        ``("failure", "success")`` for grouped data.
    response_kind : {None, "counts", "proportions"}
        Binomial grouped data: ``cbind(successes, failures)`` counts, or a proportion
        whose trials are the weights; None for any other response.
    response_label : str or None
        Grouped data: the response in words (``"successes s of trials s + f"``).
    n_no_trials : int
        Counts: rows left out because they have no trials.

    Examples
    --------
    Built by :func:`build_design`; a row with a missing value is dropped:

    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 3.0, 5.0],
    ...                    "x": [0.5, 1.5, None, 3.0, 4.0],
    ...                    "g": ["a", "b", "a", "b", "a"]})
    >>> d = build_design("y ~ x + g", df)
    >>> d.X.shape, d.columns, d.n_dropped, d.row_index.tolist()
    ((4, 2), ['g[T.b]', 'x'], 1, [0, 1, 3, 4])
    >>> d.missing
    {'x': 1}
    >>> d.term_of()
    {'g[T.b]': 'g', 'x': 'x'}
    """

    X: np.ndarray
    y: np.ndarray
    weights: np.ndarray | None
    columns: list[str]
    terms: dict[str, list[str]]
    design_info: Any
    formula: str
    expanded_formula: str
    has_intercept: bool
    n_dropped: int
    dropped_rows: pd.Index
    row_index: pd.Index
    row_positions: np.ndarray
    response: str
    family: Family
    classes: tuple | None = None
    input_columns: list[str] = field(default_factory=list)
    n_data_rows: int = 0
    _frame: pd.DataFrame | None = field(default=None, repr=False)
    offset: np.ndarray | None = None
    offset_column: str | None = None
    missing: dict[str, int] = field(default_factory=dict)
    response_kind: str | None = None
    response_label: str | None = None
    n_no_trials: int = 0
    rhs_codes: tuple = ()
    formula_env: str | None = None

    @property
    def n_obs(self) -> int:
        """Number of rows used.

        Examples
        --------
        >>> import pandas as pd
        >>> build_design("y ~ x", pd.DataFrame({"y": [1.0, 2.0], "x": [3.0, 5.0]})).n_obs
        2
        """
        return self.X.shape[0]

    @property
    def positive(self):
        """Label of the positive class (binomial), else None."""
        return None if self.classes is None else self.classes[1]

    def term_of(self) -> dict[str, str]:
        """Design column -> the formula term it belongs to."""
        return {col: term for term, cols in self.terms.items() for col in cols}

    def column_sd(self) -> np.ndarray:
        """Weighted standard deviation of each column (1/n, as glmnet standardizes)."""
        w = np.ones(self.n_obs) if self.weights is None else self.weights
        w = w / w.sum()
        if sp.issparse(self.X):
            mean = self.X.T @ w
            return np.sqrt(np.maximum(self.X.multiply(self.X).T @ w - mean**2, 0.0))
        mean = w @ self.X
        return np.sqrt(np.maximum(w @ (self.X - mean) ** 2, 0.0))

    def rows_of(self, values, name: str) -> np.ndarray:
        """Subset a per-row vector given for the whole data frame to the rows used.

        ``values`` is a column name of the data or an array with one entry per row of
        the original data frame; ``name`` is the argument name used in errors.
        """
        if isinstance(values, str):
            if self._frame is None or values not in self._frame.columns:
                raise ArgumentError(f"{name}={values!r} is not a column of the data")
            return self._frame[values].to_numpy()
        arr = np.asarray(values)
        if arr.ndim != 1 or arr.shape[0] != self.n_data_rows:
            raise ArgumentError(
                f"{name} has shape {arr.shape}; it needs one value per row of the data "
                f"({self.n_data_rows} rows)"
            )
        return arr[self.row_positions]

    def transform(self, newdata: pd.DataFrame):
        """Code new data with the training DesignInfo; returns X (no intercept column),
        a CSC matrix when the design's X is sparse.

        Rows with a missing value in a variable the formula uses give rows of NaN.
        A factor level not seen in training, or a missing column, raises
        :class:`~penstat.DataError` naming it.

        Examples
        --------
        >>> import pandas as pd
        >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "x": [1.0, 2.0, 4.0]})
        >>> d = build_design("y ~ x + I(x**2)", df, "gaussian")
        >>> d.transform(pd.DataFrame({"x": [3.0]})).tolist()
        [[3.0, 9.0]]
        """
        if isinstance(newdata, dict):
            newdata = pd.DataFrame(newdata)
        if not isinstance(newdata, pd.DataFrame):
            raise ArgumentError(
                f"newdata must be a pandas DataFrame, not {type(newdata).__name__}"
            )
        needed = self._rhs_columns()
        missing = [c for c in needed if c not in newdata.columns]
        if missing:
            raise DataError(
                "newdata has no column "
                + ", ".join(repr(c) for c in missing)
                + f"; the formula {self.formula!r} needs it"
            )
        if self._frame is not None:
            check_newdata_types(newdata, needed, self._frame)
        _check_newdata_values(newdata, needed)
        frame = patsy_frame(newdata, needed)
        na = frame.isna().any(axis=1).to_numpy() if needed else np.zeros(len(frame), bool)
        if sp.issparse(self.X):
            return self._transform_sparse(frame, na, newdata)
        out = np.full((len(frame), len(self.columns)), np.nan, order="F")
        if (~na).any():
            try:
                with np.errstate(all="ignore"):
                    (mat,) = patsy.build_design_matrices(
                        [self._design_info()],
                        numeric_as_arrays(frame.loc[~na]),
                        NA_action="raise",
                    )
            except patsy.PatsyError as exc:
                raise translate_patsy_error(exc, self.formula, newdata.columns) from None
            mat = np.asarray(mat, dtype=float)
            if self.has_intercept:
                mat = np.delete(mat, self._intercept_position(), axis=1)
            out[~na] = mat
        return out

    # -- internals --------------------------------------------------------------

    def _transform_sparse(self, frame, na, newdata):
        """:meth:`transform` of a sparse design: the rows with a missing value are
        stored as rows of NaN."""
        p = len(self.columns)
        blocks = []
        if (~na).any():
            try:
                with np.errstate(all="ignore"):
                    blocks.append(
                        build_rhs(self._design_info(), numeric_as_arrays(frame.loc[~na]))
                    )
            except patsy.PatsyError as exc:
                raise translate_patsy_error(exc, self.formula, newdata.columns) from None
        if na.any():
            blocks.append(sp.csc_matrix(np.full((int(na.sum()), p), np.nan)))
        stacked = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, p))
        # stacked row k is the data's row positions[k]
        positions = np.concatenate([np.flatnonzero(~na), np.flatnonzero(na)])
        return sp.csc_matrix(stacked[np.argsort(positions)])

    def _rhs_columns(self) -> list[str]:
        return [c for c in self.input_columns if c != self.response]

    def _intercept_position(self) -> int:
        return self._design_info().term_name_slices["Intercept"].start

    def _design_info(self):
        if self.design_info is None:
            with FORMULA_LOCK:
                self._rebuild_design_info()
        return self.design_info

    def _rebuild_design_info(self) -> None:
        if self.design_info is None:
            # patsy cannot pickle a DesignInfo; rebuild it from the stored terms and
            # model frame (same rows, so the stateful transforms memorize the same state)
            safe = self.formula_env == "safe"
            if safe:
                for codes in self.rhs_codes:
                    for code in codes:
                        check_expression(code, self.input_columns)
            terms = [
                patsy.Term([patsy.EvalFactor(code) for code in codes])
                for codes in self.rhs_codes
            ]
            # a design pickled before the terms were stored keeps its formula text
            rhs = (
                patsy.ModelDesc([], terms)
                if terms
                else self.expanded_formula.split("~", 1)[1]
            )
            info = patsy.dmatrix(
                rhs, numeric_as_arrays(self._frame),
                eval_env=safe_env() if safe else default_env(),
                NA_action="raise",
            ).design_info  # fmt: skip
            object.__setattr__(self, "design_info", info)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["design_info"] = None
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)


def build_design(
    formula: str,
    data: pd.DataFrame,
    family: str | Family = "gaussian",
    weights=None,
    na_action: str = "drop",
    positive_class=None,
    exclude: list[str] | tuple[str, ...] = (),
    eval_env=None,
    offset=None,
    formula_env: str | None = None,
    sparse: bool = False,
) -> Design:
    """Build a :class:`Design` from a formula and a DataFrame.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"`` in patsy syntax, plus ``.`` for every other column.
    data : pandas.DataFrame
        Not modified.
    family : {"gaussian", "binomial"}
        The gaussian response must be numeric; the binomial one 0/1, bool, a
        column with exactly two distinct values, or grouped data: counts
        ``cbind(successes, failures) ~ ...`` (rows without trials are left out with
        a warning), or a proportion in [0, 1] with its trials as ``weights``.
    weights : str, array-like or None
        Column name or one non-negative weight per row of ``data``. A weights column
        is left out of ``.``.
    na_action : {"drop", "raise"}
        Drop (and count) rows with a missing value in a variable the formula uses,
        or refuse them naming the columns.
    positive_class : optional
        Binomial: the response value that codes 1. Default: the second of the two
        sorted values (``True`` for bool, ``1`` for 0/1).
    exclude : sequence of str
        Further columns left out of ``.`` (e.g. a fold-id column).
    eval_env : patsy.EvalEnvironment, optional
        Where names in the formula other than columns are looked up; default:
        the formula functions (``log``, ``poly``, ``ns``, ...), numpy as ``np`` and
        patsy's built-ins.
    offset : str, array-like or None
        Column name or one number per row of ``data``: a known part of each row's
        linear predictor, with a fixed coefficient of 1 (glmnet's ``offset``). An
        offset column is left out of ``.``. As for weights, a missing or infinite
        offset in a row that is used is refused (it does not drop the row).
    formula_env : {None, "caller", "safe"}
        ``"safe"``: the formula may use only the data's columns, the listed formula
        functions, numbers and operators, checked before anything is evaluated (see
        the user guide's security page); ``"caller"``: names that are not columns
        are looked up where ``build_design`` was called. None: ``eval_env``.
    sparse : bool
        Build every term that holds a factor with at least
        :data:`~penstat.design.sparse.SPARSE_MIN_LEVELS` (50) coded columns as a
        sparse block, and X as one ``scipy.sparse`` CSC matrix (the other terms are
        stored in it too); coded exactly as patsy codes them. X stays dense when no
        term has such a factor.

    Returns
    -------
    Design

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ok": ["yes", "no", "yes", "no"], "x": [1.0, 2.0, 3.0, 5.0]})
    >>> d = build_design("ok ~ x", df, "binomial")
    >>> d.classes, d.y.tolist()
    (('no', 'yes'), [1.0, 0.0, 1.0, 0.0])
    """
    fam = get_family(family)
    if not isinstance(sparse, (bool, np.bool_)):
        raise ArgumentError(f"sparse={sparse!r} must be True or False")
    _check_inputs(formula, data, na_action)
    check_frame(data)
    mode = check_formula_env(formula_env, eval_env)
    columns = [c for c in data.columns if isinstance(c, str)]
    weights_col = weights if isinstance(weights, str) else None
    offset_col = offset if isinstance(offset, str) else None
    for arg, col in (("weights", weights_col), ("offset", offset_col)):
        if col is not None and col not in data.columns:
            raise ArgumentError(
                f"{arg}={col!r} is not a column of the data" + close_matches(col, columns)
            )
    left_out = set(exclude) | ({weights_col, offset_col} - {None})
    try:
        parsed = parse_formula(formula, columns, left_out, safe=mode == "safe")
    except FormulaError as exc:
        odd = [c for c in data.columns if not isinstance(c, str) and c not in left_out]
        if odd and "'.' in the formula stands for no column" in str(exc):
            # the columns '.' would have stood for have names that are not strings
            raise _odd_names_error(odd) from None
        raise
    lhs = parsed.response
    if not parsed.response_columns and simple_name(lhs) is not None:
        raise unknown_name(simple_name(lhs), columns, "response ")
    _check_dot(parsed, data, left_out)
    if not any(parsed.rhs_codes):
        only = "only an intercept" if parsed.rhs_codes else "no terms"
        raise FormulaError(
            f"formula {formula!r} has no predictors ({only}); a penalized model needs "
            "at least one term on the right of '~', e.g. 'y ~ x'"
        )
    check_offset_not_response(offset_col, parsed.response_columns)
    used = list(dict.fromkeys(parsed.response_columns + parsed.columns))
    na_mask = _missing_rows(data, used, na_action)
    keep = ~na_mask
    check_formula_columns(parsed, data, keep)
    extra = [
        c
        for c in (weights_col, offset_col, *exclude)
        if c is not None and c in data.columns
    ]
    frame = patsy_frame(data.loc[keep], list(dict.fromkeys(used + extra)))
    if mode == "safe":
        env = safe_env()
    elif mode == "caller":
        env = caller_env()
    else:
        env = default_env() if eval_env is None else eval_env
    grouped = grouped_response(
        lhs, frame, fam, positive_class, env, columns, weights is not None
    )
    keep, frame, grouped, n_no_trials = _drop_no_trials(keep, frame, grouped, lhs)
    parsed.check_response_not_predictor()
    X, terms, info = _rhs_matrix(parsed, frame, env, columns, formula, sparse)
    if grouped is None:
        y, classes = response_values(lhs, frame, fam, positive_class, env, columns)
    else:
        y, classes = grouped.y, SUCCESS_LABELS
    w = _trials_times(grouped, weight_values(weights, data, keep))
    return Design(
        X=X,
        y=y,
        weights=w,
        columns=[c for cols in terms.values() for c in cols],
        terms=terms,
        design_info=info,
        formula=formula,
        expanded_formula=parsed.expanded,
        has_intercept="Intercept" in info.term_name_slices,
        n_dropped=int(na_mask.sum()),
        dropped_rows=data.index[na_mask],
        row_index=data.index[keep],
        row_positions=np.flatnonzero(keep),
        response=lhs,
        family=fam,
        classes=classes,
        input_columns=used,
        n_data_rows=len(data),
        _frame=frame,
        offset=offset_rows(offset, data, keep),
        offset_column=offset_col,
        missing={c: int(k) for c, k in data[used].isna().sum().items() if k},
        response_kind=None if grouped is None else grouped.kind,
        response_label=None if grouped is None else grouped.label,
        n_no_trials=n_no_trials,
        rhs_codes=parsed.rhs_codes,
        formula_env="safe" if mode == "safe" else None,
    )


def _trials_times(grouped, weights):
    """The weights of counts: the trials times the weights given (glmnet's)."""
    if grouped is None or grouped.trials is None:
        return weights
    return grouped.trials if weights is None else weights * grouped.trials


def _drop_no_trials(keep, frame, grouped, lhs):
    """Leave out the rows without trials (successes + failures = 0) of counts, as
    glmnet does: they carry no information. A UserWarning says how many."""
    if grouped is None or grouped.trials is None:
        return keep, frame, grouped, 0
    empty = grouped.trials == 0
    n_empty = int(empty.sum())
    if n_empty == 0:
        return keep, frame, grouped, 0
    if n_empty == empty.size:
        raise DataError(f"the response {lhs!r} has no trials in any row used")
    warn_user(
        f"{n_empty} row{'s' if n_empty > 1 else ''} of {lhs!r} with no trials "
        "(successes + failures = 0) left out; they carry no information",
        UserWarning,
    )
    keep = keep.copy()
    keep[np.flatnonzero(keep)[empty]] = False
    return keep, frame.loc[~empty], grouped.take(~empty), n_empty


def _check_newdata_values(newdata: pd.DataFrame, needed) -> None:
    """Complex or infinite numbers in the columns of new data are refused by name
    (a missing value is allowed: its row predicts NaN)."""
    for column in needed:
        values = newdata[column]
        if pd.api.types.is_complex_dtype(values.dtype):
            raise DataError(
                f"newdata column {column!r} holds complex numbers ({values.dtype}); take "
                f"the part the model was fitted with, e.g. np.real(newdata[{column!r}])"
            )
        if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(
            values.dtype
        ):
            bad = np.isinf(values.to_numpy(dtype=float, na_value=np.nan))
            if bad.any():
                raise DataError(
                    f"newdata column {column!r} is infinite in row "
                    f"{newdata.index[int(np.argmax(bad))]!r}; replace it by a finite value "
                    "(or NaN, which predicts NaN)"
                )


def _odd_names_error(odd: list) -> DataError:
    return DataError(
        f"'.' cannot stand for the columns {odd}: their names are not strings; "
        "rename them (e.g. data.rename(columns=str)) or name the columns in the "
        "formula instead of '.'"
    )


def _check_dot(parsed, data: pd.DataFrame, left_out) -> None:
    """What ``.`` cannot or should not stand for: columns whose names are not
    strings (refused), a column an explicit term re-codes (left out, with a
    warning), an identifier-like column (a warning)."""
    if not parsed.dot:
        return
    odd = [c for c in data.columns if not isinstance(c, str) and c not in left_out]
    if odd:
        raise _odd_names_error(odd)
    for column, term in parsed.covered.items():
        warn_user(
            f"'.' leaves out {column!r} because the formula has the term {term!r} for "
            f"it (the explicit term wins; add {column!r} itself to have both)",
            UserWarning,
        )
    n, dot = len(data), set(parsed.dot)
    for column, dtype in data.dtypes.items():
        if column not in dot or n <= 2 or pd.api.types.is_numeric_dtype(dtype):
            continue
        values = data[column]
        if values.notna().all() and values.nunique() == n:
            warn_user(
                f"'.' includes {column!r}, which has a different value in every row "
                f"(an identifier?); it becomes {n - 1} design columns. Leave it out "
                f"with '. - {column}' or exclude=",
                UserWarning,
            )


def _check_inputs(formula, data, na_action) -> tuple[str, str]:
    """The two sides of ``formula``, after the checks of the arguments' types."""
    if not isinstance(data, pd.DataFrame):
        raise ArgumentError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    if not isinstance(formula, str):
        raise ArgumentError(f"formula must be a string like 'y ~ x1 + x2', not {formula!r}")
    if na_action not in ("drop", "raise"):
        raise ArgumentError(f"na_action={na_action!r}; use 'drop' or 'raise'")
    if "~" not in formula or not formula.split("~", 1)[0].strip():
        raise FormulaError(
            f"formula {formula!r} has no response; write it as 'response ~ predictors'"
        )
    lhs, rhs = (s.strip() for s in formula.split("~", 1))
    if not rhs:
        raise FormulaError(f"formula {formula!r} has no right-hand side")
    if data.columns.duplicated().any():
        dup = list(data.columns[data.columns.duplicated()])
        raise DataError(f"data has duplicated column names: {dup}; rename them")
    return lhs, rhs


def _missing_rows(data, used, na_action) -> np.ndarray:
    """Rows with a missing value in a variable the formula uses (refused with
    ``na_action="raise"``); a DataError when no row is left."""
    na_rows = data[used].isna() if used else pd.DataFrame(index=data.index)
    na_mask = na_rows.any(axis=1).to_numpy() if used else np.zeros(len(data), bool)
    if na_mask.any() and na_action == "raise":
        counts = na_rows.sum()
        counts = counts[counts > 0]
        desc = ", ".join(f"{c!r} ({int(k)} rows)" for c, k in counts.items())
        raise DataError(
            f"missing values in {desc}; drop or impute them, or use na_action='drop'"
        )
    if na_mask.all():
        raise DataError(
            f"no rows left after dropping rows with missing values in {used}; "
            "every row has a missing value in at least one of these columns"
        )
    return na_mask


def _rhs_matrix(parsed, frame, env, columns, formula, sparse=False):
    """``(X, terms, design_info)`` of the right-hand side: X float64 in Fortran order
    without the intercept column (CSC with ``sparse`` when a term has a factor of
    many levels), terms mapped to their columns."""
    if sparse:
        built = _sparse_rhs(parsed, frame, env, columns, formula)
        if built is not None:
            return built
    try:
        with np.errstate(all="ignore"):
            # Rows with missing values in the formula's columns were dropped or refused
            # already, and NaN or inf in a numeric factor (a transform's, or a caller's
            # array) is caught on the matrix below, so patsy's NaN scan of every
            # numeric factor (half of its time on 100 numeric columns) is skipped;
            # None in a categorical factor still raises.
            rhs_mat = patsy.dmatrix(
                parsed.rhs,
                numeric_as_arrays(frame),
                eval_env=env,
                NA_action=patsy.NAAction(on_NA="raise", NA_types=["None"]),
                return_type="dataframe",
            )
    except patsy.PatsyError as exc:
        raise translate_patsy_error(exc, parsed.expanded, columns) from None
    except (TypeError, AttributeError) as exc:
        raise _term_error(exc, parsed, numeric_as_arrays(frame), env) from None
    info = rhs_mat.design_info
    terms, design_columns = _design_terms(info, formula)
    X = np.asfortranarray(rhs_mat[design_columns].to_numpy(dtype=float))
    if not np.isfinite(X).all():
        finite = np.isfinite(X).all(axis=0)
        raise _not_finite(design_columns, finite)
    return X, terms, info


def _sparse_rhs(parsed, frame, env, columns, formula):
    """The sparse form of :func:`_rhs_matrix`, or None when no term has a factor of
    many levels: the DesignInfo is learned from the data without building the dense
    matrix, then :func:`~penstat.design.sparse.build_rhs` builds X."""
    data = numeric_as_arrays(frame)
    try:
        with np.errstate(all="ignore"):
            (info,) = patsy.design_matrix_builders(
                [parsed.rhs.rhs_termlist],
                lambda: iter([data]),
                env,
                NA_action=patsy.NAAction(on_NA="raise", NA_types=["None"]),
            )
            if not any(is_sparse_term(info, t, SPARSE_MIN_LEVELS) for t in info.terms):
                return None
            X = build_rhs(info, data)
    except patsy.PatsyError as exc:
        raise translate_patsy_error(exc, parsed.expanded, columns) from None
    except (TypeError, AttributeError) as exc:
        raise _term_error(exc, parsed, data, env) from None
    terms, design_columns = _design_terms(info, formula)
    if not np.isfinite(X.data).all():
        # the column of each stored entry that is not finite
        bad = np.searchsorted(X.indptr, np.flatnonzero(~np.isfinite(X.data)), "right") - 1
        finite = np.ones(X.shape[1], bool)
        finite[bad] = False
        raise _not_finite(design_columns, finite)
    return X, terms, info


def _term_error(exc, parsed, data, env) -> FormulaError:
    """A FormulaError naming the term whose values patsy could not code (e.g. a
    class object inside ``C()``), found by building each term alone."""
    failing = []
    for term in parsed.rhs.rhs_termlist:
        if not term.factors:
            continue
        try:
            with np.errstate(all="ignore"):
                patsy.dmatrix(patsy.ModelDesc([], [term]), data, eval_env=env)
        except Exception:  # noqa: BLE001 - any failure marks the term
            failing.append(term.name())
    which = f"the term {failing[0]!r}" if len(failing) == 1 else f"the terms {failing}"
    if not failing:
        which = "a term of the formula"
    return FormulaError(
        f"{which} could not be coded ({type(exc).__name__}: {exc}); a term must give "
        "one number or one category per row (a column, a transform of columns, or "
        "C() of a column)"
    )


def _design_terms(info, formula) -> tuple[dict, list]:
    """Formula term -> its design columns (the intercept left out), and the design
    columns in order; a formula without any is refused."""
    names = info.column_names  # a new list at each access
    terms = {
        name: names[sl] for name, sl in info.term_name_slices.items() if name != "Intercept"
    }
    design_columns = [c for cols in terms.values() for c in cols]
    if not design_columns:
        raise FormulaError(f"formula {formula!r} has no predictors (no design columns)")
    return terms, design_columns


def _not_finite(design_columns, finite) -> DataError:
    bad = [c for c, ok in zip(design_columns, finite, strict=True) if not ok]
    return DataError(
        f"design columns {bad} have NaN or infinite values; check the data and transforms"
    )
