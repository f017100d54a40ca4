"""scikit-learn's own estimator checks, with no expected failures.

They run on the defaults and on a grid of non-default settings: every
solver, schedule, activation, dropout, early stopping with each kind of
scoring, class weights, small batches and no hidden layer.
"""

import pytest
from sklearn.metrics import make_scorer, matthews_corrcoef
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from skneural import LogisticRegressionGD, StackedNetClassifier

ESTIMATORS = [LogisticRegressionGD(), StackedNetClassifier()]

STACKED_SETTINGS = [
    {"solver": "sgd"},
    {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.05},
    {"solver": "sgd", "nesterovs_momentum": False, "learning_rate": "adaptive"},
    {"solver": "lbfgs"},
    {"solver": "rmsprop"},
    {"solver": "adagrad", "learning_rate_init": 0.05},
    {"solver": "adamw", "alpha": 1e-2},
    {"learning_rate": "cosine"},
    {"activation": "tanh"},
    {"activation": "logistic", "learning_rate_init": 0.01},
    {"activation": "identity"},
    {"activation": "leaky_relu"},
    {"activation": "elu"},
    {"activation": "gelu"},
    {"hidden_layer_sizes": (8, 4), "activation": ["relu", "tanh"]},
    {"dropout": 0.2},
    # a fifth of the checks' 10-row data sets: two validation rows, one per
    # class of the stratified split (a tenth gives one)
    {"early_stopping": True, "validation_fraction": 0.2},
    {"early_stopping": True, "validation_fraction": 0.2, "scoring": "loss"},
    {
        "early_stopping": True,
        "validation_fraction": 0.2,
        "scoring": "balanced_accuracy",
    },
    {
        "early_stopping": True,
        "validation_fraction": 0.2,
        "scoring": make_scorer(matthews_corrcoef),
    },
    {"class_weight": "balanced"},
    {"batch_size": 8},
    {"batch_size": 16},
    {"batch_size": 32},
    {"hidden_layer_sizes": (), "learning_rate_init": 0.01},
    {"weight_init": "he_uniform"},
    {"weight_init": "auto"},
]
SETTINGS_GRID = [StackedNetClassifier(**settings) for settings in STACKED_SETTINGS]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


@parametrize_with_checks(SETTINGS_GRID)
def test_sklearn_compatible_with_other_settings(estimator, check):
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
