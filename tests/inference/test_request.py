"""The checked arguments shared by every inference method."""

import pandas as pd
import pytest

import penstat as ps
from penstat.inference import InferenceRequest, InferenceResult


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        ({"method": "bayes"}, "method"),
        ({"level": 1.0}, "level"),
        ({"level": 0}, "level"),
        ({"level": "0.9"}, "level"),
        ({"sigma": 0}, "sigma"),
        ({"sigma": -1.0}, "sigma"),
        ({"alternative": "less"}, "alternative"),
        ({"target": "population"}, "target"),
        ({"n_splits": 1}, "n_splits"),
        ({"gamma_min": 1.5}, "gamma_min"),
        ({"lam": -0.1}, "lam"),
        ({"n_jobs": 0}, "n_jobs"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, names):
    with pytest.raises(ps.ArgumentError, match=names):
        InferenceRequest.build(**kwargs)


def test_request_settles_the_seed():
    assert isinstance(InferenceRequest.build().seed, int)
    assert InferenceRequest.build(seed=7).seed == 7


def test_result_refuses_a_nan_p_value():
    table = pd.DataFrame(
        {c: [float("nan")] for c in ps.inference.TABLE_COLUMNS}, index=["x"]
    )
    with pytest.raises(ValueError, match="NaN"):
        InferenceResult("naive", table, 0.95, 1.0, "nothing")._check()


def test_printout_names_method_and_conditioning():
    table = pd.DataFrame({c: [0.5] for c in ps.inference.TABLE_COLUMNS}, index=["x"])
    res = InferenceResult("split", table, 0.9, 1.0, "the random splits", notes=("n",))
    text = str(res)
    assert "split" in text.splitlines()[0]
    assert "Conditioning: the random splits" in text
    assert "Note: n" in text
