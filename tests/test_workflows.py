"""Both estimators in the workflows a scikit-learn user already has."""

import pickle
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier

ESTIMATORS = [
    LogisticRegressionGD(tol=1e-6),
    StackedNetClassifier(
        hidden_layer_sizes=(8,), max_iter=30, learning_rate_init=0.01, random_state=0
    ),
]
ids = [type(e).__name__ for e in ESTIMATORS]


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_split_pipeline_cross_validation_and_search(estimator, breast_cancer):
    X, y = breast_cancer
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, stratify=y, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), clone(estimator)).fit(X_train, y_train)
    assert pipe.score(X_test, y_test) > 0.9
    scores = cross_val_score(
        make_pipeline(StandardScaler(), clone(estimator)), X, y, cv=3
    )
    assert scores.shape == (3,) and scores.min() > 0.9
    name = type(estimator).__name__.lower()
    key = "C" if isinstance(estimator, LogisticRegressionGD) else "alpha"
    search = GridSearchCV(pipe, {f"{name}__{key}": [0.1, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_[f"{name}__{key}"] in (0.1, 1.0)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_metadata_routing_passes_sample_weight(estimator, iris):
    X, y = iris
    sw = np.random.RandomState(0).uniform(0.5, 2.0, len(y))
    direct = clone(estimator).fit(X, y, sample_weight=sw)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = clone(estimator).set_fit_request(sample_weight=True)
        pipe = make_pipeline(routed).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(pipe[-1].predict_proba(X), direct.predict_proba(X))
    unweighted = clone(estimator).fit(X, y)
    assert not np.array_equal(unweighted.predict_proba(X), direct.predict_proba(X))


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=ids)
def test_clone_pickle_and_pandas_output(estimator, iris):
    pytest.importorskip("pandas")
    X, y = iris
    pipe = make_pipeline(StandardScaler(), clone(estimator)).set_output(
        transform="pandas"
    )
    pipe.fit(X, y)
    fitted = pipe[-1]
    assert list(fitted.feature_names_in_) == [f"x{i}" for i in range(4)]
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    fresh = clone(fitted)
    assert fresh.get_params() == fitted.get_params() and not hasattr(fresh, "classes_")
