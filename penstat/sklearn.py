"""scikit-learn estimators on arrays: ``PenalizedRegressor`` and ``PenalizedClassifier``.

They run the same fit engine as :func:`penstat.fit` (:mod:`penstat.engine`), so a
penstat fit drops into a scikit-learn ``Pipeline``, ``GridSearchCV`` or
``cross_val_score``. The objective is glmnet's (see the architecture page of the
docs); ``lam`` is the
penalty strength and ``l1_ratio`` the L1 / L2 mix.

scikit-learn is an optional dependency: ``import penstat`` never imports it, and this
module says how to install it when it is missing.

>>> import numpy as np
>>> from penstat.sklearn import PenalizedRegressor
>>> rng = np.random.default_rng(0)
>>> X = rng.standard_normal((100, 5))
>>> y = 3 * X[:, 0] + rng.standard_normal(100)
>>> est = PenalizedRegressor(select="cv_min", nfolds=5, seed=0).fit(X, y)
>>> int(np.flatnonzero(est.coef_)[0])
0
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from penstat._errors import ArgumentError, DataError, PenstatError
from penstat._validation import (
    as_design,
    check_factor,
    check_relax_penalty,
    check_response_scale,
    refuse_text_or_bool,
)
from penstat.engine import run
from penstat.family import get_family
from penstat.penalty import resolve_penalty
from penstat.spec import FitSpec, SelectSpec


class MissingDependencyError(PenstatError, ImportError):
    """An optional dependency needed by this module is not installed.

    Raised on ``import penstat.sklearn`` without scikit-learn. It is both a
    :class:`~penstat.PenstatError` and an ``ImportError``, so either catches it.

    Examples
    --------
    >>> import penstat as ps
    >>> issubclass(MissingDependencyError, ImportError)
    True
    >>> issubclass(MissingDependencyError, ps.PenstatError)
    True
    """


try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.utils.multiclass import check_classification_targets, type_of_target
    from sklearn.utils.validation import _check_sample_weight, check_is_fitted
except ImportError as exc:  # pragma: no cover - exercised only without scikit-learn
    raise MissingDependencyError(
        "penstat.sklearn needs scikit-learn, which is not installed; install it with "
        "`pip install scikit-learn` (the rest of penstat works without it)"
    ) from exc

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data as _sk_validate_data
except ImportError:  # pragma: no cover - older scikit-learn
    _sk_validate_data = None

__all__ = ["PenalizedRegressor", "PenalizedClassifier", "MissingDependencyError"]

# sparse formats taken as they are by scikit-learn's checks (CSC is what the solver
# uses; CSR and COO are converted to it once, never densified)
_SPARSE = ("csc", "csr", "coo")


def _validate_data(estimator, X, y="no_validation", reset: bool = True, **kwargs):
    """scikit-learn's checks of X and y; what they refuse is a ``DataError`` (also a
    ``ValueError``, with scikit-learn's message)."""
    try:
        if _sk_validate_data is not None:
            return _sk_validate_data(estimator, X, y, reset=reset, **kwargs)
        return estimator._validate_data(X, y, reset=reset, **kwargs)  # pragma: no cover
    except PenstatError:
        raise
    except ValueError as exc:
        raise DataError(str(exc)) from exc


