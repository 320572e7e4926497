"""The gaussian kernel with the response given as its work space (``overwrite_y``):
the same path, bit for bit, as with a copy, in both update schemes, and optimal."""

import numpy as np
import pytest
from penstat.solver._cd._gaussian import gaussian_path


def _problem(n, p, weighted, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    X[:, 1] += 0.7 * X[:, 0]
    w = rng.uniform(0.2, 3.0, n) if weighted else np.ones(n)
    w /= w.sum()
    X -= w @ X
    X /= np.sqrt(w @ X**2)
    y = X[:, :3] @ np.array([1.0, -0.8, 0.5]) + 0.7 * rng.standard_normal(n)
    y -= w @ y
    y /= np.sqrt(w @ y**2)
    return np.asfortranarray(X), y, w


def _path(X, y, w, lams, l1_ratio, mode, screen, overwrite):
    p, nlam = X.shape[1], lams.size
    out = (
        np.zeros((nlam, p)),
        np.zeros(nlam),
        np.zeros(nlam),
        np.zeros(nlam, np.int32),
        np.zeros(nlam, np.uint8),
    )
    n_fit = gaussian_path(
        X, y, w, np.ones(p), l1_ratio, lams, True, False, 1e-12, 100_000, *out,
        mode=mode, screen=screen, overwrite_y=overwrite,
    )  # fmt: skip
    assert n_fit == nlam
    return out


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize(
    "mode, screen, n, p",
    [(1, True, 300, 30), (0, True, 40, 120), (0, False, 40, 120), (0, True, 300, 30)],
)
def test_overwrite_y_gives_the_same_path_and_kkt(weighted, mode, screen, n, p):
    X, y, w = _problem(n, p, weighted, seed=n + p)
    lam_max = np.max(np.abs(X.T @ (w * y)))
    lams = lam_max * np.geomspace(1.0, 0.01, 25)
    for l1_ratio in (1.0, 0.5):
        copied = _path(X, y, w, lams, l1_ratio, mode, screen, overwrite=False)
        scratch = y.copy()
        overwritten = _path(X, scratch, w, lams, l1_ratio, mode, screen, overwrite=True)
        for a, b in zip(copied, overwritten, strict=True):
            assert a.tobytes() == b.tobytes()
        if mode == 1:
            # covariance scheme: the response's memory was the kernel's work space
            # (naive scheme: it holds the centred response, here y itself)
            assert not np.array_equal(scratch, y)
        # optimality at every lambda: the kernel's problem is
        # 1/2 sum w (y - X b)^2 + lam (a |b|_1 + (1 - a) / 2 |b|^2), y centred
        coefs = copied[0]
        for lam, b in zip(lams, coefs, strict=True):
            grad = X.T @ (w * (y - X @ b)) - lam * (1 - l1_ratio) * b
            on = b != 0
            np.testing.assert_allclose(
                grad[on], lam * l1_ratio * np.sign(b[on]), rtol=0, atol=1e-6
            )
            assert np.all(np.abs(grad[~on]) <= lam * l1_ratio + 1e-6)


def test_overwrite_y_needs_a_writable_array_of_its_own():
    X, y, w = _problem(50, 5, False, seed=1)
    lams = np.array([0.1, 0.05])
    frozen = y.copy()
    frozen.flags.writeable = False
    with pytest.raises(ValueError):
        _path(X, frozen, w, lams, 1.0, -1, True, overwrite=True)
    np.testing.assert_array_equal(frozen, y)
