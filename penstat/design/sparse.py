"""Sparse blocks for factors with many levels.

patsy builds every design matrix dense. A factor with a thousand levels on a hundred
thousand rows is then a 100,000 x 999 float64 block (800 MB) holding one nonzero per
row. With ``sparse=True`` the terms that contain such a factor are built here as
``scipy.sparse`` blocks from the same :class:`patsy.DesignInfo`, so they are coded
exactly as patsy codes them (the same levels, contrasts, column names and order); the
other terms are built by patsy as usual and the whole design is one CSC matrix.

A categorical factor's coding is the indicator matrix of its levels times the
term's contrast matrix; a term's columns are the row-wise products of its factors'
coded columns, the left-most factor varying fastest (patsy's and R's order).

>>> import pandas as pd
>>> from penstat.design.sparse import build_rhs
>>> import patsy
>>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0], "g": ["a", "b", "c", "b"]})
>>> info = patsy.dmatrix("x + g", df).design_info
>>> X = build_rhs(info, df, min_levels=2)
>>> X.format, X.shape
('csc', (4, 3))
>>> X.toarray().tolist()
[[0.0, 0.0, 1.0], [1.0, 0.0, 2.0], [0.0, 1.0, 3.0], [1.0, 0.0, 4.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import patsy
import scipy.sparse as sp
from patsy.categorical import categorical_to_int

__all__ = ["SPARSE_MIN_LEVELS", "build_rhs", "is_sparse_term"]

#: A term is built sparse when one of its factors has at least this many coded
#: columns (with ``sparse=True``); below it the dense block is small.
SPARSE_MIN_LEVELS = 50


def is_sparse_term(info: patsy.DesignInfo, term: Any, min_levels: int) -> bool:
    """Whether ``term`` holds a categorical factor coded by ``min_levels`` or more
    columns (such a term is built as a sparse block).

    Examples
    --------
    >>> import pandas as pd, patsy
    >>> df = pd.DataFrame({"x": [1.0, 2.0, 3.0], "g": ["a", "b", "c"]})
    >>> info = patsy.dmatrix("x + g", df).design_info
    >>> [is_sparse_term(info, t, 2) for t in info.terms]
    [False, True, False]
    """
    for subterm in info.term_codings[term]:
        for matrix in subterm.contrast_matrices.values():
            if matrix.matrix.shape[1] >= min_levels:
                return True
    return False


def build_rhs(
    info: patsy.DesignInfo, data: Any, min_levels: int = SPARSE_MIN_LEVELS
) -> sp.csc_matrix:
    """The right-hand side's design matrix of ``data`` as CSC, without the intercept
    column: terms with a factor of ``min_levels`` or more coded columns built sparse,
    the others by patsy.

    ``data`` must hold no missing values in the variables the terms use (penstat drops
    or refuses those rows before building).

    Examples
    --------
    >>> import pandas as pd, patsy
    >>> df = pd.DataFrame({"g": ["a", "b", "a", "c"], "x": [1.0, 2.0, 3.0, 4.0]})
    >>> info = patsy.dmatrix("g:x", df).design_info
    >>> X = build_rhs(info, df, min_levels=2)
    >>> bool((X.toarray() == patsy.dmatrix("g:x", df)[:, 1:]).all())
    True
    """
    n = _n_rows(data)
    sparse_terms = [
        t for t in info.terms if t.factors and is_sparse_term(info, t, min_levels)
    ]
    dense_terms = [t for t in info.terms if t.factors and t not in sparse_terms]
    values = _factor_values(info, data, sparse_terms)
    dense = None
    if dense_terms:
        (dense,) = patsy.build_design_matrices(
            [info.subset(dense_terms)], data, NA_action="raise"
        )
        dense = np.asarray(dense, dtype=float)
    blocks, start = [], 0
    for term in info.terms:
        if not term.factors:
            continue  # the intercept is fitted by the solver
        if term in sparse_terms:
            blocks.append(_term_block(info, term, values, n))
        else:
            width = info.term_slices[term].stop - info.term_slices[term].start
            blocks.append(sp.csc_matrix(dense[:, start : start + width]))
            start += width
    return sp.hstack(blocks, format="csc", dtype=float)


def _n_rows(data) -> int:
    for value in data.values() if isinstance(data, dict) else [data]:
        return len(value)
    return 0


def _factor_values(info, data, terms) -> dict:
    """Each factor of ``terms`` evaluated on ``data``: level codes for a categorical
    factor, a 2-D float array for a numerical one."""
    out = {}
    for term in terms:
        for factor in term.factors:
            if factor in out:
                continue
            finfo = info.factor_infos[factor]
            raw = factor.eval(finfo.state, data)
            if finfo.type == "categorical":
                out[factor] = categorical_to_int(
                    raw, finfo.categories, patsy.NAAction(on_NA="raise"), origin=factor
                )
            else:
                arr = np.asarray(raw, dtype=float)
                out[factor] = arr.reshape(len(arr), -1)
    return out


def _term_block(info, term, values, n) -> sp.csc_matrix:
    """The columns of ``term`` (its subterms in order), sparse."""
    parts = []
    for subterm in info.term_codings[term]:
        coded = []
        for factor in subterm.factors:
            if factor in subterm.contrast_matrices:
                contrast = subterm.contrast_matrices[factor].matrix
                codes = values[factor]
                indicator = sp.csr_matrix(
                    (np.ones(n), (np.arange(n), codes)), shape=(n, contrast.shape[0])
                )
                coded.append(sp.csc_matrix(indicator @ sp.csr_matrix(contrast)))
            else:
                coded.append(sp.csc_matrix(values[factor]))
        parts.append(_row_products(coded))
    return sp.hstack(parts, format="csc")


def _row_products(coded: list) -> sp.csc_matrix:
    """Row-wise (Khatri-Rao) product of the coded factors, the left-most factor's
    columns varying fastest."""
    out = coded[0]
    for right in coded[1:]:
        out = sp.hstack(
            [out.multiply(right[:, [j]]) for j in range(right.shape[1])], format="csc"
        )
    out = sp.csc_matrix(out)
    out.eliminate_zeros()
    return out
