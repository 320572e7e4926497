"""penstat.penalty.Penalty: validation and glmnet's rescaling of the factors."""

import numpy as np
import pytest

from penstat import ArgumentError
from penstat._validation import check_lam
from penstat.penalty import Penalty, resolve_penalty, resolve_select


def test_factors_rescaled_to_sum_to_p():
    pf = Penalty(0.5, [0, 1, 3]).factors(3)
    np.testing.assert_allclose(pf, [0, 0.75, 2.25])
    np.testing.assert_allclose(pf.sum(), 3)
    np.testing.assert_array_equal(Penalty().factors(4), np.ones(4))


def test_input_copied_and_read_only():
    given = np.array([1.0, 2.0])
    penalty = Penalty(1.0, given)
    given[0] = 5.0
    assert penalty.penalty_factor[0] == 1.0
    with pytest.raises(ValueError):
        penalty.penalty_factor[0] = 3.0
    with pytest.raises(AttributeError):
        penalty.l1_ratio = 0.5


def test_lambda_max_divisor_uses_glmnet_floor():
    assert Penalty(0.0).lambda_max_divisor == 1e-3
    assert Penalty(0.5).lambda_max_divisor == 0.5


def test_value():
    b = np.array([1.0, -2.0])
    value = Penalty(0.25).value(b, 2.0, np.ones(2))
    np.testing.assert_allclose(value, 2.0 * (0.25 * 3 + 0.5 * 0.75 * 5))


@pytest.mark.parametrize(
    "l1_ratio, pf, p, word",
    [
        (1.5, None, 2, "l1_ratio"),
        (-0.5, None, 2, "l1_ratio"),
        (True, None, 2, "l1_ratio"),
        (np.nan, None, 2, "l1_ratio"),
        (1.0, [1, -1], 2, "non-negative"),
        (1.0, [0, 0], 2, "zero for every column"),
        (1.0, [1, np.inf], 2, "NaN or inf"),
        (1.0, [[1, 1]], 2, "one-dimensional"),
        (1.0, ["a", "b"], 2, "penalty_factor"),
        (1.0, [1, 1, 1], 2, "3 entries"),
    ],
)
def test_errors(l1_ratio, pf, p, word):
    with pytest.raises(ArgumentError, match=word):
        Penalty(l1_ratio, pf).factors(p)


@pytest.mark.parametrize(
    "penalty, l1_ratio, expected",
    [
        ("l1", None, 1.0),
        ("l1", 1, 1.0),
        ("l2", None, 0.0),
        ("l2", 0.0, 0.0),
        ("elasticnet", None, 0.5),
        ("elasticnet", 0.25, 0.25),
        ("elasticnet", [0.3], 0.3),
        ("elasticnet", np.array([0.2, 1.0]), (0.2, 1.0)),
    ],
)
def test_resolve_penalty(penalty, l1_ratio, expected):
    got = resolve_penalty(penalty, l1_ratio)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    "penalty, l1_ratio, pattern",
    [
        ("lasso", None, "penalty='lasso'; use one of: l1, l2, elasticnet"),
        (None, None, "penalty=None"),
        ("l1", 0.5, "penalty='l1' means l1_ratio=1, got l1_ratio=0.5"),
        ("l2", 1.0, "penalty='l2' means l1_ratio=0, got l1_ratio=1.0"),
        ("l1", [0.2, 0.8], "needs penalty='elasticnet'"),
        ("elasticnet", [], "empty list; give at least one mix"),
        ("elasticnet", [0.5, 2.0], r"l1_ratio=2.0 must be in \[0, 1\]"),
        ("elasticnet", "0.5", "l1_ratio='0.5' must be a number"),
    ],
)
def test_resolve_penalty_errors(penalty, l1_ratio, pattern):
    with pytest.raises(ArgumentError, match=pattern):
        resolve_penalty(penalty, l1_ratio)


def test_resolve_select():
    assert resolve_select("cv_min", None) == ("cv_min", None)
    assert resolve_select(None, None) == (None, None)
    assert resolve_select(0.5, None) == (None, 0.5)
    assert resolve_select("bic", 2) == (None, 2.0)  # lam wins over the rule
    with pytest.raises(ArgumentError, match="lam=-1 must be a finite lambda"):
        resolve_select("cv_1se", -1)
    with pytest.raises(ArgumentError, match="select=inf must be a finite lambda"):
        resolve_select(np.inf, None)
    with pytest.raises(ArgumentError, match="select='best'"):
        resolve_select("best", None)
    with pytest.raises(ArgumentError, match="lam=True must be a number"):
        check_lam(True)
