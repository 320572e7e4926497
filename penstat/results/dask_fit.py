"""The fit of a formula on a Dask DataFrame: :class:`DaskPenalizedFit`.

It is a :class:`~penstat.results.fit.PenalizedFit` (``coef``, ``selected``,
``summary()``, the export and the report read it the same way) whose design holds
no rows: :meth:`DaskPenalizedFit.predict` codes a Dask DataFrame partition by
partition and returns a Dask Series, and what needs the rows in memory (bootstrap,
stability selection, inference, refits of rows) is refused by name.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd

from penstat._errors import ArgumentError, DataError, warn_user
from penstat.distributed.design import OFFSET_COLUMN, attach_offset, is_dask_collection
from penstat.results.fit import PenalizedFit

__all__ = ["DaskPenalizedFit"]


def _predict_partition(part, design_bytes, b0, b, family, type, offset, shipped):
    """The predictions of one pandas partition (as :meth:`PenalizedFit.predict`)."""
    from penstat.distributed.design import restore_design_info

    design = pickle.loads(design_bytes)
    restore_design_info(design, shipped)
    X = design.transform(part)
    eta = X @ b + b0
    if offset is not None:
        eta = eta + part[offset].to_numpy(dtype=float, na_value=np.nan)
    if type == "link":
        return pd.Series(eta, index=part.index, name="link")
    mu = family.linkinv(eta)
    if type == "response":
        return pd.Series(mu, index=part.index, name="response")
    negative, positive = design.classes
    labels = np.where(mu > 0.5, positive, negative).astype(object)
    labels[np.isnan(mu)] = None
    return pd.Series(labels, index=part.index, name="class")


class DaskPenalizedFit(PenalizedFit):
    """A :class:`~penstat.results.fit.PenalizedFit` computed on a Dask DataFrame
    by passes over its partitions (see the user guide's Dask page).

    Attributes
    ----------
    passes : int
        The passes over the data the fit made.
    npartitions : int
    scheduler : str
        ``"distributed"`` (a Client) or ``"dask default"``.
    irls_passes : int
        Binomial: the passes of the IRLS steps (all CV folds in lockstep).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> import penstat as ps
    >>> df = ps.datasets.load("diabetes")
    >>> ddf = dd.from_pandas(df, npartitions=3)
    >>> fit = ps.lasso("y ~ .", ddf, seed=0)
    >>> fit.passes, fit.selection.rule
    (2, 'cv_1se')
    >>> pred = fit.predict(ddf)  # a Dask Series, computed on demand
    >>> type(pred).__name__, bool(pred.compute().notna().all())
    ('Series', True)
    """

    def __init__(
        self,
        design,
        result,
        spec,
        select_spec,
        penalty,
        run,
        data=None,
        warnings=(),
        adaptive_init=None,
        group_labels=None,
    ):
        super().__init__(
            design,
            result,
            spec,
            select_spec,
            penalty,
            warnings=warnings,
            adaptive_init=adaptive_init,
            group_labels=group_labels,
        )
        # the Dask collection (a lazy graph, not the rows) and how its partitions are
        # coded: what the Poisson bootstrap passes over
        self.data = data
        self.partition_design = run.partition_design
        self.starts = run.starts
        self.passes = int(run.passes)
        self.npartitions = int(run.npartitions)
        self.scheduler = run.scheduler
        self.irls_passes = int(run.irls_passes)
        # the merged statistics of the rows used (gaussian: of y - offset)
        self.total = run.total
        self.relaxed_deviance = run.relaxed_deviance
        self.run_spec = run.spec

    @property
    def dev_ratio(self) -> float:
        """Fraction of the null deviance explained at the chosen lambda (of a
        relaxed fit, by its relaxed coefficients, from the statistics)."""
        if self.relax is None:
            return float(self.path.dev_ratio[self.index])
        null = float(self.path.null_deviance)
        if self.relaxed_deviance is not None:  # binomial: from the fit's last pass
            return float("nan") if null <= 0 else 1.0 - self.relaxed_deviance / null
        s, b = self.total, self._coefs()
        d = (s.y_mean - self.intercept - b @ s.x_mean) + (s.y_mean_lo - b @ s._xlo)
        dev = s.yy - 2.0 * (b @ s.xy) + b @ s.xx @ b + s.sum_w * d * d
        return float("nan") if null <= 0 else 1.0 - dev / null

    @property
    def has_offset(self) -> bool:
        """Whether the fit took an offset column (its predictions then read it)."""
        return self.partition_design.offset is not None

    def predict(self, newdata=None, type: str = "response", lam=None, offset=None):
        """Predict for new data through the training formula's DesignInfo.

        ``newdata`` a Dask DataFrame: a Dask Series (one task per partition, nothing
        computed); a pandas DataFrame: a pandas Series, as
        :meth:`PenalizedFit.predict`. The other arguments as there; a fit with an
        offset reads its offset column from ``newdata`` (or the column named by
        ``offset=``, or ``offset=`` a Dask Series or array split as ``newdata`` is,
        as the fit takes one).
        """
        if type not in ("response", "link", "class"):
            raise ArgumentError(f"type={type!r}; use 'response', 'link' or 'class'")
        if type == "class" and self.family.name != "binomial":
            raise ArgumentError("type='class' is only for family='binomial'")
        if newdata is None:
            raise ArgumentError(
                "a fit on a Dask DataFrame keeps no rows: pass newdata= (the Dask "
                "DataFrame to predict, e.g. the one fitted)"
            )
        if not hasattr(newdata, "map_partitions"):
            return super().predict(newdata, type=type, lam=lam, offset=offset)
        column = None
        if self.has_offset and is_dask_collection(offset):
            newdata, offset = attach_offset(newdata, offset), OFFSET_COLUMN
        if self.has_offset:
            column = self.partition_design.offset if offset is None else offset
            if not isinstance(column, str) or column not in newdata.columns:
                raise ArgumentError(
                    f"offset: this fit has an offset, read from a column of newdata; "
                    f"{column!r} is not one (add it, or name it with offset=)"
                )
        elif offset is not None:
            raise ArgumentError(
                "offset: this fit has no offset, so its predictions take none; refit "
                "with offset= to use one"
            )
        b0, b = self._coef_vector(lam)
        meta = pd.Series([], dtype=object if type == "class" else float, name=type)
        return newdata.map_partitions(
            _predict_partition,
            # bytes: tokenized by value (a DesignInfo cannot be), rebuilt on workers
            pickle.dumps(self.design),
            float(b0),
            np.asarray(b, dtype=float),
            self.family,
            type,
            column,
            self.partition_design.shipped,
            meta=meta,
        )

    def _refuse(self, what: str):
        raise ArgumentError(
            f"{what} needs the rows in memory and is not available for a fit on a Dask "
            "DataFrame; fit a pandas DataFrame (e.g. ddf.compute() on a sample) for it"
        )

    def bootstrap(
        self,
        n_boot: int = 200,
        fixed_lam: bool = True,
        seed=None,
        level: float = 0.95,
        n_jobs=None,
        progress=None,
    ):
        """The Poisson bootstrap of a fit on a Dask DataFrame.

        Replicate ``r`` weights every row by a Poisson(1) count (times its weight),
        drawn from a seeded hash of (seed, r, global row position), so that it does
        not depend on the partitioning; the statistics of all replicates are made in
        the same pass, and each replicate's path is solved on the fit's lambdas down
        to the fit's lambda (``fixed_lam=True``: the lambda rule is not re-applied
        inside a replicate): gaussian from its statistics (one pass in all);
        with ``fixed_lam=False`` the same pass makes every replicate's statistics of
        every CV fold (the fit's folds), and each replicate's own grid, CV or
        criterion (relaxed (lambda, gamma), mix) are solved from them (binomial: by
        IRLS passes for every (replicate, fold) problem in lockstep and one scoring
        pass; a relaxed fit, ``cv_grid="glmnet"`` and the elastic net's criteria are
        refused);
        binomial by IRLS with every replicate a problem advancing in the same
        passes (one pass per IRLS step of the slowest replicate). A relaxed fit's
        replicates are relaxed at the fit's gamma. With many rows the Poisson bootstrap
        approximates the pairs bootstrap (Hanley & MacGibbon 2006). The result, a
        :class:`~penstat.resampling.BootstrapResult`, is kept in
        ``fit.bootstrap_result`` and shown by the summary. ``n_jobs`` and
        ``progress`` are not used (the cluster's workers run the pass).

        Examples
        --------
        >>> import dask.dataframe as dd
        >>> import penstat as ps
        >>> ddf = dd.from_pandas(ps.datasets.load("diabetes"), npartitions=2)
        >>> fit = ps.lasso("y ~ bmi + bp + s5 + age", ddf, select="bic")
        >>> boot = fit.bootstrap(n_boot=20, seed=0)
        >>> boot.coefs.shape, float(boot.columns.loc["bmi", "freq"])
        ((20, 4), 1.0)
        """
        from penstat._validation import check_int, resolve_seed, seed_sequence
        from penstat.distributed.fit import bootstrap_coefs, bootstrap_rule_coefs
        from penstat.resampling.bootstrap import _summarize_bootstrap
        from penstat.spec import check_bool

        fixed_lam = check_bool(fixed_lam, "fixed_lam") or self.select_spec.lam is not None
        n_boot = check_int(n_boot, "n_boot", 2)
        if not 0.0 < float(level) < 1.0:
            raise ArgumentError(f"level must be in (0, 1), got {level!r}")
        seed = resolve_seed(seed)
        if not isinstance(seed, int):
            # a SeedSequence (or what numpy seeds one from): the hash takes an int
            seed = int(seed_sequence(seed).generate_state(1, np.uint32)[0])
        if fixed_lam:
            coefs, passes = bootstrap_coefs(
                self.data,
                self.partition_design,
                self.starts,
                self.path.spec,
                np.asarray(self.path.lambdas[: self.index + 1]),
                n_boot,
                seed,
                gamma=None if self.relax is None else self.gamma,
            )
        else:
            coefs, passes = bootstrap_rule_coefs(
                self.data,
                self.partition_design,
                self.starts,
                self.run_spec,
                self.select_spec,
                n_boot,
                seed,
            )
        self.passes += passes
        result = _summarize_bootstrap(
            coefs,
            list(self.design.columns),
            self.design.terms,
            fixed_lam,
            float(level),
            np.random.SeedSequence(seed),
            False,
            (),
        )
        self.bootstrap_result = result
        return result

    def stability_selection(self, *args, **kwargs):
        """Refused: see the class docstring."""
        self._refuse("stability_selection()")

    def inference(self, *args, **kwargs):
        """Refused: see the class docstring."""
        self._refuse("inference()")

    def refit_rows(self, rows, fixed_lam: bool = False, seed=None):
        """Refused: see the class docstring."""
        self._refuse("refit_rows()")

    def refitter(self, fixed_lam: bool = False):
        """Refused: see the class docstring."""
        self._refuse("refitter()")

    def subpaths(self):
        """Refused: see the class docstring."""
        self._refuse("subpaths()")

    def path_rows(self, rows, lambdas):
        """Refused: see the class docstring."""
        self._refuse("path_rows()")


#: why stratified folds are refused on a Dask DataFrame
STRATIFY_REFUSAL = (
    "stratify=True is not available for a fit on a Dask DataFrame: the in-memory "
    "folds deal the rows of each class at random, a permutation of all the rows of "
    "a class that partitions cannot draw on their own, so the folds (and the CV "
    "curve) could not equal the in-memory fit's. The Dask folds are a seeded hash of "
    "each row's position (the same for any partitioning); drop stratify, or give "
    "foldid= (a column of fold labels, e.g. one you stratified yourself)"
)


def is_dask_frame(data) -> bool:
    """Whether ``data`` is a Dask DataFrame (without importing Dask)."""
    return type(data).__module__.startswith("dask") and hasattr(data, "map_partitions")


def fit_dask(
    formula: str,
    data,
    *,
    family: str,
    penalty: str,
    l1_ratio,
    lam,
    select,
    nlambda: int,
    lambda_min_ratio,
    lambdas,
    penalty_factor,
    weights,
    standardize: bool,
    na_action: str,
    positive_class,
    nfolds: int,
    foldid,
    stratify,
    measure,
    gamma,
    seed,
    tol: float,
    max_iter: int,
    offset,
    lower_limits,
    upper_limits,
    cv_grid: str,
    formula_env: str,
    groups,
    relax: bool,
    adaptive_gamma,
    client=None,
    **ignored,
) -> DaskPenalizedFit:
    """:func:`penstat.fit` on a Dask DataFrame (see the user guide's Dask page):
    the same checks of the arguments, then :func:`penstat.distributed.fit.fit_frame`."""
    from penstat._validation import check_adaptive, check_relax_penalty
    from penstat.design.named import resolve_penalty_factor
    from penstat.distributed.fit import fit_frame
    from penstat.family import get_family
    from penstat.penalty import resolve_penalty
    from penstat.spec import SelectSpec

    fam = get_family(family)
    _check_dask_arguments(formula, data, na_action, cv_grid, weights, offset, ignored)
    adaptive, adaptive_gamma = check_adaptive(penalty_factor, adaptive_gamma)
    group_options = _check_dask_groups(penalty, groups, l1_ratio, ignored)
    if stratify:
        raise ArgumentError(STRATIFY_REFUSAL)
    if relax and (lower_limits is not None or upper_limits is not None):
        raise ArgumentError(
            "relax=True refits each active set without a penalty, which limits would "
            "constrain; drop lower_limits / upper_limits or relax"
        )
    if offset is not None and not isinstance(offset, str):
        if not is_dask_collection(offset):
            raise ArgumentError(
                f"offset= on a Dask DataFrame must name a column of the data or be a "
                f"Dask Series or 1-d Dask array split as the data are, not a "
                f"{type(offset).__name__}; add it as a column (ddf.assign)"
            )
        data = attach_offset(data, offset)
        offset = OFFSET_COLUMN
    if ignored.get("sparse"):
        warn_user(
            "sparse=True has no effect on a fit on a Dask DataFrame: the path is "
            "solved from p x p statistics of the partitions, dense or not; drop it",
            UserWarning,
        )
    l1 = resolve_penalty(penalty, l1_ratio)
    select_spec = SelectSpec.build(
        fam.name,
        rule=select,
        lam=lam,
        l1_ratios=l1 if isinstance(l1, tuple) else None,
        nfolds=nfolds,
        measure=measure,
        gamma=gamma,
        seed=seed,
        relax=relax,
        cv_grid=cv_grid,
    ).with_seed()
    check_relax_penalty(select_spec.relax, l1)
    options = {
        "family": fam.name,
        "l1_ratio": l1[0] if isinstance(l1, tuple) else l1,
        "lambdas": lambdas,
        "nlambda": nlambda,
        "lambda_min_ratio": lambda_min_ratio,
        "standardize": standardize,
        "tol": tol,
        "max_iter": max_iter,
        **group_options,
    }
    caller = None
    if formula_env == "caller":
        from penstat.design.namespace import caller_env

        caller = caller_env()
    run = fit_frame(
        formula,
        data,
        fam.name,
        options,
        select_spec,
        weights=weights,
        offset=offset,
        foldid=foldid,
        positive_class=positive_class,
        formula_env=None if formula_env == "caller" else formula_env,
        client=client,
        penalty_factor=(
            None
            if penalty_factor is None or adaptive
            else lambda design: resolve_penalty_factor(penalty_factor, design)
        ),
        lower_limits=lower_limits,
        upper_limits=upper_limits,
        adaptive_gamma=adaptive_gamma if adaptive else None,
        caller_env=caller,
        na_action=na_action,
        groups=_group_labels_of(groups) if penalty == "group" else None,
    )
    return DaskPenalizedFit(
        run.design,
        run.result,
        run.spec,
        run.select,
        penalty,
        run,
        data=data,
        adaptive_init=run.adaptive_init,
        group_labels=run.group_labels,
    )


def _check_dask_groups(penalty: str, groups, l1_ratio, ignored) -> dict:
    """The group lasso's checks of :func:`penstat.fit` on a Dask DataFrame; the
    spec options they give (``l1_within``, checked again with the groups by
    :meth:`FitSpec.build`)."""
    from penstat._validation import check_l1_within
    from penstat.penalty import resolve_penalty

    l1_within = check_l1_within(ignored.get("l1_within", 0.0))
    if penalty != "group":
        if groups is not None:
            raise ArgumentError(
                f"groups= is for the group lasso; use penalty='group' (not {penalty!r}) "
                "or drop groups"
            )
        if l1_within:
            raise ArgumentError(
                f"l1_within={l1_within!r} is the sparse-group lasso's L1 share and "
                "needs groups (penalty='group'); give groups, or drop l1_within"
            )
        return {}
    l1 = resolve_penalty(penalty, l1_ratio)
    if l1_within and isinstance(l1, tuple) and min(l1) < 1:
        raise ArgumentError(
            f"l1_within={l1_within!r} (sparse-group lasso) cannot be combined "
            "with an l1_ratio below 1 (group elastic net); keep l1_ratio=1"
        )
    return {"l1_within": l1_within}


def _group_labels_of(groups):
    """``fit_frame``'s ``groups``: the design's group labels (one per column,
    :func:`penstat.design.named.resolve_groups`), from the template design."""
    from penstat.design.named import resolve_groups

    return lambda design: resolve_groups(groups, design)


def _check_dask_arguments(formula, data, na_action, cv_grid, weights, offset, ignored):
    """The checks of :func:`penstat.fit` that the Dask path must make itself, before
    any pass: the types of the arguments it does not use (``n_jobs``, ``progress``,
    ``sparse``: refused as in memory, not ignored), and the dtypes of the weights
    and offset columns, read from the frame's metadata."""
    from penstat._validation import (
        check_cv_grid,
        check_n_jobs,
        check_na_action,
        check_offset_not_response,
    )
    from penstat.spec import check_bool

    if not isinstance(formula, str):
        raise ArgumentError(f"formula must be a string like 'y ~ x1 + x2', not {formula!r}")
    check_na_action(na_action)
    check_cv_grid(cv_grid)
    check_n_jobs(ignored.get("n_jobs"))
    for name in ("progress", "sparse"):
        if ignored.get(name) is not None:
            check_bool(ignored[name], name)
    lhs = formula.split("~", 1)[0].strip() if "~" in formula else ""
    check_offset_not_response(offset, [lhs])
    dtypes = getattr(data, "dtypes", {})
    for arg, col in (("weights", weights), ("offset", offset)):
        if not isinstance(col, str) or col not in dtypes:
            continue
        dtype = dtypes[col]
        if pd.api.types.is_bool_dtype(dtype):
            raise DataError(
                f"{arg} column {col!r} holds booleans ({dtype}); the {arg} must be a "
                "number per row: convert the column first if you mean 0 / 1 (e.g. "
                f"ddf[{col!r}].astype(float), with ddf.assign)"
            )
        numeric = pd.api.types.is_numeric_dtype(dtype)
        if not numeric or getattr(dtype, "kind", "") == "c":
            raise DataError(
                f"{arg} column {col!r} is not a real number ({dtype}); the {arg} must "
                "be a number per row: convert the column first (ddf.assign)"
            )
