"""Response families: link, inverse link, deviance and log-likelihood.

Two families are supported, as in glmnet: ``gaussian`` (identity link, squared
error) and ``binomial`` (logit link, Bernoulli log-likelihood). The objects are
small and immutable; the solver kernels do not use them (they have the same
formulas compiled in), the layers above the solver do.

>>> import numpy as np
>>> from penstat.family import get_family
>>> fam = get_family("binomial")
>>> float(fam.deviance(np.array([0.0, 1.0]), np.array([0.5, 0.5])))
2.772588722239781
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import xlogy

from penstat._errors import ArgumentError

__all__ = ["Family", "get_family", "saturated_loglik"]

# Probabilities are kept in [PROB_EPS, 1 - PROB_EPS] when a log is taken, as glmnet's
# lognet clips them (pmin = 1e-5 there; we clip only inside logs, much tighter).
PROB_EPS = 1e-15


@dataclass(frozen=True)
class Family:
    """A response distribution with its canonical link.

    Use the instances :func:`get_family` returns rather than building new ones.

    Attributes
    ----------
    name : str
        ``"gaussian"`` or ``"binomial"``.

    Examples
    --------
    >>> fam = get_family("binomial")
    >>> fam.linkinv(np.array([0.0, 2.0])).round(4).tolist()
    [0.5, 0.8808]
    >>> float(fam.link(np.array([0.5]))[0])
    0.0
    """

    name: str

    def linkinv(self, eta: np.ndarray) -> np.ndarray:
        """Mean of the response from the linear predictor.

        Examples
        --------
        >>> get_family("gaussian").linkinv([1.5]).tolist()
        [1.5]
        """
        eta = np.asarray(eta, dtype=float)
        if self.name == "gaussian":
            return eta
        return _expit(eta)

    def link(self, mu: np.ndarray) -> np.ndarray:
        """Linear predictor from the mean (probabilities clipped to
        ``[PROB_EPS, 1 - PROB_EPS]`` for the binomial).

        Examples
        --------
        >>> get_family("binomial").link([0.5]).tolist()
        [0.0]
        """
        mu = np.asarray(mu, dtype=float)
        if self.name == "gaussian":
            return mu
        mu = np.clip(mu, PROB_EPS, 1.0 - PROB_EPS)
        return np.log(mu) - np.log1p(-mu)

    def unit_deviance(self, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """Deviance of each observation: (y - mu)^2; binomial
        ``2 [y log(y / mu) + (1 - y) log((1 - y) / (1 - mu))]``, which is
        -2 log p(y | mu) for 0/1 y and, for a proportion y, the deviance of its
        counts per trial.

        Examples
        --------
        >>> get_family("gaussian").unit_deviance([1.0, 2.0], [0.5, 2.0]).tolist()
        [0.25, 0.0]
        >>> get_family("binomial").unit_deviance([0.5], [0.5]).tolist()
        [0.0]
        """
        y = np.asarray(y, dtype=float)
        mu = np.asarray(mu, dtype=float)
        if self.name == "gaussian":
            return (y - mu) ** 2
        mu = np.clip(mu, PROB_EPS, 1.0 - PROB_EPS)
        loglik = y * np.log(mu) + (1.0 - y) * np.log1p(-mu)
        return 2.0 * (saturated_loglik(y) - loglik)

    def deviance(self, y: np.ndarray, mu: np.ndarray, weights: np.ndarray | None = None):
        """Weighted deviance ``sum_i w_i d(y_i, mu_i)`` (weights as given, not rescaled).

        Examples
        --------
        >>> get_family("gaussian").deviance([1.0, 2.0], [0.0, 0.0], np.array([2.0, 1.0]))
        6.0
        """
        d = self.unit_deviance(y, mu)
        if weights is None:
            return float(d.sum())
        return float(np.dot(weights, d))

    def deviance_from_eta(self, y, eta, weights=None) -> float:
        """Weighted deviance from the linear predictor, stable for large ``|eta|``.

        Examples
        --------
        >>> get_family("binomial").deviance_from_eta([0.0, 1.0], [0.0, 0.0])
        2.772588722239781
        """
        if self.name == "gaussian":
            return self.deviance(y, eta, weights)
        y = np.asarray(y, dtype=float)
        eta = np.asarray(eta, dtype=float)
        # -log p(y | eta) = log(1 + exp(eta)) - y * eta, computed without overflow
        d = 2.0 * (np.logaddexp(0.0, eta) - y * eta + saturated_loglik(y))
        return float(d.sum() if weights is None else np.dot(weights, d))

    def loglik(self, y, eta, weights=None) -> float:
        """Log-likelihood.

        Gaussian: the error variance is profiled out, sigma^2 = RSS_w / sum(w), so
        ``loglik = -sum(w)/2 * (log(2 pi RSS_w / sum(w)) + 1)``. Binomial:
        ``sum w [y eta - log(1 + e^eta)]``, the Bernoulli log-likelihood
        ``-deviance / 2`` for 0/1 y; for proportions with their trials as weights,
        the log-likelihood of the counts without the constant
        ``sum log C(trials, successes)``.

        Examples
        --------
        >>> round(float(get_family("gaussian").loglik(np.array([0.0, 2.0]), np.ones(2))), 6)
        -2.837877
        >>> round(float(get_family("binomial").loglik([0.5], [0.0], [4.0])), 6)  # 2 of 4
        -2.772589
        """
        if self.name == "binomial":
            sat = saturated_loglik(np.asarray(y, dtype=float))
            sat = float(sat.sum() if weights is None else np.dot(weights, sat))
            return -0.5 * self.deviance_from_eta(y, eta, weights) + sat
        y = np.asarray(y, dtype=float)
        sw = float(len(y) if weights is None else np.sum(weights))
        rss = self.deviance(y, eta, weights)
        with np.errstate(divide="ignore"):  # an exact fit: +inf, its criteria undefined
            return -0.5 * sw * (np.log(2.0 * np.pi * rss / sw) + 1.0)


GAUSSIAN = Family("gaussian")
BINOMIAL = Family("binomial")
FAMILIES = {"gaussian": GAUSSIAN, "binomial": BINOMIAL}


def get_family(name: str | Family) -> Family:
    """Look up a family by name (``"gaussian"`` or ``"binomial"``, any case).

    A :class:`Family` is returned as given; any other value raises
    :class:`~penstat.ArgumentError`.

    Examples
    --------
    >>> get_family("Binomial")
    Family(name='binomial')
    >>> get_family(get_family("gaussian")).name
    'gaussian'
    """
    if isinstance(name, Family):
        return name
    if not isinstance(name, str) or name.lower() not in FAMILIES:
        raise ArgumentError(
            f"family={name!r} is not supported; use one of: " + ", ".join(sorted(FAMILIES))
        )
    return FAMILIES[name.lower()]


def saturated_loglik(y: np.ndarray) -> np.ndarray:
    """Binomial log-likelihood of the saturated model per observation (mu = y):
    ``y log y + (1 - y) log(1 - y)``, exactly 0 for 0/1 labels.

    Examples
    --------
    >>> saturated_loglik(np.array([0.0, 1.0, 0.5])).round(4).tolist()
    [0.0, 0.0, -0.6931]
    """
    return xlogy(y, y) + xlogy(1.0 - y, 1.0 - y)


def _expit(eta: np.ndarray) -> np.ndarray:
    out = np.empty_like(eta)
    pos = eta >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-eta[pos]))
    e = np.exp(eta[~pos])
    out[~pos] = e / (1.0 + e)
    return out
