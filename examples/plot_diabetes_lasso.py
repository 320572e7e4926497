"""
Lasso on the diabetes data
==========================

A lasso on the diabetes data (Efron et al. 2004), lambda chosen by 10-fold
cross-validation with the 1-SE rule, predictions for new patients, and the
coefficient paths and cross-validation curve.

Run: ``python examples/plot_diabetes_lasso.py [OUTDIR]`` (the figures are written
into ``OUTDIR``, a new temporary directory by default).
"""

import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt

import penstat as ps

# %%
# Fit
# ---
# ``sex`` is coded 1 / 2: treat it as a factor; every other column enters linearly.

df = ps.datasets.load("diabetes")
fit = ps.lasso("y ~ . - sex + C(sex)", data=df, select="cv_1se", seed=0)
print(fit.summary())

# %%
# Selected columns and predictions
# --------------------------------
# New rows go through the formula of the fit (the same factor coding).

print("selected columns:", ", ".join(fit.selected))
print("predictions for the first three patients:")
print(fit.predict(df.head(3)).round(1).to_string())

# %%
# Coefficient paths
# -----------------
# Coefficients against log lambda, largest lambda on the left; the chosen lambda is
# dashed and the selected columns are labelled at the right edge.

ax = fit.plot()
path_figure = ax.figure

# %%
# Cross-validation curve
# ----------------------
# Mean squared error of the held-out folds with one standard error either side; the
# 1-SE rule picks the largest lambda within one standard error of the minimum.

ax = fit.cv.plot()
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
    ("diabetes_lasso_path", path_figure),
    ("diabetes_lasso_cv", cv_figure),
):
    figure.savefig(outdir / f"{name}.png", dpi=120, bbox_inches="tight")
if len(sys.argv) == 1:
    print(f"figures written to {outdir}")
plt.show()
