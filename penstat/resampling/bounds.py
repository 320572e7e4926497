"""Error bounds of stability selection (Meinshausen & Bühlmann 2010; Shah & Samworth
2013) and the third of ``cutoff``, ``pfer`` and ``q`` from the other two.

References
----------
Meinshausen, N. and Bühlmann, P. (2010). Stability selection. JRSS B 72, 417-473.
Shah, R. D. and Samworth, R. J. (2013). Variable selection with error control:
another look at stability selection. JRSS B 75, 55-80.

>>> from penstat.resampling.bounds import mb_bound
>>> mb_bound(q=5, p=50, cutoff=0.75)
1.0
"""

from __future__ import annotations

import math

from penstat._errors import ArgumentError

__all__ = ["check_cutoff", "mb_bound", "stability_parameters", "unimodal_bound"]


def mb_bound(q: float, p: int, cutoff: float) -> float:
    """Meinshausen & Bühlmann (2010, Theorem 1): ``E(V) <= q^2 / ((2 cutoff - 1) p)``.

    Also valid without further assumptions for complementary pairs (Shah & Samworth
    2013, Theorem 1).

    >>> mb_bound(q=5, p=50, cutoff=0.75)
    1.0
    """
    check_cutoff(cutoff)
    return q**2 / ((2.0 * cutoff - 1.0) * p)


def _unimodal_constant(cutoff: float, n_pairs: int, theta: float) -> float | None:
    """``1 / C(cutoff, B)`` of Shah & Samworth (2013, Theorem 3, eq. 8), or None when
    ``cutoff`` is outside the range where the unimodal bound holds."""
    b = float(n_pairs)
    if cutoff <= 0.75:
        if cutoff < 0.5 + min(theta**2, 1.0 / (2.0 * b) + 0.75 * theta**2):
            return None
        return 2.0 * (2.0 * cutoff - 1.0 - 1.0 / (2.0 * b))
    if cutoff > 1.0:
        return None
    return (1.0 + 1.0 / b) / (4.0 * (1.0 - cutoff + 1.0 / (2.0 * b)))


def unimodal_bound(q: float, p: int, cutoff: float, n_pairs: int) -> float:
    """Shah & Samworth (2013, eq. 8) bound for complementary pairs under unimodality.

    ``E(V) <= C(cutoff, B) q^2 / p`` with, for ``B`` complementary pairs,
    ``C = 1 / (2 (2 cutoff - 1 - 1/(2B)))`` when
    ``cutoff in (1/2 + min(theta^2, 1/(2B) + 3/4 theta^2), 3/4]`` (``theta = q/p``) and
    ``C = 4 (1 - cutoff + 1/(2B)) / (1 + 1/B)`` when ``cutoff in (3/4, 1]``.

    Returns NaN when ``cutoff`` is outside that range.

    >>> round(unimodal_bound(q=5, p=50, cutoff=0.75, n_pairs=50), 6)
    0.510204
    """
    const = _unimodal_constant(cutoff, n_pairs, q / p)
    return float("nan") if const is None else q**2 / p / const


