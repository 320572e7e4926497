"""The formula entry points: :func:`fit`, :func:`lasso`, :func:`ridge`, :func:`elastic_net`.

>>> import penstat as ps
>>> df = ps.datasets.load("diabetes")
>>> fit = ps.lasso("y ~ .", df, lam=5.0)
>>> fit.selected
['sex', 'bmi', 'bp', 's3', 's5']
"""

from __future__ import annotations

import warnings

import pandas as pd
import scipy.sparse as sp

from penstat._errors import (
    ArgumentError,
    ConvergenceWarning,
    DataError,
    SeparationWarning,
    warn_user,
)
from penstat._validation import check_adaptive, check_relax_penalty
from penstat.design import build_design
from penstat.design.named import resolve_groups, resolve_limits, resolve_penalty_factor
from penstat.engine import adaptive_init, run
from penstat.family import get_family
from penstat.penalty import resolve_penalty
from penstat.results import PenalizedFit
from penstat.results.dask_fit import fit_dask, is_dask_frame
from penstat.spec import FitSpec, SelectSpec

__all__ = ["elastic_net", "fit", "group_lasso", "lasso", "ridge"]


def fit(
    formula: str,
    data: pd.DataFrame,
    family: str = "gaussian",
    penalty: str = "l1",
    l1_ratio: float | list[float] | None = None,
    lam: float | None = None,
    select: str | float | None = "cv_1se",
    nlambda: int = 100,
    lambda_min_ratio: float | None = None,
    lambdas=None,
    penalty_factor=None,
    weights=None,
    standardize: bool = True,
    na_action: str = "drop",
    positive_class=None,
    nfolds: int | None = None,
    foldid=None,
    stratify: bool | None = None,
    measure: str | None = None,
    gamma: float | None = None,
    seed=None,
    n_jobs: int | None = None,
    progress: bool | None = None,
    tol: float = 1e-7,
    max_iter: int = 100_000,
    offset=None,
    lower_limits=None,
    upper_limits=None,
    cv_grid: str = "full",
    formula_env: str = "caller",
    groups=None,
    relax: bool = False,
    adaptive_gamma: float | None = None,
    sparse: bool = False,
    l1_within: float = 0.0,
) -> PenalizedFit:
    """Fit a penalized regression from a formula and a DataFrame.

    The objective is glmnet's (see the architecture page of the docs): columns are
    standardized internally, coefficients are reported on the original scale, and the
    intercept is not penalized.

    Parameters
    ----------
    formula : str
        ``"response ~ terms"`` with patsy syntax; ``.`` means every other column
        (``y ~ . - x3``, ``y ~ . + a:b``); ``- 1`` removes the intercept.
    data : pandas.DataFrame or dask.dataframe.DataFrame
        Not modified. A Dask DataFrame is fitted by passes over its partitions,
        never gathered (see the user guide's Dask page for what it supports).
    family : {"gaussian", "binomial"}
    penalty : {"l1", "l2", "elasticnet", "group"}
        ``"group"`` is the group lasso by formula term (see :func:`group_lasso`).
    l1_ratio : float or list of float, optional
        The L1 / L2 mix: 1 for ``"l1"``, 0 for ``"l2"``, default 0.5 for
        ``"elasticnet"`` and 1 for ``"group"``. A list (elastic net, group) chooses
        the mix with ``select``.
    lam : float, optional
        Fix lambda: the path is fitted down to ``lam`` (the grid plus ``lam``) and
        the exact solution at ``lam`` is reported; no selection is run.
    select : {"cv_1se", "cv_min", "aic", "bic", "ebic"}, float or None
        How lambda is chosen; a number is the same as ``lam=``; None takes the
        smallest lambda of the path.
    nlambda, lambda_min_ratio, lambdas
        The lambda grid (glmnet's defaults: 100 values down to 1e-4 of the largest,
        or 1e-2 when n < p).
    penalty_factor : dict, array or "adaptive", optional
        Relative penalty per design column; a dict (or a pandas Series labelled by
        name) may name design columns or formula terms (a term applies to all its
        columns), others get 1. 0 = unpenalized. ``"adaptive"``: the adaptive
        lasso (Zou 2006), every column weighted ``1 / |b| ** adaptive_gamma`` from an
        initial fit (least squares or logistic regression when there are more
        observations than columns, else ridge with lambda by CV), reported in
        ``fit.adaptive_init``; with ``penalty="group"`` the adaptive group lasso,
        one factor ``1 / ||b_g|| ** adaptive_gamma`` per group. See the user
        guide's penalties page.
    weights : str or array, optional
        A column name of ``data`` or one non-negative weight per row.
    standardize : bool
    na_action : {"drop", "raise"}
        Rows with missing values in a variable of the formula are dropped (and
        counted) or refused.
    positive_class : optional
        Binomial: the response value coded 1 (default the second sorted value).
    nfolds, foldid, measure, gamma, n_jobs, progress
        Passed to :func:`penstat.selection.select_lambda`; ``foldid`` may be a column
        name (grouped folds) or one label per row of ``data``. ``nfolds`` None: 10.
        ``nfolds`` or ``foldid`` with a rule that does not cross-validate (``aic``,
        ``bic``, ``ebic``, a fixed lambda) is ignored, with a warning naming it.
    seed : int, numpy Generator or None
        Seed of the random CV folds. A fit that draws folds records the seed it used
        in ``fit.seed`` (an int: drawn from fresh entropy when ``seed`` is None, or
        from the Generator); ``seed=fit.seed`` repeats the fit bit for bit.
    stratify : bool, optional
        Random CV folds dealt by class so that every fold holds both classes among
        its rows of positive weight; binomial only, and the default there.
        Resampling replicates (``bootstrap``) use the default.
    tol, max_iter
        Solver tolerance and the limit on coordinate-descent sweeps.
    offset : str or array, optional
        A column name of ``data`` or one number per row of ``data``, added to each
        row's linear predictor with a fixed coefficient of 1 (glmnet's ``offset``):
        gaussian fits ``y - offset``, binomial adds it to the log-odds. Left out of
        ``.``; it enters the null model, lambda_max, the deviances, every CV fold
        (split with the rows) and the information criteria. As for ``weights``, a
        missing or infinite offset in a row that is used is refused, whatever
        ``na_action``. :meth:`PenalizedFit.predict` reads an offset column from
        ``newdata``; an array offset needs ``offset=`` there.
    lower_limits, upper_limits : number, dict or array, optional
        Limits on the coefficients, on the original scale of the design columns
        (glmnet's ``lower.limits`` / ``upper.limits``); ``lower_limits <= 0 <=
        upper_limits``, ``-np.inf`` / ``np.inf`` leave a side free. A number applies
        to every penalized column (unpenalized ones stay free); a dict may name
        formula terms (all their columns) or design columns (a column's own entry
        wins), others are free, and so may a pandas Series labelled by name; an
        array gives one value per design column. Columns
        with ``penalty_factor`` 0 cannot take a finite limit. ``lower_limits=0`` is
        the non-negative lasso. CV folds, the ``l1_ratio`` search, the criteria and
        the resampling replicates all fit with the same limits.
    cv_grid : {"full", "glmnet"}
        The lambdas a CV fold is fitted at: ``"full"`` (default) the full data's,
        as ``cv.glmnet(..., lambda = fit$lambda)``; ``"glmnet"`` the fold's own grid,
        interpolated at the full data's lambdas, as ``cv.glmnet`` by default.
    formula_env : {"caller", "safe"}
        Where names in the formula that are not columns are looked up. ``"caller"``
        (the default): where ``fit`` was called, then the formula functions
        (``log``, ``poly``, ``ns``, ``C``, ...) and numpy as ``np``, so your own
        functions work. ``"safe"``: only the columns, the listed formula functions,
        numbers and operators; every term is checked before anything is evaluated.

        .. warning:: A formula is code. With ``"caller"`` a formula can call any
           function it can name; use ``formula_env="safe"`` for a formula you did
           not write (the command line always does). See the user guide's security
           page.
    groups : dict, optional
        ``penalty="group"`` only: formula term -> group name, to put several terms
        in one group; every other term is a group of its own.

    relax : bool
        The relaxed lasso (glmnet's ``relax = TRUE``): at each lambda the
        coefficients ``gamma * lasso + (1 - gamma) * unpenalized refit`` on the
        lasso's active set, with lambda and gamma (0, 0.25, 0.5, 0.75, 1) chosen
        together by the CV rule on the same folds (``cv.glmnet(relax = TRUE)``);
        ``fit.gamma`` reports gamma. Needs ``select="cv_1se"`` or ``"cv_min"``, one
        ``l1_ratio`` and no coefficient limits. With ``penalty="group"`` the
        relaxed group lasso: the refits are on the columns of the selected terms.
    adaptive_gamma : float, optional
        The exponent of ``penalty_factor="adaptive"`` (> 0, default 1).
    sparse : bool
        Build the terms that hold a factor with 50 or more coded columns as sparse
        blocks and fit on a ``scipy.sparse`` X (the sparse kernels; the same
        solution). For factors with hundreds or thousands of levels, where the dense
        design would not fit in memory or is mostly zeros. See the user guide's
        sparse page for what a sparse fit supports.
    l1_within : float
        ``penalty="group"`` only: the sparse-group lasso's L1 share ``a`` in [0, 1]
        (Simon et al. 2013), penalty
        ``lam * sum_g ((1 - a) w_g ||b_g||_2 + a f_g ||b_g||_1)``: terms are
        selected and columns inside them too. 0 (default) is the group lasso, 1 the
        lasso; needs ``l1_ratio=1``.

    Returns
    -------
    PenalizedFit

    Examples
    --------
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> relaxed = ps.lasso("y ~ .", df, relax=True, seed=0)
    >>> relaxed.gamma in (0.0, 0.25, 0.5, 0.75, 1.0)
    True
    >>> adaptive = ps.lasso("y ~ .", df, penalty_factor="adaptive", select="bic")
    >>> adaptive.adaptive_init.method
    'ols'
    >>> shifted = ps.fit("y ~ bmi + bp", df.assign(base=100.0), offset="base", lam=1.0)
    >>> round(shifted.intercept - ps.fit("y ~ bmi + bp", df, lam=1.0).intercept, 6)
    -100.0
    >>> df = ps.datasets.load("breast_cancer")
    >>> fit = ps.fit("diagnosis ~ radius_mean + texture_mean", df, family="binomial",
    ...              lam=0.01)
    >>> fit.design.positive
    'malignant'
    """
    if is_dask_frame(data):
        # a Dask DataFrame: the same options, run by passes over its partitions
        options = {k: v for k, v in locals().items() if k not in ("formula", "data")}
        options["nfolds"] = 10 if nfolds is None else nfolds
        fitted = fit_dask(formula, data, **options)
        if nfolds is not None or foldid is not None:
            rule = SelectSpec.build(
                get_family(family).name, rule=select, lam=lam, nfolds=options["nfolds"]
            )
            _warn_unused_folds(rule, nfolds, foldid, fitted.adaptive_init)
        return fitted
    fam = get_family(family)
    l1 = resolve_penalty(penalty, l1_ratio)
    select_spec = SelectSpec.build(
        fam.name,
        rule=select,
        lam=lam,
        l1_ratios=l1 if isinstance(l1, tuple) else None,
        nfolds=10 if nfolds is None else nfolds,
        measure=measure,
        stratify=stratify,
        gamma=gamma,
        seed=seed,
        n_jobs=n_jobs,
        progress=progress,
        cv_grid=cv_grid,
        relax=relax,
    )
    adaptive, adaptive_gamma = check_adaptive(penalty_factor, adaptive_gamma)
    check_relax_penalty(select_spec.relax, l1)
    if relax and (lower_limits is not None or upper_limits is not None):
        raise ArgumentError(
            "relax=True refits each active set without a penalty, which limits would "
            "constrain; drop lower_limits / upper_limits or relax"
        )
    exclude = [c for c in (weights, foldid, offset) if isinstance(c, str)]
    design = build_design(
        formula,
        data,
        fam,
        weights=weights,
        na_action=na_action,
        positive_class=positive_class,
        exclude=exclude,
        offset=offset,
        formula_env=formula_env,
        sparse=sparse,
    )
    if foldid is not None:
        select_spec = select_spec.with_folds(design.rows_of(foldid, "foldid"))
    select_spec = select_spec.with_seed()
    pf = None if adaptive else resolve_penalty_factor(penalty_factor, design)
    lower, upper = resolve_limits(lower_limits, upper_limits, design, pf)
    group_of = None
    if penalty == "group":
        if sparse and sp.issparse(design.X):
            raise ArgumentError(
                "penalty='group' is not available with sparse=True (the group kernel "
                "works on dense columns); drop sparse=True, or use penalty='l1' on the "
                "sparse design"
            )
        group_of = resolve_groups(groups, design)
        if l1_within and isinstance(l1, tuple) and min(l1) < 1:
            raise ArgumentError(
                f"l1_within={l1_within!r} (sparse-group lasso) cannot be combined "
                "with an l1_ratio below 1 (group elastic net); keep l1_ratio=1"
            )
    elif groups is not None:
        raise ArgumentError(
            f"groups= is for the group lasso; use penalty='group' (not {penalty!r}) "
            "or drop groups"
        )
    n, p = design.X.shape
    _check_enough_rows(design)
    spec = FitSpec.build(
        n,
        p,
        family=fam.name,
        l1_ratio=l1[0] if isinstance(l1, tuple) else l1,
        lambdas=lambdas,
        nlambda=nlambda,
        lambda_min_ratio=lambda_min_ratio,
        penalty_factor=pf,
        lower_limits=lower,
        upper_limits=upper,
        weights=design.weights,
        offset=design.offset,
        standardize=standardize,
        fit_intercept=design.has_intercept,
        tol=tol,
        max_iter=max_iter,
        groups=group_of,
        columns=design.columns,
        l1_within=l1_within,
    )
    init = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if adaptive:
            init = adaptive_init(
                design.X, design.y, spec, select_spec, adaptive_gamma, design.columns
            )
            spec = FitSpec.build(
                n, p, **{**_spec_options(spec), "penalty_factor": init.penalty_factor}
            )
        try:
            out = run(design.X, design.y, spec, select_spec)
        except DataError as exc:
            j = getattr(exc, "column", None)
            if j is None:
                raise
            # the solver names columns by position; the user knows them by name
            named = str(exc).replace(f"column {j}", f"column {design.columns[j]!r}", 1)
            raise DataError(named) from None
    _warn_unused_folds(select_spec, nfolds, foldid, init)
    return PenalizedFit(
        design,
        out,
        spec,
        select_spec,
        penalty,
        warnings=_replay(caught),
        adaptive_init=init,
        group_labels=group_of,
    )


