"""scikit-learn's callback API on both estimators, alone and nested."""

import importlib.util
import subprocess
import sys
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import LogisticRegressionGD, StackedNetClassifier

try:
    from sklearn import callback
except ImportError:  # scikit-learn < 1.9
    callback = None

needs_callbacks = pytest.mark.skipif(
    callback is None, reason="the callback API is new in scikit-learn 1.9"
)
needs_rich = pytest.mark.skipif(
    importlib.util.find_spec("rich") is None, reason="ProgressBar needs rich"
)


def logistic(**params):
    return LogisticRegressionGD(**params)


def stacked(**params):
    params = {"hidden_layer_sizes": (8,), "max_iter": 12, "random_state": 0, **params}
    return StackedNetClassifier(**params)


ESTIMATORS = [logistic, stacked]


class EpochRecorder:
    """Records every hook call; stops at the end of epoch ``stop_at`` (1-based)."""

    def __init__(self, stop_at=None):
        self.stop_at = stop_at
        self.begins = []
        self.ends = []
        self.setups = 0
        self.teardowns = 0

    def setup(self, estimator, context):
        self.setups += 1

    def teardown(self, estimator, context):
        self.teardowns += 1

    def on_fit_task_begin(self, estimator, context, *, X=None, y=None):
        self.begins.append((context.task_name, context.task_id))

    def on_fit_task_end(
        self, estimator, context, *, X=None, y=None, fitted_estimator=None
    ):
        self.ends.append(
            {
                "task": context.task_name,
                "task_id": context.task_id,
                "estimator": type(estimator).__name__,
                "model": fitted_estimator,
                "X": X,
                "y": y,
            }
        )
        return (
            self.stop_at is not None
            and context.task_name == "epoch"
            and context.task_id + 1 == self.stop_at
        )

    def epochs(self):
        return [end for end in self.ends if end["task"] == "epoch"]


def quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def monitor_epoch_rows(monitor):
    return [row for row in monitor.get_logs().data if row["task_name"] == "epoch"]


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
def test_one_task_per_epoch_each_ending_with_a_model(make, breast_cancer):
    X, y = breast_cancer
    recorder = EpochRecorder()
    est = quiet_fit(make().set_callbacks(recorder), X, y)
    epochs = recorder.epochs()
    assert len(epochs) == est.n_iter_ > 1
    assert [e["task_id"] for e in epochs] == list(range(est.n_iter_))
    # every epoch task is opened and closed, plus the fit task itself
    assert recorder.begins == [("fit", 0)] + [("epoch", i) for i in range(est.n_iter_)]
    assert recorder.ends[-1]["task"] == "fit"
    assert recorder.setups == recorder.teardowns == 1
    # each epoch's model predicts, and is frozen at that epoch
    losses = []
    for i, end in enumerate(epochs):
        model = end["model"]
        assert model is not est
        assert model.n_iter_ == i + 1
        assert len(model.loss_curve_) == i + 1
        losses.append(model.loss_curve_[-1])
        assert model.predict_proba(X).shape == (len(y), 2)
        assert end["y"] is not None and len(end["y"]) == len(y)
    assert_allclose(losses, est.loss_curve_)
    first, last = epochs[0]["model"], epochs[-1]["model"]
    assert not np.allclose(first.predict_proba(X), last.predict_proba(X))
    assert_allclose(last.predict_proba(X), est.predict_proba(X))
    assert accuracy_score(y, last.predict(X)) == est.score(X, y)


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
def test_scoring_monitor_logs_a_row_per_epoch(make, breast_cancer):
    X, y = breast_cancer
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = quiet_fit(make().set_callbacks(monitor), X, y)
    rows = monitor_epoch_rows(monitor)
    assert len(rows) == est.n_iter_
    assert [row["task_id_path"] for row in rows] == [(0, i) for i in range(est.n_iter_)]
    assert {row["estimator_name"] for row in rows} == {type(est).__name__}
    assert rows[-1]["accuracy"] == pytest.approx(est.score(X, y))
    assert all(0.5 < row["accuracy"] <= 1 for row in rows[1:])


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
def test_scoring_monitor_inside_a_pipeline(make, breast_cancer):
    X, y = breast_cancer
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = make().set_callbacks(monitor)
    pipe = quiet_fit(make_pipeline(StandardScaler(), est), X * 10 + 3, y)
    log = monitor.get_logs()
    rows = monitor_epoch_rows(monitor)
    # the estimator's tasks hang under the Pipeline's final-estimator task
    assert log.estimator_name == "Pipeline"
    assert len(rows) == pipe[-1].n_iter_
    assert [row["task_id_path"] for row in rows] == [
        (0, 1, i) for i in range(pipe[-1].n_iter_)
    ]
    # scored on the data the estimator sees: the scaled training data
    assert rows[-1]["accuracy"] == pytest.approx(pipe.score(X * 10 + 3, y))


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
def test_scoring_monitor_inside_a_grid_search(make, breast_cancer):
    X, y = breast_cancer
    monitor = callback.ScoringMonitor(scoring="accuracy")
    est = make(max_iter=4).set_callbacks(monitor)
    grid = {"max_iter": [3, 4]}
    search = quiet_fit(GridSearchCV(est, grid, cv=2), X, y)
    log = monitor.get_logs()
    assert log.estimator_name == "GridSearchCV"
    rows = monitor_epoch_rows(monitor)
    # 2 folds x (3 + 4 epochs), then the refit of the best candidate
    refit_epochs = search.best_estimator_.n_iter_
    assert refit_epochs == search.best_params_["max_iter"]
    assert len(rows) == 2 * (3 + 4) + refit_epochs
    fits = {row["parent_task_id_path"] for row in rows}
    assert len(fits) == 5


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
@pytest.mark.parametrize("stop_at", [1, 3])
def test_a_stop_request_ends_training_after_that_epoch(make, stop_at, breast_cancer):
    X, y = breast_cancer
    recorder = EpochRecorder(stop_at=stop_at)
    est = make().set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # no max_iter warning
        est.fit(X, y)
    assert est.n_iter_ == stop_at
    assert len(est.loss_curve_) == stop_at
    assert len(recorder.epochs()) == stop_at
    # the model kept is the one of the epoch that asked to stop
    assert_allclose(
        recorder.epochs()[-1]["model"].predict_proba(X), est.predict_proba(X)
    )


