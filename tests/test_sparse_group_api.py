"""The sparse-group lasso through the API and the command line:
``ps.group_lasso(..., l1_within=a)`` / ``ps.fit(..., penalty="group", l1_within=a)``,
the summary (the selected terms and, inside them, the selected columns), criteria
(df = the number of nonzero coefficients) and the mistakes a user can make."""

import numpy as np
import pytest
from conftest import make_region_frame

import penstat as ps
from penstat import ArgumentError
from penstat.cli import main
from penstat.selection.criteria import effective_df


@pytest.fixture(scope="module")
def frame():
    n = 300
    df, rng = make_region_frame(n, seed=0)
    effect = df["region"].map({"north": 0.0, "south": 1.5, "east": 0.0, "west": 0.0})
    df["y"] = 2 * df["x1"] + effect + 0.5 * rng.normal(size=n)
    return df


FORMULA = "y ~ x1 + x2 + x3 + C(region) + poly(age, 3)"


def test_selects_columns_inside_terms_and_the_summary_lists_them(frame):
    fit = ps.group_lasso(FORMULA, frame, l1_within=0.6, lam=0.05)
    same = ps.fit(FORMULA, frame, penalty="group", l1_within=0.6, lam=0.05)
    np.testing.assert_array_equal(fit.coef.to_numpy(), same.coef.to_numpy())
    region = [c for c in fit.design.columns if c.startswith("C(region)")]
    chosen = [c for c in region if c in fit.selected]
    # only the level that differs from the reference enters: a part of the term
    assert 0 < len(chosen) < len(region)
    assert "C(region)" in fit.selected_terms
    text = str(fit.summary())
    assert "sparse-group lasso (l1_within=0.6)" in text
    assert f"C(region) ({len(chosen)} of {len(region)}: {', '.join(chosen)})" in text
    # the group lasso keeps the whole term
    whole = ps.group_lasso(FORMULA, frame, lam=0.05)
    assert all(c in whole.selected for c in region)


def test_criteria_count_nonzero_coefficients(frame):
    fit = ps.group_lasso(FORMULA, frame, l1_within=0.5, select="bic")
    df = effective_df(fit.path, fit.design.X, fit.design.y)
    np.testing.assert_array_equal(df, np.count_nonzero(fit.path.coefs, axis=1))


def test_bad_l1_within_is_refused(frame):
    with pytest.raises(ArgumentError, match=r"l1_within=1.5 must be in \[0, 1\]"):
        ps.group_lasso(FORMULA, frame, l1_within=1.5, lam=0.1)
    with pytest.raises(ArgumentError, match=r"l1_within=0.5 .*needs groups"):
        ps.lasso(FORMULA, frame, l1_within=0.5, lam=0.1)
    with pytest.raises(ArgumentError, match=r"l1_within=0.5 .*l1_ratio"):
        ps.group_lasso(FORMULA, frame, l1_within=0.5, l1_ratio=[1.0, 0.5])
    with pytest.raises(ArgumentError, match=r"l1_within=0.5 .*l1_ratio=0.5"):
        ps.group_lasso(FORMULA, frame, l1_within=0.5, l1_ratio=0.5, lam=0.1)


def test_command_line_option(capsys, tmp_path, frame):
    path = tmp_path / "frame.csv"
    frame.to_csv(path, index=False)
    code = main(
        [
            "fit",
            str(path),
            FORMULA,
            "--penalty",
            "group",
            "--l1-within",
            "0.6",
            "--select",
            "0.05",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "sparse-group lasso (l1_within=0.6)" in out
    assert "C(region) (" in out