def _warn_unused_folds(select: SelectSpec, nfolds, foldid, init=None) -> None:
    """Warn that ``nfolds`` / ``foldid`` are ignored by a rule that does not
    cross-validate (a relaxed fit always does; ``relax`` needs a CV rule), unless
    the adaptive lasso's start ``init`` chose its ridge lambda on those folds."""
    if select.is_cv or (init is not None and init.method == "ridge"):
        return
    used = f"select={select.rule!r}" if select.rule is not None else "a fixed lambda"
    for name, value in (("nfolds", nfolds), ("foldid", foldid)):
        if value is not None:
            shown = f"nfolds={value!r}" if name == "nfolds" else "foldid"
            warn_user(
                f"{shown} is ignored with {used}: only the CV rules (select='cv_1se' "
                f"or 'cv_min') use folds; drop {name} or use a CV rule",
                UserWarning,
            )


def _check_enough_rows(design) -> None:
    """Refuse data with fewer than 2 rows to fit (after the rows with missing values
    and the zero weights are left out)."""
    w = design.weights
    n = design.X.shape[0] if w is None else int((w > 0).sum())
    if n >= 2:
        return
    dropped = (
        f" ({design.n_dropped} row(s) with missing values were left out)"
        if design.n_dropped
        else ""
    )
    raise DataError(
        f"the data has {n} row{'' if n == 1 else 's'} to fit{dropped}; a penalized "
        "fit needs at least 2 rows (and cross-validation at least as many as nfolds)"
    )


