"""Same arguments and seed as MLPClassifier: the same numbers.

StackedNetClassifier draws its initial weights, its epoch shuffles and its
early-stopping split from ``check_random_state(random_state)`` in
MLPClassifier's order, and scales the per-batch penalty as it does, so the
two train to the same parameters up to rounding.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from skneural import StackedNetClassifier

SOLVERS = [
    {"solver": "adam"},
    {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": True},
    {"solver": "sgd", "momentum": 0.9, "nesterovs_momentum": False},
    {"solver": "lbfgs"},
]


def split(loader):
    X, y = loader(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return train_test_split(X, y, random_state=0)


def both(settings, X, y):
    fitted = []
    for estimator in (MLPClassifier, StackedNetClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            fitted.append(estimator(random_state=0, max_iter=20, **settings).fit(X, y))
    return fitted


def initial_weights(estimator, X, y, settings):
    """Weights before any update: one epoch at a learning rate of 1e-300.

    ``max_iter`` cannot be 0, and a step of 1e-300 times a gradient is below
    the rounding of every weight, so the weights are exactly the first draw.
    """
    probe = estimator(
        random_state=0,
        **{**settings, "solver": "sgd", "learning_rate_init": 1e-300, "max_iter": 1},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        probe.fit(X, y)
    return [*probe.coefs_, *probe.intercepts_]


@pytest.mark.parametrize("loader", [load_iris, load_digits], ids=["iris", "digits"])
@pytest.mark.parametrize(
    "settings", SOLVERS, ids=lambda s: "-".join(map(str, s.values()))
)
def test_same_seed_same_training_run(loader, settings):
    X_train, X_test, y_train, _ = split(loader)
    for a, b in zip(
        initial_weights(MLPClassifier, X_train, y_train, settings),
        initial_weights(StackedNetClassifier, X_train, y_train, settings),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)

    mlp, ours = both(settings, X_train, y_train)
    if settings["solver"] == "lbfgs":  # MLPClassifier keeps no loss curve
        np.testing.assert_allclose(ours.loss_, mlp.loss_, rtol=1e-6)
        assert ours.n_iter_ == mlp.n_iter_
    else:
        np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-6)
    assert np.mean(ours.predict(X_test) == mlp.predict(X_test)) >= 0.99


@pytest.mark.parametrize("activation", ["logistic", "tanh"])
def test_initial_weights_of_other_activations_match(activation):
    X, _, y, _ = split(load_iris)
    settings = {"activation": activation, "hidden_layer_sizes": (7, 5)}
    for a, b in zip(
        initial_weights(MLPClassifier, X, y, settings),
        initial_weights(StackedNetClassifier, X, y, settings),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_split_and_scores_match_mlpclassifier():
    X_train, _, y_train, _ = split(load_digits)
    settings = {"early_stopping": True, "validation_fraction": 0.2}
    mlp, ours = both(settings, X_train, y_train)
    np.testing.assert_allclose(ours.validation_scores_, mlp.validation_scores_)
    np.testing.assert_allclose(ours.loss_curve_, mlp.loss_curve_, rtol=1e-6)


def test_warm_start_counts_each_call_as_mlpclassifier():
    X, _, y, _ = split(load_iris)
    counts = []
    for estimator in (MLPClassifier, StackedNetClassifier):
        est = estimator(hidden_layer_sizes=(5,), max_iter=3, warm_start=True)
        for _ in range(2):
            with pytest.warns(ConvergenceWarning):
                est.fit(X, y)
            counts.append(est.n_iter_)
        counts.append(len(est.loss_curve_))
    assert counts == [3, 3, 6, 3, 3, 6]


def test_unscaled_features_train_as_mlpclassifier_does():
    # a first epoch's loss far above the uninformed model's, from features in
    # the thousands, is no divergence: it falls from there, as in MLPClassifier
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    X = 10 * X  # areas up to 25,000: a first loss over 100 times log(2)
    mlp, ours = both({}, X, y)
    assert ours.loss_curve_[0] > 100 * np.log(2)
    assert ours.n_iter_ == mlp.n_iter_ == 20
    for a, b in zip(
        ours.coefs_ + ours.intercepts_, mlp.coefs_ + mlp.intercepts_, strict=True
    ):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(ours.predict(X), mlp.predict(X))
