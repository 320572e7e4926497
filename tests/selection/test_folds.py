import numpy as np
import pytest

from penstat._errors import ArgumentError, DataError, PenstatError
from penstat._validation import check_foldid, check_nfolds
from penstat.selection.folds import make_folds


def test_random_folds_are_balanced_and_reproducible():
    folds = make_folds(103, nfolds=10, seed=3)
    counts = np.bincount(folds)
    assert counts.size == 10 and counts.max() - counts.min() <= 1
    np.testing.assert_array_equal(folds, make_folds(103, nfolds=10, seed=3))
    assert not np.array_equal(folds, make_folds(103, nfolds=10, seed=4))


def test_generator_seed_is_accepted():
    a = make_folds(50, 5, seed=np.random.default_rng(7))
    b = make_folds(50, 5, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a, b)


def test_stratified_folds_spread_each_class():
    rng = np.random.default_rng(0)
    y = (rng.random(97) < 0.2).astype(float)
    folds = make_folds(97, nfolds=10, y=y, stratify=True, seed=1)
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 1
    positives = np.bincount(folds, weights=y)
    assert positives.max() - positives.min() <= 1
    assert positives.min() >= 1 and (sizes - positives).min() >= 1


def test_stratified_folds_refuse_too_few_positives():
    y = np.zeros(40)
    y[:4] = 1
    with pytest.raises(DataError, match=r"4 positives \(y == 1\).*nfolds=10.*nfolds <= 4"):
        make_folds(40, nfolds=10, y=y, stratify=True, seed=0)
    y = 1 - y
    with pytest.raises(DataError, match=r"4 negatives"):
        make_folds(40, nfolds=10, y=y, stratify=True, seed=0)


@pytest.mark.parametrize("nfolds", [2, 1, 0])
def test_nfolds_out_of_range(nfolds):
    with pytest.raises(ArgumentError, match="nfolds"):
        check_nfolds(nfolds, 50)


def test_more_folds_than_rows_is_a_data_error():
    # the data is too small for the folds asked for, not the argument out of range
    with pytest.raises(DataError, match="nfolds=51 is larger.*too few rows"):
        check_nfolds(51, 50)


@pytest.mark.parametrize("nfolds", [3.5, "10", True])
def test_nfolds_must_be_integer(nfolds):
    with pytest.raises(ArgumentError, match="nfolds must be an integer"):
        check_nfolds(nfolds, 50)


def test_foldid_labels_are_recoded():
    codes = check_foldid(np.array(["b", "a", "c", "b", "a", "c"]), 6)
    np.testing.assert_array_equal(codes, [1, 0, 2, 1, 0, 2])


def test_foldid_errors():
    with pytest.raises(ArgumentError, match="foldid has length 5 but the data have 6"):
        check_foldid([1, 2, 3, 1, 2], 6)
    with pytest.raises(ArgumentError, match="1 distinct fold;"):
        check_foldid([1] * 6, 6)
    with pytest.raises(ArgumentError, match="2 distinct folds"):
        check_foldid([1, 2] * 3, 6)
    with pytest.raises(ArgumentError, match="NaN"):
        check_foldid([1.0, 2.0, np.nan, 3.0], 4)
    with pytest.raises(PenstatError):
        check_foldid(np.ones((3, 2)), 3)


def _few_weighted_positives():
    """30 positives of which only 5 carry weight, and 30 negatives, all weighted."""
    y = np.r_[np.ones(30), np.zeros(30)]
    w = np.ones(60)
    w[5:30] = 0.0
    return y, w


def _classes_among_weighted(folds, y, w, nfolds):
    return [set(y[(folds == k) & (w > 0)].tolist()) for k in range(nfolds)]


@pytest.mark.parametrize("seed", range(5))
def test_weighted_stratified_folds_spread_each_class_over_weighted_rows(seed):
    y, w = _few_weighted_positives()
    # dealing by class over all rows leaves some fold without a weighted positive
    plain = make_folds(60, nfolds=5, y=y, stratify=True, seed=seed)
    assert _classes_among_weighted(plain, y, w, 5) != [{0.0, 1.0}] * 5
    folds = make_folds(60, nfolds=5, y=y, stratify=True, seed=seed, weights=w)
    assert _classes_among_weighted(folds, y, w, 5) == [{0.0, 1.0}] * 5
    # every row has a fold, sizes stay balanced, weighted positives one per fold
    assert folds.shape == (60,) and set(folds.tolist()) == set(range(5))
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 1
    np.testing.assert_array_equal(np.bincount(folds, weights=y * (w > 0)), np.ones(5))
    np.testing.assert_array_equal(
        folds, make_folds(60, nfolds=5, y=y, stratify=True, seed=seed, weights=w)
    )


def test_weighted_stratified_folds_count_only_weighted_rows():
    y, w = _few_weighted_positives()
    pattern = r"5 positives \(y == 1\) among the rows of positive weight.*nfolds <= 5"
    with pytest.raises(DataError, match=pattern):
        make_folds(60, nfolds=6, y=y, stratify=True, seed=0, weights=w)
    # without the weights the 30 positives are enough
    assert make_folds(60, nfolds=6, y=y, stratify=True, seed=0).shape == (60,)


def test_positive_weights_give_the_unweighted_folds():
    y = np.r_[np.ones(20), np.zeros(27)]
    w = np.random.default_rng(1).uniform(0.5, 2.0, 47)
    np.testing.assert_array_equal(
        make_folds(47, nfolds=4, y=y, stratify=True, seed=2, weights=w),
        make_folds(47, nfolds=4, y=y, stratify=True, seed=2),
    )


def test_weights_of_the_wrong_length():
    y = np.r_[np.ones(10), np.zeros(10)]
    with pytest.raises(ArgumentError, match="one weight per row"):
        make_folds(20, nfolds=3, y=y, stratify=True, seed=0, weights=np.ones(19))