def _spec_options(spec: FitSpec) -> dict:
    """The arguments of :meth:`FitSpec.build` that give ``spec``."""
    return {
        f: getattr(spec, f)
        for f in (
            "family",
            "l1_ratio",
            "lambdas",
            "nlambda",
            "lambda_min_ratio",
            "penalty_factor",
            "lower_limits",
            "upper_limits",
            "weights",
            "offset",
            "standardize",
            "fit_intercept",
            "tol",
            "max_iter",
            "groups",
            "l1_within",
        )
    }


def _replay(caught) -> tuple[str, ...]:
    """Show the warnings recorded during a fit again, each distinct one once (a CV
    fold raises the same warning as the full fit), and return the texts of
    penstat's own (separation, convergence) for the summary and the report."""
    seen: set = set()
    kept: list[str] = []
    for w in caught:
        key = (w.category, str(w.message), w.filename, w.lineno)
        if key in seen:
            continue
        seen.add(key)
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        text = str(w.message)
        if issubclass(w.category, (SeparationWarning, ConvergenceWarning)):
            if text not in kept:
                kept.append(text)
    return tuple(kept)


_FORMULA_DATA = """
    formula : str
        ``"response ~ terms"`` (patsy syntax; ``.`` means every other column).
    data : pandas.DataFrame
        Not modified.
"""

