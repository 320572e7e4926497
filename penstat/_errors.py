"""Errors and warnings a user can meet.

Every mistake a user can make raises a :class:`PenstatError` subclass. They are
also ``ValueError`` so that code written for scikit-learn style validation keeps
working.
"""


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
