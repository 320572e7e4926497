"""
Penalized logistic regression on breast cancer data
===================================================

Penalized logistic regression on the Wisconsin breast cancer data: an elastic net
(``l1_ratio = 0.5``) chosen by BIC, a lasso chosen by cross-validated AUC for
comparison, and held-out predictions through the training formula.

Run: ``python examples/plot_breast_cancer_logistic.py [OUTDIR]`` (the figures are
written into ``OUTDIR``, a new temporary directory by default).
"""

import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import penstat as ps

# %%
# Training and held-out rows
# --------------------------

df = ps.datasets.load("breast_cancer")
rng = np.random.default_rng(1)
test = rng.random(len(df)) < 0.25
train, held_out = df[~test], df[test]

# %%
# Elastic net, lambda by BIC
# --------------------------

enet = ps.elastic_net(
    "diagnosis ~ .",
    train,
    family="binomial",
    l1_ratio=0.5,
    select="bic",
    positive_class="malignant",
)
print(enet.summary())

# %%
# Lasso, lambda by cross-validated AUC
# ------------------------------------

lasso = ps.lasso("diagnosis ~ .", train, family="binomial", seed=0, measure="auc")
print(f"lasso (CV, AUC): {lasso.df} columns selected, lambda {lasso.lam:.4g}")

# %%
# Held-out accuracy
# -----------------

for name, fit in (("elastic net", enet), ("lasso", lasso)):
    predicted = fit.predict(held_out, type="class")
    accuracy = (predicted == held_out["diagnosis"]).mean()
    print(f"{name}: held-out accuracy {accuracy:.3f} on {len(held_out)} tumours")

# %%
# Information criteria along the elastic-net path
# ------------------------------------------------
# AIC, BIC and extended BIC at every lambda; the BIC picks the lambda of the fit.

ax = enet.selection.plot()
criteria_figure = ax.figure

# %%
# Cross-validated AUC of the lasso
# --------------------------------

ax = lasso.cv.plot()
cv_figure = ax.figure

# %%
# Run as a script, the example writes its figures into the directory given as its
# first argument, or a new temporary directory.

if len(sys.argv) > 1:
    outdir = Path(sys.argv[1])
else:
    outdir = Path(tempfile.mkdtemp(prefix="penstat-example-"))
outdir.mkdir(parents=True, exist_ok=True)
for name, figure in (
    ("breast_cancer_criteria", criteria_figure),
    ("breast_cancer_cv", cv_figure),
):
    figure.savefig(outdir / f"{name}.png", dpi=120, bbox_inches="tight")
if len(sys.argv) == 1:
    print(f"figures written to {outdir}")
plt.show()
