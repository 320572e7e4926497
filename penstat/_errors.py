"""Errors and warnings a user can meet.

Every mistake a user can make raises a :class:`PenstatError` subclass. They are
also ``ValueError`` so that code written for scikit-learn style validation keeps
working. Warnings go through :func:`warn_user`, which attributes them to the line
that called into penstat, the user's own.
"""

import os
import sys
import warnings

__all__ = [
    "ArgumentError",
    "ConvergenceWarning",
    "DataError",
    "FormulaError",
    "PenstatError",
    "SeparationWarning",
    "warn_user",
]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the caller of penstat's outermost frame.

    A notebook then shows the user's line (through joblib too, which the CV folds run
    in), and the default filter shows a warning raised in every fold once.

    Parameters
    ----------
    message : str
        The warning text.
    category : type of Warning
        E.g. :class:`ConvergenceWarning` or :class:`SeparationWarning`.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warn_user("tol not reached", ConvergenceWarning)
    >>> caught[0].category.__name__, str(caught[0].message)
    ('ConvergenceWarning', 'tol not reached')
    """
    frame, level, outer = sys._getframe(1), 2, 2
    while frame is not None:
        if os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            outer = level
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=outer + 1)


class PenstatError(ValueError):
    """Base class of every error caused by user input.

    Also a ``ValueError``, so code written for scikit-learn style validation catches
    it.

    Examples
    --------
    >>> import penstat as ps
    >>> issubclass(ps.DataError, ps.PenstatError), issubclass(ps.PenstatError, ValueError)
    (True, True)
    """


class DataError(PenstatError):
    """Bad values in the data: NaN or inf, wrong shapes, an invalid response.

    Examples
    --------
    >>> import numpy as np
    >>> import penstat as ps
    >>> ps.fit_path(np.array([[1.0], [np.nan]]), [1.0, 2.0])
    Traceback (most recent call last):
    ...
    penstat._errors.DataError: X contains NaN or inf (first at row 1, column 0); ...
    """


class FormulaError(PenstatError):
    """A formula that cannot be built against the data frame.

    Examples
    --------
    >>> import pandas as pd
    >>> import penstat as ps
    >>> df = pd.DataFrame({"y": [1.0, 2.0, 3.0], "age": [30.0, 40.0, 50.0]})
    >>> ps.build_design("y ~ ages", df)
    Traceback (most recent call last):
    ...
    penstat._errors.FormulaError: 'ages' in the formula is not a column of the data; did
    you mean 'age'?
    """


class ArgumentError(PenstatError):
    """An argument with an invalid value or type.

    Examples
    --------
    >>> import numpy as np
    >>> import penstat as ps
    >>> ps.fit_path(np.eye(3), [1.0, 2.0, 3.0], l1_ratio=2)
    Traceback (most recent call last):
    ...
    penstat._errors.ArgumentError: l1_ratio=2 must be in [0, 1] (1 = lasso, 0 = ridge)
    """


class ConvergenceWarning(UserWarning):
    """A solver stopped at ``max_iter`` before reaching ``tol``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import penstat as ps
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 5))
    >>> y = X.sum(axis=1) + rng.standard_normal(50)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = ps.fit_path(X, y, max_iter=1)
    >>> caught[0].category is ps.ConvergenceWarning
    True
    """


class SeparationWarning(UserWarning):
    """Unpenalized columns separate some observations of a binomial response by class
    (quasi-complete separation): their coefficients have no finite estimate.

    Also issued when a binomial path reaches lambda = 0 on separated classes.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import penstat as ps
    >>> X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    >>> y = np.array([0.0, 0.0, 1.0, 1.0])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = ps.fit_path(X, y, family="binomial", lambdas=[0.1, 0.0])
    >>> caught[0].category is ps.SeparationWarning
    True
    """


class CollinearityWarning(UserWarning):
    """Design columns are linear combinations of others (a constant column beside
    the intercept, a copy, a sum): a least-squares fit on them has no unique
    coefficients. The warning names the columns and says what was done instead.

    Examples
    --------
    >>> import penstat as ps
    >>> issubclass(ps.CollinearityWarning, UserWarning)
    True
    """
