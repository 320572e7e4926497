"""Reference group lasso paths from adelie (Yang & Hastie), stored as
tests/data/adelie_group_*.json for tests/solver/test_group_adelie.py.

adelie pins numpy < 2, so it runs in its own environment, not penstat's:

    python -m venv /work/adelie-venv && /work/adelie-venv/bin/pip install adelie
    /work/adelie-venv/bin/python scripts/adelie_reference.py

adelie's objective (``adelie.grpnet`` with ``adelie.glm.gaussian`` /
``adelie.glm.binomial`` and their default weights 1/n) is

    loss(b0, b) + lam * sum_g sqrt(size_g) (alpha ||b_g|| + (1 - alpha)/2 ||b_g||^2)

with loss = 1/(2n) RSS or -loglik / n, the intercept unpenalized and the columns
as given: penstat's group objective with ``standardize=False`` (the gaussian case
with alpha = 1 only: penstat's gaussian ridge part follows glmnet's response scale).
Each case stores the data, the lambdas (given to adelie, so both solve the same
problems), adelie's coefficients and intercepts, and the objective at them.
"""

import json
import pathlib
import sys

import adelie as ad
import numpy as np

OUT = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data"


def make(seed, n, sizes, family):
    rng = np.random.default_rng(seed)
    p = int(sum(sizes))
    X = rng.normal(size=(n, p)) + 0.3 * rng.normal(size=(n, 1))
    labels = np.repeat(np.arange(len(sizes)), sizes)
    beta = np.zeros(p)
    for g in range(0, len(sizes), 3):
        beta[labels == g] = rng.normal(size=sizes[g])
    eta = X @ beta
    if family == "gaussian":
        y = eta + rng.normal(size=n)
    else:
        y = rng.binomial(1, 1 / (1 + np.exp(-(eta - eta.mean())))).astype(float)
    return X, y, labels


def objective(X, y, b0, b, lam, labels, alpha, family):
    eta = b0 + X @ b
    if family == "gaussian":
        loss = 0.5 * np.mean((y - eta) ** 2)
    else:
        loss = np.mean(np.logaddexp(0.0, eta) - y * eta)
    pen = 0.0
    for g in np.unique(labels):
        bg = b[labels == g]
        pen += np.sqrt(bg.size) * (alpha * np.linalg.norm(bg) + 0.5 * (1 - alpha) * bg @ bg)
    return float(loss + lam * pen)


def case(name, seed, n, sizes, family, alpha, nlam=20, ratio=1e-2):
    X, y, labels = make(seed, n, sizes, family)
    starts = np.r_[0, np.cumsum(sizes)[:-1]].astype(int)
    resid = y - y.mean()
    grad = X.T @ resid / n
    lam_max = max(
        np.linalg.norm(grad[labels == g]) / np.sqrt(np.sum(labels == g))
        for g in range(len(sizes))
    ) / max(alpha, 1e-3)
    lambdas = lam_max * ratio ** (np.arange(nlam) / (nlam - 1))
    glm = ad.glm.gaussian(y) if family == "gaussian" else ad.glm.binomial(y)
    state = ad.grpnet(
        np.asfortranarray(X),
        glm,
        groups=starts,
        alpha=alpha,
        lmda_path=lambdas,
        early_exit=False,
        tol=1e-14,
        irls_tol=1e-14,
        newton_tol=1e-14,
        intercept=True,
        progress_bar=False,
    )
    betas = np.asarray(state.betas.toarray())
    intercepts = np.asarray(state.intercepts)
    lmdas = np.asarray(state.lmdas)
    assert np.allclose(lmdas, lambdas, rtol=1e-12), "adelie changed the lambdas"
    record = {
        "source": f"adelie {ad.__version__} (numpy {np.__version__}), {__file__}",
        "family": family,
        "l1_ratio": alpha,
        "X": X.tolist(),
        "y": y.tolist(),
        "groups": labels.tolist(),
        "lambdas": lambdas.tolist(),
        "coefs": betas.tolist(),
        "intercepts": intercepts.tolist(),
        "objective": [
            objective(X, y, intercepts[k], betas[k], lambdas[k], labels, alpha, family)
            for k in range(lambdas.size)
        ],
    }
    path = OUT / f"adelie_group_{name}.json"
    path.write_text(json.dumps(record))
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    case("gaussian", 1, 100, (1, 3, 2, 5, 4, 1, 2, 2), "gaussian", 1.0)
    case("gaussian_wide", 2, 40, (3,) * 20, "gaussian", 1.0)
    case("binomial", 3, 150, (1, 3, 2, 5, 4, 1, 2, 2), "binomial", 1.0)
    case("binomial_enet", 4, 150, (2, 4, 1, 3, 3, 2), "binomial", 0.5)
