"""Plots (matplotlib, an optional dependency imported only when a plot is drawn).

Each function takes an optional ``ax`` and returns the matplotlib ``Axes``. The
plots read only what the typing Protocols of :mod:`penstat.plots._protocols` declare,
so every stage's ``.plot()`` can call them (this package imports no stage).

>>> from penstat.plots import require_matplotlib
>>> require_matplotlib().__name__
'matplotlib.pyplot'
"""

import os
import sys

from penstat._errors import PenstatError

__all__ = ["plain_text", "require_matplotlib"]


def require_matplotlib():
    """Import matplotlib.pyplot (the Agg backend without a display), or explain how
    to install it.

    Examples
    --------
    >>> plt = require_matplotlib()
    >>> plt.figure() is not None
    True
    >>> plt.close("all")
    """
    try:
        import matplotlib

        if not _has_display():
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise PenstatError(
            "plotting needs matplotlib; install it with: pip install 'penstat[plot]'"
        ) from exc
    return plt


def plain_text(name: object) -> str:
    r"""A column name as matplotlib text shown literally: every ``$`` escaped, so that
    a name such as ``price$usd$`` or ``a$\b$`` is not parsed as mathtext (which
    failed with a ParseException, or typeset it as a formula).

    Examples
    --------
    >>> print(plain_text("cost $ per $ unit"))
    cost \$ per \$ unit
    """
    return str(name).replace("$", r"\$")


def _has_display() -> bool:
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
