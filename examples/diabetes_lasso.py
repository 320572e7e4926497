"""Lasso on the diabetes data (Efron et al. 2004), lambda chosen by 10-fold CV.

Run: python examples/diabetes_lasso.py
"""

import penstat as ps


def main() -> None:
    df = ps.datasets.load("diabetes")
    # sex is coded 1 / 2: treat it as a factor; every other column enters linearly
    fit = ps.lasso("y ~ . - sex + C(sex)", data=df, select="cv_1se", seed=0)
    print(fit.summary())
    print()
    print("selected columns:", ", ".join(fit.selected))
    print("predictions for the first three patients:")
    print(fit.predict(df.head(3)).round(1).to_string())

    try:
        import matplotlib

        matplotlib.use("Agg")
        ax = fit.plot()
        ax.figure.savefig("diabetes_lasso_path.png", dpi=120, bbox_inches="tight")
        print("coefficient paths written to diabetes_lasso_path.png")
    except ImportError:
        print("install matplotlib to draw the coefficient paths")


if __name__ == "__main__":
    main()
