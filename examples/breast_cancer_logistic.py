"""Penalized logistic regression on the Wisconsin breast cancer data.

An elastic net (l1_ratio = 0.5) chosen by BIC, a lasso chosen by CV for comparison,
and held-out predictions through the training formula.

Run: python examples/breast_cancer_logistic.py
"""

import numpy as np

import penstat as ps


def main() -> None:
    df = ps.datasets.load("breast_cancer")
    rng = np.random.default_rng(1)
    test = rng.random(len(df)) < 0.25
    train, held_out = df[~test], df[test]

    enet = ps.elastic_net(
        "diagnosis ~ .",
        train,
        family="binomial",
        l1_ratio=0.5,
        select="bic",
        positive="malignant",
    )
    print(enet.summary())

    lasso = ps.lasso("diagnosis ~ .", train, family="binomial", seed=0, measure="auc")
    print()
    print(f"lasso (CV, AUC): {lasso.df} columns selected, lambda {lasso.lam:.4g}")

    for name, fit in (("elastic net", enet), ("lasso", lasso)):
        predicted = fit.predict(held_out, type="class")
        accuracy = (predicted == held_out["diagnosis"]).mean()
        print(f"{name}: held-out accuracy {accuracy:.3f} on {len(held_out)} tumours")


if __name__ == "__main__":
    main()
