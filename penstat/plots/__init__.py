"""Plots (matplotlib, an optional dependency imported only when a plot is drawn).

Each function takes an optional ``ax`` and returns the matplotlib ``Axes``.
"""


def require_matplotlib():
    """Import matplotlib.pyplot, or explain how to install it."""
    try:
        import matplotlib

        if not _has_display():
            matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        from penstat._errors import PenstatError

        raise PenstatError(
            "plotting needs matplotlib; install it with: pip install 'penstat[plot]'"
        ) from exc
    return plt


def _has_display() -> bool:
    import os
    import sys

    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )
