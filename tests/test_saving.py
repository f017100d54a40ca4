"""Saving fitted models: pickle, joblib and skops round-trips."""

import io
import pickle
import warnings
from pathlib import Path

import joblib
import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier

TRUSTED = {
    LogisticRegressionGD: "skneural._logistic.LogisticRegressionGD",
    StackedNetClassifier: "skneural._stacked.StackedNetClassifier",
}

MODELS = {
    "logistic-agd": lambda: LogisticRegressionGD(C=10.0),
    "logistic-sgd-l1": lambda: LogisticRegressionGD(
        solver="sgd", l1_ratio=0.5, random_state=0, max_iter=20
    ),
    "stacked-adam": lambda: StackedNetClassifier(
        hidden_layer_sizes=(6, 4), max_iter=15, random_state=0
    ),
    "stacked-early-stopping": lambda: StackedNetClassifier(
        hidden_layer_sizes=(5,),
        early_stopping=True,
        scoring="loss",
        solver="sgd",
        learning_rate="adaptive",
        dropout=0.1,
        max_iter=15,
        random_state=0,
    ),
}


def fitted(name, X, y, dtype=np.float64):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return MODELS[name]().fit(X.astype(dtype), y)


def skops_round_trip(model, trusted):
    sio = pytest.importorskip("skops.io")
    return sio.loads(sio.dumps(model), trusted=trusted)


def test_fitted_state_is_arrays_and_builtins(iris):
    """What skops must rebuild: nothing of this package but the class itself."""
    X, y = iris
    allowed = (np.ndarray, int, float, bool, str, type(None))

    def check(value, where):
        if isinstance(value, list | tuple):
            for i, item in enumerate(value):
                check(item, f"{where}[{i}]")
        elif isinstance(value, dict):
            for key, item in value.items():
                assert isinstance(key, str), where
                check(item, f"{where}[{key!r}]")
        else:
            assert type(value) in allowed, f"{where} is a {type(value)}"

    for name in MODELS:
        for dtype in (np.float64, np.float32):
            est = fitted(name, X, y, dtype)
            if not getattr(est, "early_stopping", False):  # partial_fit refuses it
                est.partial_fit(X.astype(dtype), y)  # optimizer state carried over
            for attribute, value in vars(est).items():
                check(value, f"{name}.{attribute}")


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_and_joblib_round_trips(name, dump, iris):
    X, y = iris
    est = fitted(name, X, y)
    if dump == "pickle":
        loaded = pickle.loads(pickle.dumps(est))
    else:
        buffer = io.BytesIO()
        joblib.dump(est, buffer)
        buffer.seek(0)
        loaded = joblib.load(buffer)
    assert_array_equal(loaded.predict_proba(X), est.predict_proba(X))
    assert_array_equal(loaded.predict(X), est.predict(X))
    assert loaded.get_params() == est.get_params()
    assert loaded.n_iter_ == est.n_iter_


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_skops_trusts_only_the_class_name(name, dtype, iris):
    sio = pytest.importorskip("skops.io")
    X, y = iris
    est = fitted(name, X, y, dtype)
    dumped = sio.dumps(est)
    assert sio.get_untrusted_types(data=dumped) == [TRUSTED[type(est)]]
    loaded = sio.loads(dumped, trusted=[TRUSTED[type(est)]])
    assert_array_equal(
        loaded.predict_proba(X.astype(dtype)), est.predict_proba(X.astype(dtype))
    )
    assert loaded.predict_proba(X.astype(dtype)).dtype == dtype


def test_skops_refuses_without_the_class_name(iris):
    sio = pytest.importorskip("skops.io")
    X, y = iris
    dumped = sio.dumps(fitted("logistic-agd", X, y))
    with pytest.raises(Exception, match="LogisticRegressionGD"):
        sio.loads(dumped, trusted=[])


@pytest.mark.parametrize("name", ["logistic-agd", "stacked-adam"])
def test_skops_pipeline_needs_only_the_class_name(name, iris):
    """Inside a Pipeline scikit-learn's own types are trusted by default."""
    sio = pytest.importorskip("skops.io")
    X, y = iris
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), MODELS[name]()).fit(X * 7 + 2, y)
    dumped = sio.dumps(pipe)
    trusted = [TRUSTED[type(pipe[-1])]]
    assert sio.get_untrusted_types(data=dumped) == trusted
    loaded = sio.loads(dumped, trusted=trusted)
    assert_array_equal(loaded.predict_proba(X * 7 + 2), pipe.predict_proba(X * 7 + 2))


@pytest.mark.parametrize("name", ["logistic-sgd-l1", "stacked-adam"])
def test_training_goes_on_after_loading(name, iris):
    """warm_start/partial_fit after a round-trip match training without one."""
    X, y = iris
    est = fitted(name, X, y)
    from_pickle = pickle.loads(pickle.dumps(est))
    from_skops = skops_round_trip(est, [TRUSTED[type(est)]])
    for model in (est, from_pickle, from_skops):
        model.partial_fit(X, y)
    assert_array_equal(from_pickle.predict_proba(X), est.predict_proba(X))
    assert_array_equal(from_skops.predict_proba(X), est.predict_proba(X))


def same_prediction(got, expected):
    """Bit-identical on the numpy that wrote the files; to the last bit else."""
    if int(np.__version__.split(".")[0]) >= 2:
        np.testing.assert_array_equal(got, expected)
    else:  # numpy 1's elementwise functions round differently in the last bit
        np.testing.assert_allclose(got, expected, rtol=1e-13, atol=0)


@pytest.mark.parametrize("name", ["stacked", "logistic"])
def test_models_saved_by_the_previous_version_load_and_predict(name):
    """Files written by version 0.1.0.dev0 before activations_ was fitted state."""
    data = Path(__file__).parent / "data"
    expected = np.load(data / "expected-0.1.0.dev0.npz")
    # the files were written with numpy 2, whose pickles numpy 1 cannot read
    if int(np.__version__.split(".")[0]) >= 2:
        with open(data / f"{name}-0.1.0.dev0.pkl", "rb") as f:
            from_pickle = pickle.load(f)
        same_prediction(from_pickle.predict_proba(expected["X"]), expected[name])
    sio = pytest.importorskip("skops.io")
    path = data / f"{name}-0.1.0.dev0.skops"
    from_skops = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    same_prediction(from_skops.predict_proba(expected["X"]), expected[name])