_FIT_OPTIONS = """
    **options
        Any other argument of :func:`fit`, with its meaning and default there:
        ``family``, ``lam``, ``select``, ``nlambda``, ``lambda_min_ratio``,
        ``lambdas``, ``penalty_factor``, ``weights``, ``standardize``,
        ``na_action``, ``positive_class``, ``nfolds``, ``foldid``, ``stratify``,
        ``measure``, ``gamma``, ``seed``, ``n_jobs``, ``progress``, ``tol``,
        ``max_iter``, ``offset``, ``lower_limits``, ``upper_limits``, ``cv_grid``,
        ``formula_env``, ``groups`` (the group lasso only), ``relax``,
        ``adaptive_gamma``, ``sparse``, ``l1_within`` (the group lasso only).
        ``penalty`` (and for the
        lasso and ridge ``l1_ratio``) is set by the function; use :func:`fit` to
        choose it.

    Returns
    -------
    PenalizedFit
        ``coef``, ``selected``, ``lam``, ``predict(newdata)``, ``summary()``, ...
"""


def lasso(formula: str, data: pd.DataFrame, **options) -> PenalizedFit:
    """Lasso (L1-penalized) regression from a formula: :func:`fit` with
    ``penalty="l1"`` (R: ``cv.glmnet(x, y, alpha = 1)``).

    The lasso sets some coefficients exactly to zero, so it selects columns; by
    default lambda is chosen by 10-fold cross-validation with the 1-SE rule.

    Parameters
    ----------
    {formula_data}
    {options}

    Examples
    --------
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> ps.lasso("y ~ bmi + bp + s5", df, lam=1.0).df
    3
    >>> fit = ps.lasso("y ~ .", df, select="bic")
    >>> fit.selected
    ['sex', 'bmi', 'bp', 's1', 's3', 's5', 's6']
    """
    _no_override(options, "penalty", "lasso")
    return fit(formula, data, penalty="l1", **options)