class _PenalizedBase(BaseEstimator):
    """Shared fitting logic; ``_family`` is set by the subclasses."""

    _family = "gaussian"

    def __init__(
        self,
        penalty: str = "l1",
        l1_ratio: float | list[float] | None = None,
        lam: float | None = None,
        select: str | float | None = "cv_1se",
        nlambda: int = 100,
        lambda_min_ratio: float | None = None,
        penalty_factor: Any = None,
        standardize: bool = True,
        fit_intercept: bool = True,
        nfolds: int = 10,
        measure: str | None = None,
        gamma: float | None = None,
        seed: int | np.random.Generator | None = None,
        n_jobs: int | None = None,
        tol: float = 1e-7,
        max_iter: int = 100_000,
        stratify: bool | None = None,
        positive: bool = False,
        relax: bool = False,
    ) -> None:
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.lam = lam
        self.select = select
        self.nlambda = nlambda
        self.lambda_min_ratio = lambda_min_ratio
        self.penalty_factor = penalty_factor
        self.standardize = standardize
        self.fit_intercept = fit_intercept
        self.nfolds = nfolds
        self.measure = measure
        self.gamma = gamma
        self.seed = seed
        self.n_jobs = n_jobs
        self.tol = tol
        self.max_iter = max_iter
        self.stratify = stratify
        self.relax = relax
        self.positive = positive

    # -- fitting ------------------------------------------------------------------

    def _fit_arrays(self, X: np.ndarray, y: np.ndarray, sample_weight) -> None:
        """Fit the path on validated arrays (``y`` numeric; 0/1 for binomial)."""
        if self.penalty == "group":
            raise ArgumentError(
                "penalty='group' groups the columns of formula terms; the estimators "
                "take plain arrays, so use penstat.group_lasso(formula, data) instead"
            )
        X = as_design(X, "X")
        l1_ratio = resolve_penalty(self.penalty, self.l1_ratio)
        select = SelectSpec.build(
            self._family,
            rule=self.select,
            lam=self.lam,
            l1_ratios=l1_ratio if isinstance(l1_ratio, tuple) else None,
            nfolds=self.nfolds,
            measure=self.measure,
            stratify=self.stratify,
            gamma=self.gamma,
            seed=self.seed,
            n_jobs=self.n_jobs,
            progress=False,
            relax=self.relax,
        )
        check_relax_penalty(select.relax, l1_ratio)
        if select.relax and self.positive:
            raise ArgumentError(
                "relax=True refits each active set without a penalty, which "
                "positive=True would constrain; drop one of them"
            )
        weights = None
        if sample_weight is not None:
            # before scikit-learn's cast, which reads "1" and True as 1.0
            refuse_text_or_bool(sample_weight, "sample_weight")
            try:
                weights = _check_sample_weight(sample_weight, X, dtype=np.float64)
            except ValueError as exc:
                raise DataError(f"sample_weight: {exc}") from exc
        self._check_sizes(select, X.shape[0])
        penalty_factor = self._penalty_factor(X.shape[1])
        spec = FitSpec.build(
            X.shape[0],
            X.shape[1],
            family=self._family,
            l1_ratio=l1_ratio[0] if isinstance(l1_ratio, tuple) else l1_ratio,
            nlambda=self.nlambda,
            lambda_min_ratio=self.lambda_min_ratio,
            penalty_factor=penalty_factor,
            lower_limits=self._lower_limits(penalty_factor, X.shape[1]),
            weights=weights,
            standardize=self.standardize,
            fit_intercept=self.fit_intercept,
            tol=self.tol,
            max_iter=self.max_iter,
        )
        out = run(X, y, spec, select, full_grid=False)
        path = out.path
        if hasattr(self, "feature_names_in_"):
            path = path.with_names(self.feature_names_in_)
        self.path_ = path
        self.selection_ = out.selection
        self.l1_ratio_ = float(out.l1_ratio)
        self.l1_ratio_table_ = out.l1_ratio_table
        self.lam_ = out.lam
        self.coef_ = out.coef.copy()
        self.intercept_ = float(out.intercept)
        self.relax_gamma_ = None if out.relax is None else float(out.relax.gamma)
        self.n_iter_ = int(np.sum(path.n_iter))

    def _check_sizes(self, select: SelectSpec, n: int) -> None:
        """scikit-learn's own wording for too few samples (its estimator checks)."""
        if select.rule is not None and n < 2:
            raise DataError(
                f"select={select.rule!r} needs more than one sample, got n_samples={n}; "
                "fix lambda with lam= or pass more rows"
            )
        if select.is_cv and isinstance(self.nfolds, numbers.Integral):
            if not isinstance(self.nfolds, bool) and n < self.nfolds:
                raise DataError(
                    f"{self.nfolds}-fold cross-validation needs at least {self.nfolds} "
                    f"samples, got n_samples={n}; lower nfolds, fix lam=, or "
                    "use select='bic'"
                )

    def _penalty_factor(self, p: int):
        pf = self.penalty_factor
        if not isinstance(pf, dict):
            return pf
        names = getattr(self, "feature_names_in_", None)
        if names is None:
            raise ArgumentError(
                "penalty_factor is a dict, which needs X as a DataFrame with column "
                "names; pass an array with one factor per column instead"
            )
        position = {str(c): j for j, c in enumerate(names)}
        unknown = [k for k in pf if str(k) not in position]
        if unknown:
            raise ArgumentError(
                f"penalty_factor names {unknown} that are not columns of X; valid names: "
                f"{list(position)}"
            )
        out = np.ones(p)
        for key, value in pf.items():
            out[position[str(key)]] = check_factor(value, f"penalty_factor[{key!r}]")
        return out

    def _lower_limits(self, penalty_factor, p: int):
        """``positive=True``: 0 on the penalized columns (glmnet's
        ``lower.limits = 0``); unpenalized columns and the intercept stay free."""
        if not isinstance(self.positive, (bool, np.bool_)):
            raise ArgumentError(f"positive={self.positive!r} must be True or False")
        if not self.positive:
            return None
        pf = np.ones(p) if penalty_factor is None else np.asarray(penalty_factor, float)
        if pf.shape != (p,):
            return 0.0  # fit_path explains the wrong shape of penalty_factor
        lower = np.where(pf > 0, 0.0, -np.inf)
        return None if np.isinf(lower).all() else lower

    def _linear_predictor(self, X) -> np.ndarray:
        check_is_fitted(self, "coef_")
        X = _validate_data(self, X, reset=False, dtype=np.float64, accept_sparse=_SPARSE)
        return np.asarray(X @ self.coef_) + self.intercept_

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.input_tags.allow_nan = False
        return tags


