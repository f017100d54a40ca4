"""scikit-learn's own estimator checks, with no expected failures.

They run on the defaults and on a grid of non-default settings: every
solver, schedule, activation, dropout, early stopping with each kind of
scoring, class weights, small batches and no hidden layer.
"""

import pytest
from sklearn.metrics import accuracy_score, make_scorer
from sklearn.utils.estimator_checks import (
    check_param_validation,
    parametrize_with_checks,
)

from skneural import LogisticRegressionGD, StackedNetClassifier, StackedNetRegressor

ESTIMATORS = [LogisticRegressionGD(), StackedNetClassifier(), StackedNetRegressor()]

STACKED_SETTINGS = [
    {"solver": "sgd"},
    {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.05},
    {"solver": "sgd", "nesterovs_momentum": False, "learning_rate": "adaptive"},
    {"solver": "lbfgs"},
    {"solver": "rmsprop"},
    {"solver": "adagrad", "learning_rate_init": 0.05},
    {"solver": "adamw", "alpha": 1e-2},
    {"learning_rate": "cosine"},
    {"activation": "tanh", "learning_rate_init": 0.01},
    {"activation": "logistic", "learning_rate_init": 0.01},
    {"activation": "identity"},
    {"activation": "leaky_relu"},
    {"activation": "elu"},
    {"activation": "gelu"},
    {"hidden_layer_sizes": (8, 4), "activation": ["relu", "tanh"]},
    {"dropout": 0.2},
    # half the rows for validation: the checks' noisy three-class blobs,
    # split without stratification as MLPClassifier splits them, then hold
    # every class. The scorers weigh the validation rows (class weights
    # included), as check_class_weight_classifiers needs.
    {"early_stopping": True, "validation_fraction": 0.5},
    {"early_stopping": True, "validation_fraction": 0.5, "scoring": "loss"},
    # seeded: an unseeded split draws from numpy's global stream, which the
    # checks before it consume, and one in a few leaves out a class, which
    # log_loss refuses
    {
        "early_stopping": True,
        "validation_fraction": 0.5,
        "scoring": "neg_log_loss",
        "random_state": 0,
    },
    {
        "early_stopping": True,
        "validation_fraction": 0.5,
        "scoring": make_scorer(accuracy_score),
    },
    {"class_weight": "balanced"},
    {"batch_size": 8},
    {"batch_size": 16},
    {"batch_size": 32},
    {"hidden_layer_sizes": (), "learning_rate_init": 0.01},
    {"weight_init": "he_uniform"},
    {"weight_init": "auto"},
]
LOGISTIC_SETTINGS = [
    {"solver": "gd"},
    {"solver": "agd"},
    {"solver": "cg"},
    {"solver": "sgd"},
    {"solver": "sgd", "batch_size": 8},
    {"solver": "sgd", "batch_size": 16},
    {"solver": "sgd", "batch_size": 32},
    {"l1_ratio": 1.0},
    {"l1_ratio": 0.5, "C": 0.5},
    {"solver": "sgd", "l1_ratio": 0.5, "batch_size": 16},
    {"class_weight": "balanced"},
    {"solver": "gd", "learning_rate": 0.1},
]
REGRESSOR_SETTINGS = [
    {"loss": "huber"},
    {"loss": "absolute_error"},
    {"solver": "lbfgs"},
    {"hidden_layer_sizes": (), "solver": "sgd", "learning_rate_init": 0.01},
    {"early_stopping": True, "validation_fraction": 0.5},
    {"early_stopping": True, "validation_fraction": 0.5, "scoring": "loss"},
]
SETTINGS_GRID = (
    [StackedNetClassifier(**settings) for settings in STACKED_SETTINGS]
    + [LogisticRegressionGD(**settings) for settings in LOGISTIC_SETTINGS]
    + [StackedNetRegressor(**settings) for settings in REGRESSOR_SETTINGS]
)


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


_SAMPLE_WEIGHT_CHECKS = {
    "check_sample_weight_equivalence_on_dense_data",
    "check_sample_weight_equivalence_on_sparse_data",
}
# Checks that call partial_fit, which early stopping and balanced class
# weights refuse with a ValueError (as MLPClassifier refuses early stopping
# and SGDClassifier balanced class weights).
_PARTIAL_FIT_CHECKS = {
    "check_estimators_partial_fit_n_features",
    "check_fit_score_takes_y",
    "check_n_features_in_after_fitting",
}


def skip_reason(estimator, check_name):
    """Why a check does not apply to these settings, or None.

    Only where scikit-learn skips the same check for its own estimators.
    """
    params = estimator.get_params()
    if isinstance(estimator, LogisticRegressionGD):
        stochastic = params["solver"] == "sgd"
        params = {"early_stopping": False, **params}
    else:
        stochastic = (
            params["early_stopping"]
            or params["dropout"]
            or params["learning_rate"] == "invscaling"
            or params["batch_size"] != "auto"
        )
    if check_name in _SAMPLE_WEIGHT_CHECKS and stochastic:
        # random validation splits, dropout masks and minibatches draw other
        # rows for a repeated sample than for a weighted one; the schedule
        # counts samples. scikit-learn skips this check for its stochastic
        # estimators (SGDClassifier, Perceptron, MiniBatchKMeans)
        return "sample_weight is not equivalent to repeating samples in SGD"
    refuses_partial_fit = params["early_stopping"] or params.get("class_weight") == (
        "balanced"
    )
    if check_name in _PARTIAL_FIT_CHECKS and refuses_partial_fit:
        # scikit-learn's own estimators raise the same ValueError (pinned by
        # MLPClassifier's test_mlp_partial_fit_after_fit; SGDClassifier)
        return "partial_fit refuses these settings, as scikit-learn does"
    return None


@parametrize_with_checks(SETTINGS_GRID)
def test_sklearn_compatible_with_other_settings(estimator, check):
    name = getattr(check, "func", check).__name__
    reason = skip_reason(estimator, name)
    if reason:
        pytest.skip(reason)
    check(estimator)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_param_validation(estimator):
    check_param_validation(type(estimator).__name__, estimator)