def ridge(formula: str, data: pd.DataFrame, **options) -> PenalizedFit:
    """Ridge (L2-penalized) regression from a formula: :func:`fit` with
    ``penalty="l2"`` (R: ``cv.glmnet(x, y, alpha = 0)``).

    Ridge shrinks every coefficient towards zero and keeps all of them (it selects
    nothing); by default lambda is chosen by 10-fold cross-validation with the 1-SE
    rule.

    Parameters
    ----------
    {formula_data}
    {options}

    Examples
    --------
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> ps.ridge("y ~ .", df, lam=10.0).df
    10
    >>> fit = ps.ridge("y ~ bmi + bp", df, select="cv_min", seed=0)
    >>> fit.selection.rule, fit.seed
    ('cv_min', 0)
    """
    _no_override(options, "penalty", "ridge")
    return fit(formula, data, penalty="l2", **options)


def elastic_net(
    formula: str, data: pd.DataFrame, l1_ratio: float | list[float] = 0.5, **options
) -> PenalizedFit:
    """Elastic net from a formula: :func:`fit` with ``penalty="elasticnet"`` (R:
    ``cv.glmnet(x, y, alpha = l1_ratio)``).

    A mix of the lasso and ridge penalties: it selects columns as the lasso does,
    and shares the weight between correlated columns as ridge does.

    Parameters
    ----------
    {formula_data}
    l1_ratio : float or list of float
        The L1 / L2 mix in [0, 1] (glmnet's ``alpha``; 1 is the lasso, 0 ridge),
        default 0.5. A list is searched: every mix gets its own path and the
        selection rule chooses mix and lambda together, on the same CV folds.
    {options}

    Examples
    --------
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> ps.elastic_net("y ~ .", df, lam=1.0).l1_ratio
    0.5
    >>> ps.elastic_net("y ~ .", df, l1_ratio=[0.2, 1.0], select="bic").l1_ratio
    1.0
    """
    _no_override(options, "penalty", "elastic_net")
    return fit(formula, data, penalty="elasticnet", l1_ratio=l1_ratio, **options)


