"""Predictions read fitted attributes only: set_params after fit changes nothing."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from skneural import LogisticRegressionGD, StackedNetClassifier, StackedNetRegressor

# A value other than the default for every parameter of both estimators.
OTHER_VALUES = {
    "hidden_layer_sizes": (0,),
    "activation": "tanh",
    "solver": "lbfgs",
    "alpha": 10.0,
    "batch_size": 3,
    "learning_rate": "invscaling",
    "learning_rate_init": 0.5,
    "power_t": 0.1,
    "max_iter": 3,
    "shuffle": False,
    "random_state": 7,
    "tol": 0.5,
    "verbose": True,
    "warm_start": True,
    "momentum": 0.1,
    "nesterovs_momentum": False,
    "early_stopping": True,
    "validation_fraction": 0.5,
    "beta_1": 0.1,
    "beta_2": 0.2,
    "epsilon": 1.0,
    "n_iter_no_change": 1,
    "max_fun": 1,
    "dropout": 0.5,
    "class_weight": {0: 5.0, 1: 1.0, 2: 1.0},
    "weight_init": "he_uniform",
    "scoring": "loss",
    "C": 1e-3,
    "l1_ratio": 1.0,
    "fit_intercept": False,
    "learning_rate_gd": 0.5,
    "loss": "poisson",
    "huber_delta": 3.0,
}


def fitted(estimator, iris):
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.mark.parametrize(
    "estimator",
    [
        StackedNetClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0),
        LogisticRegressionGD(max_iter=30),
    ],
    ids=lambda e: type(e).__name__,
)
def test_set_params_after_fit_changes_no_prediction(estimator, iris):
    est = fitted(estimator, iris)
    X = iris[0]
    expected = est.predict_proba(X), est.predict_log_proba(X), est.predict(X)
    names = sorted(est.get_params())
    assert set(names) <= set(OTHER_VALUES) | {"learning_rate"}
    for name in names:
        value = OTHER_VALUES[name]
        if name == "learning_rate" and isinstance(est, LogisticRegressionGD):
            value = OTHER_VALUES["learning_rate_gd"]
        original = est.get_params()[name]
        est.set_params(**{name: value})
        got = est.predict_proba(X), est.predict_log_proba(X), est.predict(X)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
        est.set_params(**{name: original})


def test_regressor_predictions_read_fitted_attributes_only(iris):
    X = iris[0]
    X, y = X[:, 1:], X[:, 0]  # a real target: the first measurement
    est = StackedNetRegressor(hidden_layer_sizes=(6,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X, y)
    expected = est.predict(X)
    for name in sorted(est.get_params()):
        original = est.get_params()[name]
        est.set_params(**{name: OTHER_VALUES[name]})
        np.testing.assert_array_equal(est.predict(X), expected, err_msg=name)
        est.set_params(**{name: original})
