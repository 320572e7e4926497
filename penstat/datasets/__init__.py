"""Small real data sets that ship with penstat.

>>> import penstat as ps
>>> df = ps.datasets.load("diabetes")
>>> df.shape
(442, 11)
"""

from importlib import resources

import pandas as pd

from penstat._errors import ArgumentError

__all__ = ["describe", "load", "names"]

_DATASETS = {
    "diabetes": (
        "diabetes.csv",
        "Efron, Hastie, Johnstone & Tibshirani (2004): 442 diabetes patients, ten "
        "baseline variables (age, sex, bmi, bp, s1-s6) and y, a quantitative measure "
        "of disease progression one year after baseline. Unscaled values.",
    ),
    "breast_cancer": (
        "breast_cancer.csv",
        "Wisconsin Diagnostic Breast Cancer (Street, Wolberg & Mangasarian 1993): 569 "
        "tumours, 30 features of cell nuclei, and diagnosis ('malignant' or 'benign').",
    ),
}


def names() -> list[str]:
    """The names accepted by :func:`load`.

    Examples
    --------
    >>> import penstat as ps
    >>> ps.datasets.names()
    ['breast_cancer', 'diabetes']
    """
    return sorted(_DATASETS)


def describe(name: str) -> str:
    """A one-paragraph description of a shipped data set.

    Parameters
    ----------
    name : str
        One of :func:`names`.

    Examples
    --------
    >>> import penstat as ps
    >>> ps.datasets.describe("diabetes")
    'Efron, Hastie, Johnstone & Tibshirani (2004): 442 diabetes patients, ...'
    """
    return _DATASETS[_check(name)][1]


def load(name: str):
    """Load a shipped data set as a new pandas DataFrame.

    Parameters
    ----------
    name : str
        One of :func:`names`: ``"diabetes"`` (gaussian response ``y``) or
        ``"breast_cancer"`` (binary response ``diagnosis``).

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import penstat as ps
    >>> ps.datasets.load("breast_cancer")["diagnosis"].value_counts().to_dict()
    {'benign': 357, 'malignant': 212}
    """
    filename = _DATASETS[_check(name)][0]
    with resources.files(__name__).joinpath(filename).open("r") as handle:
        return pd.read_csv(handle)


def _check(name: str) -> str:
    if name not in _DATASETS:
        raise ArgumentError(
            f"unknown dataset {name!r}; the datasets shipped with penstat are: "
            + ", ".join(names())
        )
    return name