def group_lasso(
    formula: str,
    data: pd.DataFrame,
    groups: dict | None = None,
    l1_ratio: float | list[float] = 1.0,
    l1_within: float = 0.0,
    **options,
) -> PenalizedFit:
    """Group lasso by formula term: :func:`fit` with ``penalty="group"`` (R:
    ``grpreg(..., penalty = "grLasso")``; the objective of ``adelie``'s group
    elastic net).

    Every formula term is one group, penalized by the Euclidean norm of its
    coefficients, ``lam * sum_g sqrt(size_g) f_g ||b_g||_2`` (Yuan & Lin 2006): the
    dummies of a factor, the basis of a spline, a polynomial's powers or an
    interaction's columns enter or leave the model together; a numeric column is a
    group of one. Columns are standardized one by one first (as for the lasso),
    and the intercept is not penalized. ``fit.selected_terms`` are the terms whose
    group is nonzero.

    Parameters
    ----------
    {formula_data}
    groups : dict, optional
        Formula term -> group name, to put several terms in one group (their
        columns then enter together); other terms keep a group of their own. A
        design column of a term, or a name that is not a term, is refused.
    l1_ratio : float or list of float
        1 (default) is the group lasso; below 1 the group elastic net
        ``lam * sum_g w_g (l1_ratio ||b_g|| + (1 - l1_ratio)/2 ||b_g||^2)``.
    l1_within : float
        The sparse-group lasso (Simon, Friedman, Hastie & Tibshirani 2013): its L1
        share ``a`` in [0, 1], penalty
        ``lam * sum_g ((1 - a) w_g ||b_g||_2 + a f_g ||b_g||_1)``, so that terms are
        selected and, inside a selected term, columns too (``fit.selected``).
        0 (default) is the group lasso, 1 the lasso; needs ``l1_ratio=1``.
    {options}

    Examples
    --------
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> fit = ps.group_lasso("y ~ bmi + bp + s5 + poly(age, 3) + C(sex)", df, lam=5.0)
    >>> fit.selected_terms
    ['bmi', 'bp', 's5']
    >>> fit.coef.filter(like="poly").tolist()  # the three columns leave together
    [0.0, 0.0, 0.0]
    """
    _no_override(options, "penalty", "group_lasso")
    return fit(
        formula,
        data,
        penalty="group",
        l1_ratio=l1_ratio,
        groups=groups,
        l1_within=l1_within,
        **options,
    )


for _function in (lasso, ridge, elastic_net, group_lasso):
    if _function.__doc__:  # None under python -OO
        _function.__doc__ = _function.__doc__.replace(
            "{formula_data}", _FORMULA_DATA.strip()
        ).replace("{options}", _FIT_OPTIONS.strip())


def _no_override(kwargs, key, where):
    if key in kwargs:
        raise ArgumentError(f"{where}() sets {key}; use penstat.fit() to choose it")
