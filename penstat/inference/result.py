"""What every inference method returns: :class:`InferenceResult`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from penstat.plots.inference import plot_intervals

__all__ = ["TABLE_COLUMNS", "InferenceResult", "alternative_words"]

#: The columns every method's table has, in this order (NaN where a method does not
#: define one: e.g. ``std_error`` for selective intervals, ``p_adjusted`` without a
#: multiplicity adjustment). A method may add its own columns after these.
TABLE_COLUMNS = ("estimate", "std_error", "ci_lower", "ci_upper", "p_value", "p_adjusted")


def alternative_words(alternative: str) -> str:
    """The printout's words for an ``alternative`` value of the API (the value itself
    is what the result, the JSON and the CLI hold).

    Examples
    --------
    >>> alternative_words("sign")
    'one-sided (towards the sign of each estimate)'
    """
    if alternative == "sign":
        return "one-sided (towards the sign of each estimate)"
    return str(alternative)


@dataclass(frozen=True, eq=False)
class InferenceResult:
    """P-values and confidence intervals after selection, labelled by their method.

    Attributes
    ----------
    method : str
        ``"selective"``, ``"split"``, ``"debiased"`` or ``"naive"``.
    table : pandas.DataFrame
        One row per design column the method reports on (index: column names), with
        the columns :data:`TABLE_COLUMNS` and any the method adds.
    level : float
        Coverage of the intervals.
    lam : float
        The lambda the selection was made at.
    conditioning : str
        One sentence: what the p-values and intervals condition on and guarantee.
    sigma : float or None
        The noise standard deviation used (gaussian), else None.
    sigma_method : str or None
        How ``sigma`` was obtained (``"given"``, ``"OLS residual"``, ...).
    alternative : str
        The API's value: ``"two-sided"``, or ``"sign"`` (one-sided, towards the sign
        of each estimate); the printout words it (:func:`alternative_words`).
    adjustment : str or None
        What ``p_adjusted`` adjusts for (e.g. ``"Holm"``), None without it.
    approximate : bool
        Whether the guarantee is asymptotic or approximate rather than exact.
    notes : tuple of str
        Caveats the printout, summary and report repeat.
    details : dict
        Method-specific numbers (e.g. truncation bounds, the number of splits).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"estimate": [1.0], "std_error": [0.5],
    ...                       "ci_lower": [0.0], "ci_upper": [2.0],
    ...                       "p_value": [0.05], "p_adjusted": [float("nan")]},
    ...                      index=["x1"])
    >>> res = InferenceResult("naive", table, 0.95, 0.1, "nothing")
    >>> res.p_values.tolist()
    [0.05]
    """

    method: str
    table: pd.DataFrame
    level: float
    lam: float
    conditioning: str
    sigma: float | None = None
    sigma_method: str | None = None
    alternative: str = "two-sided"
    adjustment: str | None = None
    approximate: bool = False
    notes: tuple[str, ...] = ()
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def p_values(self) -> pd.Series:
        """The p-values, by column."""
        return self.table["p_value"]

    @property
    def intervals(self) -> pd.DataFrame:
        """The confidence intervals, by column (``ci_lower``, ``ci_upper``)."""
        return self.table[["ci_lower", "ci_upper"]]

    def plot(self, ax=None):
        """Forest plot of the estimates and intervals
        (:func:`penstat.plots.inference.plot_intervals`), titled with the method and
        level.

        Examples
        --------
        >>> import pandas as pd
        >>> table = pd.DataFrame({"estimate": [1.0], "ci_lower": [0.0],
        ...                       "ci_upper": [2.0]}, index=["x1"])
        >>> InferenceResult("naive", table, 0.9, 0.1, "nothing").plot().get_title()
        'naive: 90% intervals'
        """
        return plot_intervals(self.table, ax=ax, method=self.method, level=self.level)

    def header(self) -> list[str]:
        """The lines that label every printout of this result: the method, what it
        conditions on, sigma and the notes.

        Examples
        --------
        >>> import pandas as pd
        >>> res = InferenceResult("naive", pd.DataFrame(), 0.9, 0.1, "nothing")
        >>> res.header()[0]
        'Inference after selection: naive, 90% intervals, two-sided p-values'
        """
        kind = "approximate " if self.approximate else ""
        lines = [
            f"Inference after selection: {self.method}, {kind}{self.level:.0%} "
            f"intervals, {alternative_words(self.alternative)} p-values",
            f"Conditioning: {self.conditioning}",
        ]
        if self.sigma is not None:
            lines.append(f"sigma = {self.sigma:.4g} ({self.sigma_method})")
        if self.adjustment is not None:
            lines.append(f"p_adjusted: {self.adjustment}")
        lines.extend(f"Note: {note}" for note in self.notes)
        return lines

    def __str__(self) -> str:
        body = (
            self.table.to_string(float_format=lambda v: f"{v:.4g}")
            if len(self.table)
            else "(no column to report on)"
        )
        return "\n".join([*self.header(), "", body])

    def _repr_html_(self) -> str:
        from html import escape

        head = "".join(f"<p>{escape(line)}</p>" for line in self.header())
        return head + self.table.to_html(float_format=lambda v: f"{v:.4g}")

    def __repr__(self) -> str:
        n = len(self.table)
        return f"<InferenceResult {self.method}, level={self.level:g}, {n} columns>"

    def _check(self) -> None:
        missing = [c for c in TABLE_COLUMNS if c not in self.table.columns]
        if missing:
            raise ValueError(f"inference table lacks {missing}")
        if np.isnan(self.table["p_value"].to_numpy(dtype=float)).any():
            raise ValueError("inference produced a NaN p-value")