class PenalizedRegressor(RegressorMixin, _PenalizedBase):
    """Lasso, ridge or elastic-net linear regression with lambda chosen by penstat.

    Minimizes glmnet's gaussian objective
    ``1/(2 sum w) sum w_i (y_i - b0 - x_i'b)^2 + lam * sum_j f_j (l1_ratio |b_j|
    + (1 - l1_ratio)/2 b_j^2)`` with columns standardized internally and
    coefficients on the original scale. As in glmnet, the problem is solved for
    ``y / sd(y)``, so the ridge part is in effect divided by ``sd(y)`` (the 1/n
    weighted standard deviation); the scikit-learn page of the user guide gives the matching
    parameters of scikit-learn's ``Lasso`` (the same objective) and ``ElasticNet``.

    Parameters
    ----------
    penalty : {"l1", "l2", "elasticnet"}
        Lasso (``l1_ratio=1``), ridge (``l1_ratio=0``) or a mix.
    l1_ratio : float or list of float, optional
        The mix for ``"elasticnet"`` (default 0.5). A list is searched with ``select``
        on shared folds (``penstat.selection.select_l1_ratio``).
    lam : float, optional
        Fix lambda: the path is fitted down to ``lam`` and the exact solution there is
        kept; no selection is run.
    select : {"cv_1se", "cv_min", "aic", "bic", "ebic"}, float or None
        How lambda is chosen (``penstat.selection.select_lambda``); a number is the same
        as ``lam``; None takes the smallest lambda of the path.
    nlambda, lambda_min_ratio
        The lambda grid (glmnet's defaults).
    penalty_factor : array or dict, optional
        Relative penalty per column (0 = unpenalized); a dict by column name needs X
        as a DataFrame.
    standardize, fit_intercept : bool
    nfolds, measure, gamma, seed, n_jobs
        Cross-validation folds, CV measure (``"mse"``, ``"mae"``), EBIC gamma, the
        seed of the folds, and parallel folds.
    tol, max_iter
        Solver tolerance and limit on coordinate-descent sweeps per lambda.
    stratify : bool, optional
        Deal each class evenly over the CV folds (counting rows of positive weight).
        None: stratified for the classifier, plain random folds for the regressor;
        True is for the classifier only.
    positive : bool
        Constrain the coefficients of the penalized columns to be >= 0 (scikit-learn's
        ``positive``; glmnet's ``lower.limits = 0``); columns with
        ``penalty_factor`` 0 and the intercept stay free. The CV folds are fitted
        with the same constraint.
    relax : bool
        The relaxed lasso (``penstat.fit(..., relax=True)``): lambda and gamma chosen
        together by the CV rule; ``coef_`` and ``intercept_`` are the relaxed ones.

    Attributes
    ----------
    coef_ : ndarray (n_features,)
    intercept_ : float
    relax_gamma_ : float or None
        The relaxed lasso's gamma (None without ``relax``).
    lam_ : float
        The lambda of the fit.
    l1_ratio_ : float
        The mix used (the chosen one when ``l1_ratio`` is a list).
    path_ : penstat.Path
    selection_ : penstat.Selection or None
        None when lambda was fixed.
    l1_ratio_table_ : pandas.DataFrame or None
        One row per candidate mix when ``l1_ratio`` is a list.
    n_iter_ : int
        Coordinate-descent sweeps summed over ``path_``.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when X was a DataFrame with string column names.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((60, 4))
    >>> y = X[:, 1] + 0.1 * rng.standard_normal(60)
    >>> est = PenalizedRegressor(lam=0.1).fit(X, y)
    >>> np.flatnonzero(est.coef_).tolist()
    [1]
    """

    _family = "gaussian"

    def fit(self, X, y, sample_weight=None) -> PenalizedRegressor:
        """Fit the path and choose lambda.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix (n_samples, n_features)
            A sparse X is fitted in CSC form (other formats are converted once) and
            never densified.
        y : array-like (n_samples,)
        sample_weight : array-like (n_samples,), optional
            Non-negative observation weights.

        Returns
        -------
        self
        """
        X, y = _validate_data(
            self, X, y, dtype=np.float64, y_numeric=True, accept_sparse=_SPARSE
        )
        check_response_scale(np.asarray(y, dtype=np.float64), "y")
        self._fit_arrays(X, np.asarray(y, dtype=np.float64), sample_weight)
        return self

    def predict(self, X) -> np.ndarray:
        """Predicted mean ``intercept_ + X @ coef_``."""
        return self._linear_predictor(X)


class PenalizedClassifier(ClassifierMixin, _PenalizedBase):
    """Lasso, ridge or elastic-net logistic regression for two classes.

    Minimizes glmnet's binomial objective ``-1/(sum w) loglik + lam * sum_j f_j
    (l1_ratio |b_j| + (1 - l1_ratio)/2 b_j^2)``; the second of the sorted
    ``classes_`` is the event modelled (coded 1). Parameters are those of
    :class:`PenalizedRegressor`; ``measure`` is one of ``"deviance"`` (default),
    ``"class"``, ``"auc"``, ``"mse"``, ``"mae"``, and CV folds are stratified.

    Attributes
    ----------
    classes_ : ndarray (2,)
    coef_ : ndarray (n_features,)
    intercept_ : float
    lam_, l1_ratio_, l1_ratio_table_, path_, selection_, n_iter_, n_features_in_,
    feature_names_in_, relax_gamma_
        As :class:`PenalizedRegressor`.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(2)
    >>> X = rng.standard_normal((200, 3))
    >>> y = np.where(X[:, 0] + 0.3 * rng.standard_normal(200) > 0, "yes", "no")
    >>> clf = PenalizedClassifier(lam=0.02).fit(X, y)
    >>> clf.classes_.tolist(), clf.predict_proba(X[:2]).shape
    (['no', 'yes'], (2, 2))
    """

    _family = "binomial"

    def fit(self, X, y, sample_weight=None) -> PenalizedClassifier:
        """Fit the path and choose lambda.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix (n_samples, n_features)
            A sparse X is fitted in CSC form (other formats are converted once) and
            never densified.
        y : array-like (n_samples,)
            Two distinct labels of any type.
        sample_weight : array-like (n_samples,), optional
            Non-negative observation weights.

        Returns
        -------
        self
        """
        X, y = _validate_data(self, X, y, dtype=np.float64, accept_sparse=_SPARSE)
        check_classification_targets(y)
        classes, y01 = np.unique(y, return_inverse=True)
        if classes.size < 2:
            raise DataError(
                f"y has only one class ({classes[0]!r}); a classifier needs two classes "
                "in the training data"
            )
        if classes.size > 2:
            raise DataError(
                f"Only binary classification is supported. y has {classes.size} classes "
                f"({type_of_target(y)} target); use two classes, e.g. one class against "
                "the rest with sklearn.multiclass.OneVsRestClassifier"
            )
        self.classes_ = classes
        self._fit_arrays(X, y01.astype(np.float64), sample_weight)
        return self

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of ``classes_[1]``: ``intercept_ + X @ coef_``."""
        return self._linear_predictor(X)

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities, one column per class in the order of ``classes_``."""
        eta = self.decision_function(X)
        p1 = get_family("binomial").linkinv(eta)
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X) -> np.ndarray:
        """Log of :meth:`predict_proba`, computed without overflow."""
        eta = self.decision_function(X)
        return np.column_stack([-np.logaddexp(0.0, eta), -np.logaddexp(0.0, -eta)])

    def predict(self, X) -> np.ndarray:
        """The class with the larger probability (``classes_[1]`` when log-odds > 0)."""
        eta = self.decision_function(X)
        return self.classes_[(eta > 0).astype(int)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags


# -- helpers -----------------------------------------------------------------------