@needs_callbacks
def test_a_stop_request_inside_a_pipeline(breast_cancer):
    X, y = breast_cancer
    pipe = make_pipeline(
        StandardScaler(), stacked().set_callbacks(EpochRecorder(stop_at=2))
    )
    pipe.fit(X, y)
    assert pipe[-1].n_iter_ == 2


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
def test_callbacks_leave_the_fitted_model_unchanged(make, breast_cancer):
    X, y = breast_cancer
    plain = quiet_fit(make(), X, y)
    watched = quiet_fit(
        make().set_callbacks(
            EpochRecorder(), callback.ScoringMonitor(scoring="neg_log_loss")
        ),
        X,
        y,
    )
    assert watched.n_iter_ == plain.n_iter_
    assert watched.loss_curve_ == plain.loss_curve_
    for a, b in zip(
        watched._fitted_params()[0] + watched._fitted_params()[1],
        plain._fitted_params()[0] + plain._fitted_params()[1],
        strict=True,
    ):
        assert_array_equal(a, b)


@needs_callbacks
@pytest.mark.parametrize("make", ESTIMATORS)
def test_partial_fit_reports_its_one_epoch(make, breast_cancer):
    X, y = breast_cancer
    recorder = EpochRecorder()
    est = make().set_callbacks(recorder)
    est.partial_fit(X, y, classes=[0, 1])
    est.partial_fit(X, y)
    assert [e["task_id"] for e in recorder.epochs()] == [0, 0]
    assert recorder.setups == recorder.teardowns == 2


@needs_callbacks
def test_callbacks_do_not_outlive_the_fit(breast_cancer):
    X, y = breast_cancer
    est = quiet_fit(logistic().set_callbacks(EpochRecorder()), X, y)
    assert not hasattr(est, "_callback_fit_ctx")
    est.set_callbacks()
    assert not hasattr(est, "_skl_callbacks")
    assert quiet_fit(est, X, y).n_iter_ > 1


@needs_callbacks
def test_set_callbacks_rejects_what_is_not_a_callback():
    with pytest.raises(TypeError, match="FitCallback protocol"):
        logistic().set_callbacks(object())


def progress_output(model, X, y, capsys):
    capsys.readouterr()
    quiet_fit(model, X, y)
    return capsys.readouterr().out


@needs_callbacks
@needs_rich
@pytest.mark.parametrize("make", ESTIMATORS)
def test_progress_bar_on_the_estimator(make, breast_cancer, capsys):
    X, y = breast_cancer
    est = make().set_callbacks(callback.ProgressBar())
    out = progress_output(est, X, y, capsys)
    assert f"{type(est).__name__} - fit" in out
    assert "100%" in out
    assert est.n_iter_ > 1


@needs_callbacks
@needs_rich
@pytest.mark.parametrize("make", ESTIMATORS)
def test_progress_bar_on_a_pipeline_and_a_grid_search(make, breast_cancer, capsys):
    X, y = breast_cancer
    name = type(make()).__name__
    pipe = make_pipeline(StandardScaler(), make())
    pipe.set_callbacks(callback.ProgressBar())
    out = progress_output(pipe, X, y, capsys)
    assert f"fit-final-estimator | {name} - fit" in out
    assert pipe[-1].n_iter_ > 1
    # the bar was only lent to the estimator for the Pipeline's fit
    assert not hasattr(pipe[-1], "_skl_callbacks")

    search = GridSearchCV(make(max_iter=3), {"max_iter": [2, 3]}, cv=2)
    search.set_callbacks(callback.ProgressBar(max_propagation_depth=None))
    out = progress_output(search, X, y, capsys)
    # 4 candidate-fold fits and the refit (each frame drawn shows all five)
    assert out.count(f"{name} - fit") % 5 == 0 < out.count(f"{name} - fit")
    assert search.best_estimator_.n_iter_ == search.best_params_["max_iter"]


def test_package_works_without_the_callback_api():
    """With scikit-learn < 1.9 (simulated) skneural imports and fits."""
    code = """
import sys
import sklearn.metrics, sklearn.model_selection, sklearn.preprocessing  # noqa
sys.modules["sklearn.callback"] = None  # as if scikit-learn had no callback API
from skneural import LogisticRegressionGD, StackedNetClassifier
assert not hasattr(LogisticRegressionGD, "set_callbacks")
assert not hasattr(StackedNetClassifier, "set_callbacks")
del sys.modules["sklearn.callback"]  # scikit-learn's own fit wrapper imports it
from sklearn.datasets import load_iris
X, y = load_iris(return_X_y=True)
print(LogisticRegressionGD(max_iter=5).fit(X, y).n_iter_)
"""
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "5"
