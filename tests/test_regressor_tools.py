"""The tools around the estimators, with StackedNetRegressor: saving, ONNX,
callbacks, LossCurveDisplay, lr_range_test and dask-ml."""

import io
import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LossCurveDisplay, StackedNetRegressor, lr_range_test


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return X, (y - y.mean()) / y.std()


def fitted(X, y, **settings):
    reg = StackedNetRegressor(hidden_layer_sizes=(8,), max_iter=15, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return reg.set_params(**settings).fit(X, y)


def test_pickle_and_skops_round_trips_predict_the_same(diabetes):
    X, y = diabetes
    reg = fitted(X, y, early_stopping=True, loss="huber")
    again = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(again.predict(X), reg.predict(X))
    sio = pytest.importorskip("skops.io")
    buffer = sio.dumps(reg)
    assert sio.get_untrusted_types(data=buffer) == [
        "skneural._regressor.StackedNetRegressor"
    ]
    loaded = sio.loads(buffer, trusted=["skneural._regressor.StackedNetRegressor"])
    np.testing.assert_array_equal(loaded.predict(X), reg.predict(X))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_onnx_reproduces_predict(diabetes, loss):
    onnxruntime = pytest.importorskip("onnxruntime")
    skl2onnx = pytest.importorskip("skl2onnx")
    import skneural.onnx  # noqa: F401

    X, y = diabetes
    X = X.astype(np.float32)
    y = np.exp(y) if loss == "poisson" else y
    model = make_pipeline(StandardScaler(), fitted(X, y, loss=loss, activation="tanh"))
    model.fit(X, y)
    onx = skl2onnx.to_onnx(model, X[:1])
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (predicted,) = session.run(None, {"X": X})
    assert predicted.shape == (len(X), 1)
    expected = model.predict(X)
    # float32 sums round to their terms' scale: a prediction near 0 is off by
    # the rounding of the others' size, not of its own
    scale = np.abs(expected).max()
    np.testing.assert_allclose(
        predicted.ravel(), expected, rtol=1e-5, atol=1e-5 * scale
    )


def test_scoring_monitor_logs_r2_per_epoch(diabetes):
    callback = pytest.importorskip("sklearn.callback")
    X, y = diabetes
    monitor = callback.ScoringMonitor(scoring="r2")
    reg = StackedNetRegressor(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reg.set_callbacks(monitor).fit(X, y)
    rows = [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]
    assert len(rows) == reg.n_iter_ == 10
    assert rows[-1]["r2"] == pytest.approx(reg.score(X, y))


def test_loss_curve_display_draws_the_curves(diabetes):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    X, y = diabetes
    reg = fitted(X, y, early_stopping=True, scoring="loss")
    display = LossCurveDisplay.from_estimator(reg)
    np.testing.assert_allclose(display.line_.get_ydata(), reg.loss_curve_)
    np.testing.assert_allclose(
        display.validation_loss_line_.get_ydata(), reg.validation_loss_curve_
    )


def test_lr_range_test_finds_the_blow_up(diabetes):
    X, y = diabetes
    reg = StackedNetRegressor(hidden_layer_sizes=(16,), random_state=0)
    result = lr_range_test(make_pipeline(StandardScaler(), reg), X, y, num=40)
    # the loss is half the mean squared error: about 1/2 for a standardised
    # target at the start, falling, then blowing up before max_lr
    assert result.losses[0] == pytest.approx(
        0.5 * np.mean((fitted(X, y, max_iter=1).predict(X) - y) ** 2), rel=0.5
    )
    assert np.nanmin(result.losses) < 0.5 * result.losses[0]
    assert len(result.losses) < 40
    assert 1e-4 < result.suggestion < 1.0
    assert reg.get_params()["learning_rate_init"] == 1e-3  # left untouched


def test_dask_incremental_trains_over_chunks(diabetes):
    da = pytest.importorskip("dask.array")
    wrappers = pytest.importorskip("dask_ml.wrappers")
    X, y = diabetes
    model = StackedNetRegressor(
        hidden_layer_sizes=(16,), learning_rate_init=0.01, batch_size=50, random_state=0
    )
    inc = wrappers.Incremental(model, random_state=np.random.RandomState(0))
    dX, dy = da.from_array(X, chunks=(100, -1)), da.from_array(y, chunks=100)
    for _ in range(20):
        inc.partial_fit(dX, dy)
    assert inc.estimator_.t_ == 20 * len(y)
    assert inc.estimator_.score(X, y) > 0.4
    buffer = io.BytesIO()
    pickle.dump(inc.estimator_, buffer)