def stability_parameters(
    p: int,
    cutoff: float | None = None,
    pfer: float | None = None,
    q: float | None = None,
    n_pairs: int = 50,
    assumption: str = "unimodal",
) -> dict:
    """The third of ``cutoff``, ``pfer`` and ``q`` from the other two, as R's stabs.

    Parameters
    ----------
    p : int
        Number of (penalized) candidate columns.
    cutoff, pfer, q : float, optional
        Exactly two must be given. ``q`` from ``cutoff`` and ``pfer`` is the largest
        integer whose bound is at most ``pfer``; ``cutoff`` from ``q`` and ``pfer``
        is, under ``"unimodal"``, the smallest multiple of ``1/(2B)`` above 1/2 whose
        bound is below ``pfer`` and, under ``"none"``, ``(q^2 / (pfer p) + 1) / 2``.
    n_pairs : int
        ``B``, the number of complementary pairs (used by the unimodal bound).
    assumption : {"unimodal", "none"}
        ``"none"``: the Meinshausen & Bühlmann bound.

    Returns
    -------
    dict with ``cutoff``, ``q``, ``pfer`` (the bound at those values), ``pfer_mb``,
    ``pfer_unimodal``.

    Examples
    --------
    >>> stability_parameters(p=50, cutoff=0.75, q=5, assumption="none")["pfer"]
    1.0
    """
    given = sum(v is not None for v in (cutoff, pfer, q))
    if given != 2:
        raise ArgumentError(
            "give exactly two of cutoff, pfer and q (the third is computed from them)"
        )
    if assumption not in ("unimodal", "none"):
        raise ArgumentError(f"assumption must be 'unimodal' or 'none', not {assumption!r}")
    if cutoff is not None:
        check_cutoff(cutoff)
    if pfer is not None and not pfer > 0:
        raise ArgumentError(f"pfer must be positive, got {pfer!r}")
    if q is not None and not 0 < q <= p:
        raise ArgumentError(
            f"q must be in (0, p] with p = {p} candidate columns, got {q!r}"
        )

    if q is None:
        q = _q_from(p, cutoff, pfer, n_pairs, assumption)
    elif cutoff is None:
        cutoff = _cutoff_from(p, q, pfer, n_pairs, assumption)
    bound_mb = mb_bound(q, p, cutoff)
    bound_um = unimodal_bound(q, p, cutoff, n_pairs)
    if assumption == "unimodal" and math.isnan(bound_um):
        raise ArgumentError(
            f"cutoff={cutoff:.4g} is below the range where the unimodal bound of Shah & "
            f"Samworth holds for q={q:.4g}, p={p}; raise cutoff or use assumption='none'"
        )
    bound = bound_um if assumption == "unimodal" else bound_mb
    return {
        "cutoff": float(cutoff),
        "q": float(q),
        "pfer": float(bound),
        "pfer_mb": float(bound_mb),
        "pfer_unimodal": float(bound_um),
    }


def check_cutoff(cutoff: float) -> None:
    """Refuse a stability cutoff outside (0.5, 1] with an ``ArgumentError``.

    Examples
    --------
    >>> check_cutoff(0.75)
    >>> check_cutoff(0.4)
    Traceback (most recent call last):
    ...
    penstat._errors.ArgumentError: cutoff must be in (0.5, 1], got 0.4; values 0.6 to
    0.9 are usual
    """
    if not 0.5 < cutoff <= 1.0:
        raise ArgumentError(
            f"cutoff must be in (0.5, 1], got {cutoff!r}; values 0.6 to 0.9 are usual"
        )


def _q_from(p, cutoff, pfer, n_pairs, assumption) -> int:
    if assumption == "none":
        q = math.floor(math.sqrt(pfer * (2.0 * cutoff - 1.0) * p))
    else:
        # The constant does not depend on theta inside its range; q is capped so
        # that cutoff stays inside the range (Shah & Samworth 2013, Theorem 3).
        const = _unimodal_constant(cutoff, n_pairs, 0.0)
        if const is None:
            raise ArgumentError(
                f"cutoff={cutoff:.4g} is too close to 1/2 for the unimodal bound with "
                f"{n_pairs} pairs; raise cutoff or use more subsamples"
            )
        q = math.floor(math.sqrt(pfer * p * const) + 1e-12)
        while q > 0 and _unimodal_constant(cutoff, n_pairs, q / p) is None:
            q -= 1
    q = min(q, p)
    if q < 1:
        raise ArgumentError(
            f"pfer={pfer:.4g} with cutoff={cutoff:.4g} allows fewer than one selected "
            f"column on average among p={p}; raise pfer or lower cutoff"
        )
    return q


def _cutoff_from(p, q, pfer, n_pairs, assumption) -> float:
    if assumption == "none":
        cutoff = (q**2 / (pfer * p) + 1.0) / 2.0
        if cutoff > 1.0:
            raise ArgumentError(
                f"no cutoff <= 1 bounds the error by pfer={pfer:.4g} with q={q:.4g} and "
                f"p={p} (it would need {cutoff:.4g}); raise pfer or lower q"
            )
        return cutoff
    # stabs: cutoffs on the grid 1/2 + k/(2B), k = 2..B, first with bound < pfer.
    for k in range(2, n_pairs + 1):
        cutoff = 0.5 + k / (2.0 * n_pairs)
        const = _unimodal_constant(cutoff, n_pairs, q / p)
        if const is not None and q**2 / p / const < pfer:
            return cutoff
    raise ArgumentError(
        f"no cutoff <= 1 bounds the error by pfer={pfer:.4g} with q={q:.4g} and p={p} "
        "under the unimodal bound; raise pfer or lower q"
    )
