"""Errors and warnings a user can meet.

Every mistake a user can make raises a :class:`PenstatError` subclass. They are
also ``ValueError`` so that code written for scikit-learn style validation keeps
working. Warnings go through :func:`warn_user`, which attributes them to the line
that called into penstat, the user's own.
"""

import os
import sys
import warnings

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def warn_user(message: str, category: type[Warning]) -> None:
    """``warnings.warn`` attributed to the caller of penstat's outermost frame, so
    that a notebook shows the user's line (through joblib too, which the CV folds run
    in) and the default filter shows a warning raised in every fold once."""
    frame, level, outer = sys._getframe(1), 2, 2
    while frame is not None:
        if os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
            outer = level
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=outer + 1)


class PenstatError(ValueError):
    """Base class of every error caused by user input."""


class DataError(PenstatError):
    """Bad values in the data: NaN or inf, wrong shapes, an invalid response."""


class FormulaError(PenstatError):
    """A formula that cannot be built against the data frame."""


class ArgumentError(PenstatError):
    """An argument with an invalid value or type."""


class ConvergenceWarning(UserWarning):
    """A solver stopped at ``max_iter`` before reaching ``tol``."""


class SeparationWarning(UserWarning):
    """Unpenalized columns separate some observations of a binomial response by class
    (quasi-complete separation): their coefficients have no finite estimate."""
