"""LossCurveDisplay and the learning-rate range test."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skneural import (
    LogisticRegressionGD,
    LossCurveDisplay,
    StackedNetClassifier,
    lr_range_test,
)
from skneural._engine.step_size import largest_eigenvalue

mpl = pytest.importorskip("matplotlib")
mpl.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture
def blobs():
    """Two overlapping, standardised Gaussian blobs: a well-scaled problem."""
    X, y = make_blobs(
        n_samples=200, centers=[[-1, -1], [1, 1]], cluster_std=1.5, random_state=0
    )
    return StandardScaler().fit_transform(X), y


# -- LossCurveDisplay -------------------------------------------------------------
def test_display_from_stacked_net(breast_cancer):
    X, y = breast_cancer
    clf = StackedNetClassifier(
        hidden_layer_sizes=(8,), max_iter=15, learning_rate_init=0.01, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    assert isinstance(display, LossCurveDisplay)
    assert display.ax_.figure is display.figure_
    np.testing.assert_array_equal(display.line_.get_ydata(), clf.loss_curve_)
    np.testing.assert_array_equal(
        display.line_.get_xdata(), np.arange(1, len(clf.loss_curve_) + 1)
    )
    assert display.lines_ == [display.line_]
    assert display.validation_loss_line_ is None
    assert display.validation_score_line_ is None
    assert display.score_ax_ is None
    assert display.ax_.get_xlabel() == "Epoch"
    assert display.ax_.get_title() == "StackedNetClassifier"


def test_display_validation_curves_with_early_stopping(breast_cancer):
    X, y = breast_cancer
    clf = StackedNetClassifier(
        hidden_layer_sizes=(8,),
        early_stopping=True,
        n_iter_no_change=3,
        max_iter=30,
        learning_rate_init=0.01,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    display = LossCurveDisplay.from_estimator(clf)
    assert len(display.lines_) == 3
    np.testing.assert_array_equal(
        display.validation_loss_line_.get_ydata(), clf.validation_loss_curve_
    )
    np.testing.assert_array_equal(
        display.validation_score_line_.get_ydata(), clf.validation_scores_
    )
    # scores have their own scale: a twin axis, not the loss axis
    assert display.validation_score_line_.axes is display.score_ax_
    assert display.validation_loss_line_.axes is display.ax_
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["training loss", "validation loss", "validation score"]


def test_display_from_logistic_in_pipeline_on_given_axes(breast_cancer):
    X, y = breast_cancer
    pipe = make_pipeline(StandardScaler(), LogisticRegressionGD(solver="gd")).fit(X, y)
    _, ax = plt.subplots()
    display = LossCurveDisplay.from_estimator(pipe, ax=ax, color="k")
    assert display.ax_ is ax
    np.testing.assert_array_equal(display.line_.get_ydata(), pipe[-1].loss_curve_)
    assert display.line_.get_color() == "k"
    # full-batch solvers: one loss per iteration
    assert ax.get_xlabel() == "Iteration"


def test_display_plot_returns_self_and_draws_the_data():
    display = LossCurveDisplay(loss_curve=[3.0, 2.0, 1.5], validation_scores=[0.5, 0.7])
    assert display.plot(xlabel="step") is display
    np.testing.assert_array_equal(display.line_.get_ydata(), [3.0, 2.0, 1.5])
    np.testing.assert_array_equal(display.validation_score_line_.get_xdata(), [1, 2])
    assert display.ax_.get_xlabel() == "step"


def test_display_errors(breast_cancer):
    with pytest.raises(NotFittedError):
        LossCurveDisplay.from_estimator(StackedNetClassifier())
    X, y = breast_cancer
    fitted = LogisticRegression(max_iter=2000).fit(X, y)
    with pytest.raises(TypeError, match="needs an estimator with a `loss_curve_`"):
        LossCurveDisplay.from_estimator(fitted)
    with pytest.raises(ValueError, match="loss_curve must be one-dimensional"):
        LossCurveDisplay(loss_curve=[[1.0, 2.0]]).plot()


def test_missing_matplotlib_names_the_extra(monkeypatch):
    # a None entry in sys.modules makes the import fail
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"skneural\[plot\]"):
        LossCurveDisplay(loss_curve=[1.0]).plot()


# -- lr_range_test ----------------------------------------------------------------
def test_lr_range_test_leaves_the_estimator_untouched(blobs):
    X, y = blobs
    unfitted = LogisticRegressionGD(C=10.0, random_state=0)
    params = unfitted.get_params()
    lr_range_test(unfitted, X, y, num=10)
    assert unfitted.get_params() == params
    assert not hasattr(unfitted, "classes_")

    fitted = StackedNetClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit(X, y)
    params = fitted.get_params()
    coefs = [w.copy() for w in fitted.coefs_]
    curve = list(fitted.loss_curve_)
    lr_range_test(fitted, X, y, num=10)
    assert fitted.get_params() == params
    assert fitted.loss_curve_ == curve
    for before, after in zip(coefs, fitted.coefs_, strict=True):
        np.testing.assert_array_equal(before, after)


def test_lr_range_test_rates_grow_geometrically(blobs):
    X, y = blobs
    result = lr_range_test(
        StackedNetClassifier(hidden_layer_sizes=(4,), random_state=0),
        X,
        y,
        min_lr=1e-5,
        max_lr=1e-2,
        num=12,
    )
    # nothing blows up below 1e-2 with Adam: the whole range is run
    np.testing.assert_allclose(result.learning_rates, np.geomspace(1e-5, 1e-2, 12))
    assert np.all(np.diff(result.learning_rates) > 0)
    assert result.losses.shape == (12,)
    assert np.all(np.isfinite(result.losses))


def test_lr_range_test_stops_at_blow_up_without_warning(blobs):
    X, y = blobs
    est = StackedNetClassifier(
        hidden_layer_sizes=(16,), solver="sgd", momentum=0.0, random_state=0
    )
    with warnings.catch_warnings():
        # the estimator's divergence warning must stay inside the test
        warnings.simplefilter("error", ConvergenceWarning)
        result = lr_range_test(est, X, y, min_lr=1e-3, max_lr=1e8, num=40)
    n = len(result.losses)
    assert n < 40
    last, before = result.losses[-1], result.losses[:-1]
    assert not np.isfinite(last) or last > 4 * before.min()
    # it ran on until that first blow-up, not past it
    assert np.all(before <= 4 * np.minimum.accumulate(before))


def test_lr_range_test_suggestion_on_a_known_problem(blobs):
    """Full-batch descent on a logistic loss of smoothness L.

    Every full-batch step with a rate below 2/L decreases the loss, so the
    loss cannot blow up there; the suggestion must be a rate that learns
    (past the point where the loss starts to fall) and a stable one (below
    2/L and below the blow-up).
    """
    X, y = blobs
    smoothness = 0.25 * largest_eigenvalue(X)  # the sigmoid's curvature is <= 1/4
    est = LogisticRegressionGD(C=np.inf, batch_size=len(y), random_state=0)
    result = lr_range_test(est, X, y, min_lr=1e-4, max_lr=1e4, num=60)
    rates, losses = result.learning_rates, result.losses

    blow_up = rates[-1]
    assert len(rates) < 60 and losses[-1] > 4 * losses[:-1].min()
    assert blow_up > 2 / smoothness
    # below 2 / L the full-batch loss never goes up
    stable = rates < 2 / smoothness
    assert np.all(np.diff(losses[stable]) <= 1e-12)
    starts_to_fall = rates[np.argmax(losses < 0.99 * losses[0])]
    assert starts_to_fall < result.suggestion < 2 / smoothness
    assert result.suggestion < blow_up


def test_lr_range_test_for_multilabel_targets():
    X, Y = make_multilabel_classification(n_samples=100, n_classes=3, random_state=0)
    est = StackedNetClassifier(hidden_layer_sizes=(8,), random_state=0)
    result = lr_range_test(est, X, Y, min_lr=1e-5, max_lr=1e-2, num=8)
    assert np.all(np.isfinite(result.losses))
    assert result.losses[-1] < result.losses[0]


def test_lr_range_test_is_reproducible(blobs):
    X, y = blobs
    est = StackedNetClassifier(hidden_layer_sizes=(4,), random_state=3)
    first = lr_range_test(est, X, y, num=15)
    second = lr_range_test(clone(est), X, y, num=15)
    np.testing.assert_array_equal(first.losses, second.losses)
    assert first.suggestion == second.suggestion


def test_lr_range_test_result_plot(blobs):
    X, y = blobs
    result = lr_range_test(
        LogisticRegressionGD(C=np.inf, batch_size=len(y), random_state=0),
        X,
        y,
        min_lr=1e-3,
        max_lr=1e4,
        num=30,
    )
    assert result.plot() is result
    assert result.ax_.figure is result.figure_
    assert result.ax_.get_xscale() == "log"
    finite = np.isfinite(result.losses)
    np.testing.assert_array_equal(result.line_.get_ydata(), result.losses[finite])
    np.testing.assert_array_equal(
        result.line_.get_xdata(), result.learning_rates[finite]
    )


def test_lr_range_test_on_a_pipeline_tests_its_last_step(blobs):
    X, y = blobs
    X_raw = X * [100.0, 0.01] + [5.0, -3.0]  # what the scaler undoes
    net = StackedNetClassifier(hidden_layer_sizes=(4,), random_state=0)
    pipeline = make_pipeline(StandardScaler(), net)
    params = pipeline.get_params()
    result = lr_range_test(pipeline, X_raw, y, num=15)
    alone = lr_range_test(net, StandardScaler().fit_transform(X_raw), y, num=15)
    np.testing.assert_allclose(result.losses, alone.losses)
    assert result.suggestion == alone.suggestion
    assert pipeline.get_params() == params
    assert not hasattr(pipeline[0], "mean_")  # the scaler passed in stays unfitted
    lone = make_pipeline(LogisticRegressionGD(random_state=0))  # one step only
    assert len(lr_range_test(lone, X, y, num=5).losses) > 0


def test_lr_range_test_bad_input(blobs):
    X, y = blobs
    est = LogisticRegressionGD()
    with pytest.raises(ValueError, match="min_lr must be smaller than max_lr"):
        lr_range_test(est, X, y, min_lr=1.0, max_lr=0.1)
    with pytest.raises(ValueError, match="'num' parameter"):
        lr_range_test(est, X, y, num=1)
    with pytest.raises(TypeError, match="needs an estimator with a `learning_rate`"):
        lr_range_test(LogisticRegression(), X, y)
    with pytest.raises(TypeError, match="needs an estimator with a `learning_rate`"):
        lr_range_test(make_pipeline(StandardScaler(), LogisticRegression()), X, y)
    with pytest.raises(TypeError, match="last step is an estimator"):
        lr_range_test(make_pipeline(StandardScaler(), "passthrough"), X, y)


@pytest.mark.parametrize(
    "model, label",
    [
        (LogisticRegressionGD(), "Iteration"),  # 'auto': conjugate gradients
        (LogisticRegressionGD(solver="sgd", max_iter=5), "Epoch"),
        (StackedNetClassifier(hidden_layer_sizes=(4,), solver="lbfgs"), "Iteration"),
    ],
)
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_axis_says_iterations_for_full_batch_solvers(breast_cancer, model, label):
    X, y = breast_cancer
    model.set_params(max_iter=5).fit(StandardScaler().fit_transform(X), y)
    display = LossCurveDisplay.from_estimator(model)
    assert display.ax_.get_xlabel() == label
    plt.close("all")


def test_the_axis_follows_the_fit_not_a_later_set_params(breast_cancer):
    X, y = breast_cancer
    X = StandardScaler().fit_transform(X)
    est = quiet_fit(LogisticRegressionGD(solver="sgd", max_iter=3), X, y)
    est.set_params(solver="cg")  # changes nothing fitted
    assert LossCurveDisplay.from_estimator(est).ax_.get_xlabel() == "Epoch"
    # partial_fit trains by minibatch epochs whatever the solver
    est = LogisticRegressionGD().partial_fit(X, y, classes=[0, 1])
    assert LossCurveDisplay.from_estimator(est).ax_.get_xlabel() == "Epoch"
    plt.close("all")


def quiet_fit(model, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)
