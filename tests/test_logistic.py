"""LogisticRegressionGD reaches scikit-learn's optimum and behaves under bad input."""

import warnings

import numpy as np
import pytest
from conftest import logistic_objective, reference_logistic_regression
from scipy.sparse import csr_matrix
from sklearn.datasets import load_breast_cancer
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils.estimator_checks import check_class_weight_classifiers

from skneural import LogisticRegressionGD

TIGHT = dict(tol=1e-10, max_iter=100_000)


def relative_difference(a, b):
    return np.linalg.norm(np.ravel(a) - np.ravel(b)) / max(
        np.linalg.norm(np.ravel(b)), 1e-12
    )


def assert_same_optimum(ours, reference):
    assert relative_difference(ours.coef_, reference.coef_) < 1e-4
    assert relative_difference(
        ours.intercept_, reference.intercept_
    ) < 1e-4 or np.allclose(ours.intercept_, reference.intercept_, atol=1e-6)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris", "wine"])
@pytest.mark.parametrize("C", [0.01, 1.0, 100.0])
def test_same_optimum_as_scikit_learn(dataset, C, request):
    X, y = request.getfixturevalue(dataset)
    ours = LogisticRegressionGD(C=C, **TIGHT).fit(X, y)
    reference = reference_logistic_regression(C=C, tol=1e-12, max_iter=100_000).fit(
        X, y
    )
    assert_same_optimum(ours, reference)
    assert ours.coef_.shape == reference.coef_.shape
    assert ours.intercept_.shape == reference.intercept_.shape


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize(
    "options",
    [{"sample_weight": True}, {"class_weight": "balanced"}, {"fit_intercept": False}],
    ids=["sample_weight", "balanced", "no_intercept"],
)
def test_same_optimum_with_weights_and_without_intercept(dataset, options, request):
    X, y = request.getfixturevalue(dataset)
    options = dict(options)
    fit_params = {}
    if options.pop("sample_weight", False):
        fit_params["sample_weight"] = np.random.RandomState(0).uniform(0, 3, len(y))
    ours = LogisticRegressionGD(**options, **TIGHT).fit(X, y, **fit_params)
    reference = reference_logistic_regression(**options, tol=1e-12, max_iter=100_000)
    reference.fit(X, y, **fit_params)
    assert_same_optimum(ours, reference)
    if options.get("fit_intercept") is False:
        assert np.all(ours.intercept_ == 0)


@pytest.mark.parametrize("dataset", ["breast_cancer", "iris"])
def test_sparse_input_gives_the_dense_result(dataset, request):
    X, y = request.getfixturevalue(dataset)
    X = X * (np.abs(X) > 0.5)  # a genuinely sparse matrix
    dense = LogisticRegressionGD(**TIGHT).fit(X, y)
    sparse = LogisticRegressionGD(**TIGHT).fit(csr_matrix(X), y)
    np.testing.assert_allclose(sparse.coef_, dense.coef_, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(
        sparse.predict_proba(csr_matrix(X)),
        dense.predict_proba(X),
        rtol=1e-6,
        atol=1e-12,
    )


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_l1_objective_no_worse_than_saga(dataset, l1_ratio, request):
    X, y = request.getfixturevalue(dataset)
    C = 0.5
    ours = LogisticRegressionGD(C=C, l1_ratio=l1_ratio, **TIGHT).fit(X, y)
    saga = reference_logistic_regression(
        C=C,
        l1_ratio=l1_ratio,
        solver="saga",
        tol=1e-10,
        max_iter=20_000,
        random_state=0,
    ).fit(X, y)
    classes = np.unique(y)
    ours_obj = logistic_objective(
        ours.coef_, ours.intercept_, X, y, classes, C, l1_ratio
    )
    saga_obj = logistic_objective(
        saga.coef_, saga.intercept_, X, y, classes, C, l1_ratio
    )
    assert ours_obj <= saga_obj * (1 + 1e-6)
    # L1's proximal step gives exact zeros
    assert np.sum(ours.coef_ == 0) > 0


@pytest.mark.parametrize("solver", ["gd", "agd", "cg"])
def test_loss_curve_is_the_objective_and_decreases(solver, breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegressionGD(solver=solver, C=2.0).fit(X, y)
    curve = np.array(clf.loss_curve_)
    assert len(curve) == clf.n_iter_
    assert np.all(np.diff(curve) <= 1e-12)  # the line search makes both monotone
    expected = logistic_objective(clf.coef_, clf.intercept_, X, y, clf.classes_, 2.0)
    assert curve[-1] == pytest.approx(expected / (2.0 * len(y)), rel=1e-10)


@pytest.mark.parametrize("dataset", ["iris", "wine"])
def test_sgd_reaches_the_optimum_approximately(dataset, request):
    X, y = request.getfixturevalue(dataset)
    ours = LogisticRegressionGD(
        solver="sgd", C=0.1, random_state=0, tol=1e-6, max_iter=500
    )
    ours.fit(X, y)
    reference = reference_logistic_regression(C=0.1, tol=1e-12).fit(X, y)
    classes = ours.classes_
    ours_obj = logistic_objective(ours.coef_, ours.intercept_, X, y, classes, 0.1)
    best_obj = logistic_objective(
        reference.coef_, reference.intercept_, X, y, classes, 0.1
    )
    assert ours_obj <= best_obj * 1.01
    assert ours.score(X, y) >= reference.score(X, y) - 0.01


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize("C, l1_ratio", [(1.0, 0.0), (0.1, 1.0)], ids=["l2", "l1"])
def test_sgd_minimises_the_objective_within_one_percent(dataset, C, l1_ratio, request):
    # each minibatch carries its share of the penalty and the step shrinks
    # when the objective stalls: the optimum, not LogisticRegression(C=C/18)'s
    X, y = request.getfixturevalue(dataset)
    ours = LogisticRegressionGD(
        solver="sgd",
        C=C,
        l1_ratio=l1_ratio,
        batch_size=32,
        max_iter=500,
        tol=1e-8,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X, y)
    reference = reference_logistic_regression(
        C=C, l1_ratio=l1_ratio, solver="saga" if l1_ratio else "lbfgs", tol=1e-12
    )
    reference.set_params(max_iter=100_000).fit(X, y)
    classes = ours.classes_
    ours_obj = logistic_objective(
        ours.coef_, ours.intercept_, X, y, classes, C, l1_ratio
    )
    best_obj = logistic_objective(
        reference.coef_, reference.intercept_, X, y, classes, C, l1_ratio
    )
    assert best_obj <= ours_obj <= best_obj * (1 + 1e-2)


@pytest.mark.parametrize("batch_size", [8, 16])
def test_sgd_small_batches_do_not_diverge(batch_size, breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegressionGD(solver="sgd", batch_size=batch_size, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf.fit(X, y)
    reference = reference_logistic_regression(tol=1e-12).fit(X, y)
    classes = clf.classes_
    ours_obj = logistic_objective(clf.coef_, clf.intercept_, X, y, classes, 1.0)
    best_obj = logistic_objective(
        reference.coef_, reference.intercept_, X, y, classes, 1.0
    )
    assert ours_obj <= best_obj * 1.05
    assert clf.n_iter_ > 20  # not stopped near the start


@pytest.mark.parametrize("batch_size", [16, 32])
def test_sgd_passes_check_class_weight_classifiers(batch_size):
    est = LogisticRegressionGD(solver="sgd", batch_size=batch_size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check_class_weight_classifiers("LogisticRegressionGD", est)


def test_fixed_learning_rate_gd_is_the_textbook_update(iris):
    X, y = iris
    lr = 0.05
    one = LogisticRegressionGD(solver="gd", learning_rate=lr, max_iter=1, C=np.inf)
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        one.fit(X, y)
    # from zero weights the softmax gives 1/K: the gradient is mean(x (1/K - onehot))
    onehot = np.eye(3)[y]
    grad_w = X.T @ (1 / 3 - onehot) / len(y)
    grad_b = (1 / 3 - onehot).mean(axis=0)
    np.testing.assert_allclose(one.coef_, -lr * grad_w.T, rtol=1e-12)
    np.testing.assert_allclose(one.intercept_, -lr * grad_b, rtol=1e-12, atol=1e-15)


def test_too_large_learning_rate_warns_and_keeps_finite_parameters():
    X, y = load_breast_cancer(return_X_y=True)  # unscaled on purpose
    clf = LogisticRegressionGD(solver="gd", learning_rate=1e6)
    with pytest.warns(
        ConvergenceWarning, match=r"diverged at epoch \d+ with learning_rate=1e\+06"
    ):
        clf.fit(X, y)
    assert np.all(np.isfinite(clf.coef_)) and np.all(np.isfinite(clf.intercept_))
    proba = clf.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_extreme_inputs_raise_no_overflow(breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegressionGD().fit(X, y)
    extreme = np.full((3, X.shape[1]), 1e300)
    extreme[1] *= -1
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        proba = clf.predict_proba(extreme)
        log_proba = clf.predict_log_proba(extreme)
        clf.fit(X * 1e150, y)
    assert np.all(np.isfinite(proba)) and not np.any(np.isnan(log_proba))
    # and it learns there: the first step is not lost to overflow
    assert clf.score(X * 1e150, y) > 0.9
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert np.all(np.isfinite(clf.coef_))


def test_float32_is_kept(iris):
    X, y = iris
    clf = LogisticRegressionGD(tol=1e-5).fit(X.astype(np.float32), y)
    assert clf.coef_.dtype == np.float32 and clf.intercept_.dtype == np.float32
    assert clf.predict_proba(X.astype(np.float32)).dtype == np.float32
    reference = LogisticRegressionGD(**TIGHT).fit(X, y)
    # float32 resolves the objective to about 1e-7: the same optimum up to that
    assert clf.loss_curve_[-1] == pytest.approx(reference.loss_curve_[-1], rel=1e-6)
    np.testing.assert_allclose(clf.coef_, reference.coef_, atol=3e-3)


def test_string_labels_and_decision_function(breast_cancer, iris):
    X, y = breast_cancer
    labels = np.array(["benign", "malignant"])[y]
    clf = LogisticRegressionGD().fit(X, labels)
    assert list(clf.classes_) == ["benign", "malignant"]
    assert set(clf.predict(X)) <= set(labels)
    scores = clf.decision_function(X)
    assert scores.shape == (len(y),)
    np.testing.assert_array_equal(
        clf.predict(X), clf.classes_[(scores > 0).astype(int)]
    )
    X, y = iris
    clf = LogisticRegressionGD().fit(X, y)
    assert clf.decision_function(X).shape == (len(y), 3)
    np.testing.assert_allclose(np.exp(clf.predict_log_proba(X)), clf.predict_proba(X))


def test_warm_start_starts_from_the_previous_solution(breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegressionGD(warm_start=True, tol=1e-6).fit(X, y)
    first = clf.n_iter_
    clf.fit(X, y)
    assert clf.n_iter_ < first / 3


def test_partial_fit_streams_to_a_good_model(breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegressionGD(random_state=0)
    for _ in range(10):
        for chunk in np.array_split(np.arange(len(y)), 5):
            clf.partial_fit(X[chunk], y[chunk], classes=[0, 1])
    reference = reference_logistic_regression().fit(X, y)
    assert clf.score(X, y) >= reference.score(X, y) - 0.02
    assert len(clf.loss_curve_) == 50


def test_partial_fit_accepts_classes_on_every_call(iris):
    X, y = iris
    clf = LogisticRegressionGD()
    clf.partial_fit(X[:50], y[:50], classes=[0, 1, 2])
    clf.partial_fit(X[50:], y[50:], classes=[0, 1, 2])
    with pytest.raises(ValueError, match="is not the same as on last call"):
        clf.partial_fit(X, y, classes=[0, 1])


def test_same_random_state_gives_identical_parameters(iris):
    X, y = iris
    a = LogisticRegressionGD(solver="sgd", random_state=3).fit(X, y)
    b = LogisticRegressionGD(solver="sgd", random_state=3).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


# -- bad input ---------------------------------------------------------------------
@pytest.mark.parametrize(
    "X_bad, message",
    [
        (np.array([[np.nan, 1.0], [1.0, 2.0]]), "NaN"),
        (np.array([[np.inf, 1.0], [1.0, 2.0]]), "infinity"),
        (np.empty((0, 2)), "0 sample"),
        (np.ones((2, 2, 2)), "dim 3"),
        (np.array([[1 + 1j, 0], [1, 2]]), "[Cc]omplex"),
    ],
)
def test_bad_training_data_is_refused(X_bad, message):
    y = np.arange(len(X_bad)) % 2
    with pytest.raises(ValueError, match=message):
        LogisticRegressionGD().fit(X_bad, y)


def test_single_class_is_refused():
    with pytest.raises(ValueError, match="at least 2 classes.*only one class: 'a'"):
        LogisticRegressionGD().fit(np.ones((4, 2)), ["a"] * 4)


def test_wrong_width_at_predict_is_refused(iris):
    X, y = iris
    clf = LogisticRegressionGD().fit(X, y)
    with pytest.raises(
        ValueError, match="X has 3 features, but LogisticRegressionGD is expecting 4"
    ):
        clf.predict(X[:, :3])


def test_unseen_label_in_partial_fit_is_refused(iris):
    X, y = iris
    clf = LogisticRegressionGD().partial_fit(X[:100], y[:100], classes=[0, 1])
    with pytest.raises(
        ValueError, match=r"labels \[2\] that are not in classes \[0, 1\]"
    ):
        clf.partial_fit(X[100:], y[100:])
    # nothing changed by the refused call
    assert clf.n_iter_ == 1


def test_partial_fit_needs_classes_first():
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        LogisticRegressionGD().partial_fit(np.ones((4, 2)), [0, 1, 0, 1])


def test_balanced_class_weight_in_partial_fit_is_refused():
    with pytest.raises(
        ValueError, match="class_weight='balanced' is not supported by partial_fit"
    ):
        LogisticRegressionGD(class_weight="balanced").partial_fit(
            np.ones((4, 2)), [0, 1, 0, 1], classes=[0, 1]
        )


def test_negative_sample_weight_is_refused():
    with pytest.raises(
        ValueError, match="Negative values in data passed to `sample_weight`"
    ):
        LogisticRegressionGD().fit(np.eye(4), [0, 1, 0, 1], sample_weight=[1, -1, 1, 1])


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"C": 0},
            "'C' parameter of LogisticRegressionGD must be a float in the range",
        ),
        ({"l1_ratio": 2}, "'l1_ratio' parameter"),
        ({"solver": "lbfgs"}, "'solver' parameter .* must be a str among"),
        ({"learning_rate": -1.0}, "'learning_rate' parameter"),
        ({"max_iter": 0}, "'max_iter' parameter"),
    ],
)
def test_invalid_parameters_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        LogisticRegressionGD(**params).fit(np.eye(4), [0, 1, 0, 1])


def test_multilabel_is_refused():
    with pytest.raises(
        ValueError, match="y should be a 1d array, got an array of shape"
    ):
        LogisticRegressionGD().fit(
            np.eye(4), np.eye(4, 2, dtype=int) + np.eye(4, 2, k=-2, dtype=int)
        )


def test_unfitted_prediction_is_refused():
    with pytest.raises(NotFittedError):
        LogisticRegressionGD().predict(np.eye(2))


def test_minibatch_smoothness_spans_one_sample_to_the_whole(breast_cancer):
    from skneural._engine.step_size import largest_row_norm, minibatch_smoothness

    X, _ = breast_cancer
    single = largest_row_norm(X)
    assert single == pytest.approx(np.max(np.sum(X**2, axis=1)) + 1, rel=1e-12)
    assert largest_row_norm(csr_matrix(X), fit_intercept=False) == pytest.approx(
        single - 1, rel=1e-12
    )
    n = len(X)
    assert minibatch_smoothness(3.0, single, 1, n) == pytest.approx(single)
    assert minibatch_smoothness(3.0, single, n, n) == pytest.approx(3.0)
    assert 3.0 < minibatch_smoothness(3.0, single, 32, n) < single


# -- conjugate gradients and solver='auto' -------------------------------------------
@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
def test_cg_reaches_the_optimum(dataset, weighted, request):
    X, y = request.getfixturevalue(dataset)
    sw = np.random.RandomState(0).uniform(0, 3, len(y)) if weighted else None
    ours = LogisticRegressionGD(solver="cg", C=2.0, **TIGHT).fit(X, y, sw)
    reference = reference_logistic_regression(C=2.0, tol=1e-12, max_iter=100_000)
    reference.fit(X, y, sample_weight=sw)
    assert_same_optimum(ours, reference)
    classes = ours.classes_
    ours_obj = logistic_objective(
        ours.coef_, ours.intercept_, X, y, classes, 2.0, 0, sw
    )
    best_obj = logistic_objective(
        reference.coef_, reference.intercept_, X, y, classes, 2.0, 0, sw
    )
    assert ours_obj == pytest.approx(best_obj, rel=1e-9)


@pytest.mark.parametrize("dataset", ["breast_cancer", "wine"])
def test_cg_in_float32_reaches_the_float64_optimum(dataset, request):
    X, y = request.getfixturevalue(dataset)
    ours = LogisticRegressionGD(solver="cg", tol=1e-6).fit(X.astype(np.float32), y)
    assert ours.coef_.dtype == np.float32
    reference = reference_logistic_regression(tol=1e-12).fit(X, y)
    classes = ours.classes_
    ours_obj = logistic_objective(ours.coef_, ours.intercept_, X, y, classes, 1.0)
    best_obj = logistic_objective(
        reference.coef_, reference.intercept_, X, y, classes, 1.0
    )
    assert ours_obj == pytest.approx(best_obj, rel=1e-5)
    assert relative_difference(ours.coef_, reference.coef_) < 1e-2


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_cg_line_slope_matches_finite_differences(n_outputs):
    from skneural._engine.conjugate_gradient import score_line
    from skneural._engine.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy
    from skneural._engine.network import Network

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5))
    Y = np.eye(max(n_outputs, 2), dtype=bool)[rng.randint(0, max(n_outputs, 2), 40)]
    Y = Y[:, 1:] if n_outputs == 1 else Y
    sw, l2 = rng.uniform(0.5, 2, 40), 0.3
    loss = SigmoidCrossEntropy() if n_outputs == 1 else SoftmaxCrossEntropy()
    network = Network((5, n_outputs), (), loss)
    theta, d = rng.normal(size=network.n_params), rng.normal(size=network.n_params)
    k = network.n_coef
    slope = score_line(
        loss,
        Y,
        sw,
        l2,
        sw.sum(),
        network.raw_scores(theta, X),
        network.raw_scores(d, X),
        theta[:k],
        d[:k],
    )

    def phi(t):
        return network.objective(theta + t * d, X, Y, sw, l2)

    h = 1e-6
    for t in (0.0, 0.3, 1.7):
        numeric = (phi(t + h) - phi(t - h)) / (2 * h)
        assert slope(t) == pytest.approx(numeric, rel=1e-6, abs=1e-9)
    # at 0 it is the gradient along d
    _, grad = network.objective_gradient(theta, X, Y, sw, l2)
    assert slope(0.0) == pytest.approx(grad @ d, rel=1e-10)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_cg_line_keeps_the_objective_and_gradient_of_its_last_trial(
    n_outputs, fit_intercept
):
    # the accepted step reuses the last trial's loss gradient (and, for the
    # softmax, its value) instead of evaluating the loss again: the same
    # numbers as a fresh evaluation at the new point, to the last bit
    from skneural._engine.conjugate_gradient import score_line
    from skneural._engine.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy
    from skneural._engine.network import Network

    rng = np.random.RandomState(1)
    X = rng.normal(size=(50, 4))
    k = max(n_outputs, 2)
    Y = np.eye(k)[rng.randint(0, k, 50)]
    Y = np.asfortranarray(Y[:, 1:] if n_outputs == 1 else Y)
    sw, l2 = rng.uniform(0.5, 2, 50), 0.7
    loss = SigmoidCrossEntropy() if n_outputs == 1 else SoftmaxCrossEntropy()
    network = Network((4, n_outputs), (), loss, fit_intercept=fit_intercept)
    theta, d = rng.normal(size=network.n_params), rng.normal(size=network.n_params)
    n_coef = network.n_coef
    z, z_rate = network.raw_scores(theta, X), network.raw_scores(d, X)
    line = score_line(loss, Y, sw, l2, sw.sum(), z, z_rate, theta[:n_coef], d[:n_coef])
    for t in (0.9, 0.25):  # the second trial is the last
        line(t)
    new = theta + 0.25 * d

    def backward(point, grad_z, out):
        return network.linear_gradient(point, X, grad_z, out)

    f, grad = line.objective_gradient(new, backward, np.empty_like(new))
    # the scores kept are those moved along the line, the new point's
    z_new = z + 0.25 * z_rate
    np.testing.assert_array_equal(line.scores, z_new)
    np.testing.assert_allclose(line.scores, network.raw_scores(new, X), rtol=1e-12)
    expected_f, expected_grad = network.linear_objective_gradient(
        new, X, z_new, Y, sw, l2
    )
    assert f == expected_f
    np.testing.assert_array_equal(grad, expected_grad)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("scale", [1.0, 1e150])
def test_cg_first_step_is_bounded_by_the_curvature_along_the_line(n_outputs, scale):
    # the first trial -phi'(0) / c takes the link's curvature at zero
    # scores (1/4, 1/K): from zero weights it falls short of the minimum and
    # lowers the objective; for the sigmoid it is the Newton step there
    from skneural._engine.conjugate_gradient import score_line
    from skneural._engine.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy
    from skneural._engine.network import Network
    from skneural._engine.step_size import link_curvature

    rng = np.random.RandomState(2)
    X = rng.normal(size=(60, 4)) * scale
    k = max(n_outputs, 2)
    Y = np.eye(k)[rng.randint(0, k, 60)]
    Y = np.asfortranarray(Y[:, 1:] if n_outputs == 1 else Y)
    sw, l2 = rng.uniform(0.5, 2, 60), 0.4
    loss = SigmoidCrossEntropy() if n_outputs == 1 else SoftmaxCrossEntropy()
    network = Network((4, n_outputs), (), loss)
    theta = np.zeros(network.n_params)
    _, grad = network.objective_gradient(theta, X, Y, sw, l2)
    d, n_coef = -grad, network.n_coef
    z, z_rate = network.raw_scores(theta, X), network.raw_scores(d, X)
    line = score_line(loss, Y, sw, l2, sw.sum(), z, z_rate, theta[:n_coef], d[:n_coef])
    slope0 = line(0.0)
    step = line.bounded_step(slope0, link_curvature(loss, n_outputs, at_start=True))
    assert 0 < step < np.inf
    assert line(step) <= 0  # short of the minimum, where the slope turns positive
    if scale == 1.0:

        def phi(t):
            return network.objective(theta + t * d, X, Y, sw, l2)

        assert phi(step) < phi(0.0)
        if n_outputs == 1:
            h = 1e-4
            curvature = (phi(h) - 2 * phi(0.0) + phi(-h)) / h**2
            assert step == pytest.approx(-slope0 / curvature, rel=1e-5)


def test_cg_first_step_ignores_rows_that_weigh_nothing():
    # a row of weight 0 is no part of the objective: however large its
    # scores, the first step is the one without it
    from skneural._engine.conjugate_gradient import score_line
    from skneural._engine.losses import SigmoidCrossEntropy

    rng = np.random.RandomState(3)
    z_rate = rng.normal(size=(30, 1))
    y = rng.randint(0, 2, (30, 1)).astype(float)
    sw = rng.uniform(0.5, 2, 30)
    w, w_rate = rng.normal(size=3), rng.normal(size=3)
    loss = SigmoidCrossEntropy()
    outlier_rate = np.vstack([z_rate, [[1e200]]])
    steps = [
        score_line(
            loss, yy, s, 0.5, s.sum(), np.zeros_like(r), r, w, w_rate
        ).bounded_step(-1.0, 0.25)
        for r, yy, s in [
            (z_rate, y, sw),
            (outlier_rate, np.vstack([y, [[1.0]]]), np.append(sw, 0.0)),
        ]
    ]
    assert steps[1] == pytest.approx(steps[0], rel=1e-12)


@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_curvature_along_a_line_is_the_second_derivative(n_outputs, weighted):
    # d^2/dt^2 loss(z + t r) at 0 from the link's prediction, against a
    # central difference of the loss itself; and the Newton step from it
    # against -phi'(0) / phi''(0) of the whole objective, penalty included
    from skneural._engine.conjugate_gradient import score_line
    from skneural._engine.losses import SigmoidCrossEntropy, SoftmaxCrossEntropy

    rng = np.random.RandomState(4)
    k = max(n_outputs, 2)
    Y = np.eye(k)[rng.randint(0, k, 40)]
    Y = np.asfortranarray(Y[:, 1:] if n_outputs == 1 else Y)
    z, r = rng.normal(size=Y.shape), rng.normal(size=Y.shape)
    sw = rng.uniform(0.5, 2, 40) if weighted else None
    loss = SigmoidCrossEntropy() if n_outputs == 1 else SoftmaxCrossEntropy()
    p = np.empty_like(z)
    loss.loss_and_gradient(z, Y, sw, out=np.empty_like(z), probabilities=p)
    np.testing.assert_allclose(
        p, loss.predict_proba(z) if n_outputs > 1 else 1 / (1 + np.exp(-z))
    )
    h = 1e-4
    values = [loss.loss(z + t * r, Y, sw) for t in (-h, 0.0, h)]
    second = (values[0] - 2 * values[1] + values[2]) / h**2
    assert loss.curvature_along(p, r, sw) == pytest.approx(second, rel=1e-5)

    w, w_rate, l2 = rng.normal(size=3), rng.normal(size=3), 0.3
    total = 40.0 if sw is None else sw.sum()
    line = score_line(loss, Y, sw, l2, total, z, r, w, w_rate)
    if line(0.0) > 0:  # not a descent line: no Newton step forward ...
        assert line.newton_step(line(0.0), p) is None
        r, w_rate = -r, -w_rate  # ... but along the opposite direction
        line = score_line(loss, Y, sw, l2, total, z, r, w, w_rate)
    slope0 = line(0.0)
    assert slope0 < 0
    slopes = [line(t) for t in (-h, h)]
    phi_second = (slopes[1] - slopes[0]) / (2 * h)
    assert line.newton_step(slope0, p) == pytest.approx(-slope0 / phi_second, rel=1e-5)


def test_softmax_curvature_holds_where_a_prediction_is_nearly_certain():
    # p (1 - 2e-9, 1e-9, 1e-9), rates (100, -50, -50): the variance about
    # the mean keeps what sum p r^2 - (sum p r)^2 cancels to nothing
    from skneural._engine.losses import softmax_curvature

    for dtype in (np.float32, np.float64):
        p = np.array([[1 - 2e-9, 1e-9, 1e-9]], dtype)
        r = np.array([[100.0, -50.0, -50.0]], dtype)
        exact = 2e-9 * 150.0**2  # p_2 + p_3 times (150)^2, to first order
        assert softmax_curvature(p, r)[0] == pytest.approx(exact, rel=1e-3)


def test_newton_step_is_none_where_the_curvature_overflows():
    from skneural._engine.conjugate_gradient import score_line
    from skneural._engine.losses import SigmoidCrossEntropy

    z, r = np.zeros((5, 1)), np.full((5, 1), 1e200)
    y = np.ones((5, 1))
    line = score_line(
        SigmoidCrossEntropy(), y, None, 0.0, 5.0, z, r, z[:0, 0], z[:0, 0]
    )
    with np.errstate(all="raise"):  # no warning escapes, no step either
        assert line.newton_step(-1.0, np.full((5, 1), 0.5)) is None
    # no curvature at all (rates of zero, no penalty): no step
    flat = score_line(
        SigmoidCrossEntropy(), y, None, 0.0, 5.0, z, z, z[:0, 0], z[:0, 0]
    )
    assert flat.newton_step(-1.0, np.full((5, 1), 0.5)) is None


def test_cg_line_searches_mostly_end_at_their_first_trial(monkeypatch):
    # from the second iteration on, the first trial is the Newton step along
    # the line (the loss's curvature from the last trial's probabilities):
    # on digits (softmax) and breast-cancer (sigmoid) a search takes about
    # one trial; a step carried over from the previous line took 1.8-2.2
    from sklearn.datasets import load_digits
    from sklearn.preprocessing import StandardScaler

    from skneural._engine import conjugate_gradient

    trials = []
    original = conjugate_gradient.ScoreLine.__call__

    def counted(line, t):
        trials.append(t)
        return original(line, t)

    monkeypatch.setattr(conjugate_gradient.ScoreLine, "__call__", counted)
    for load in (load_digits, load_breast_cancer):
        X, y = load(return_X_y=True)
        X = StandardScaler().fit_transform(X)
        trials.clear()
        clf = LogisticRegressionGD(tol=1e-5).fit(X, y)
        assert clf.n_iter_ > 10
        assert len(trials) <= 1.35 * clf.n_iter_


def test_line_minimum_finds_the_minimum_of_a_convex_function():
    from skneural._engine.conjugate_gradient import line_minimum

    # phi(t) = exp(t) - 3 t has its minimum at log(3); start far short of it
    t = line_minimum(lambda t: np.exp(t) - 3, -2.0, 1e-3)
    assert abs(np.exp(t) - 3) <= 0.1 * 2.0
    assert t == pytest.approx(np.log(3), abs=0.05)


@pytest.mark.parametrize(
    "l1_ratio, expected", [(0.0, "cg"), (0.5, "agd"), (1.0, "agd")]
)
def test_auto_picks_cg_without_l1_and_agd_with_it(l1_ratio, expected, wine):
    X, y = wine
    auto = LogisticRegressionGD(solver="auto", l1_ratio=l1_ratio).fit(X, y)
    chosen = LogisticRegressionGD(solver=expected, l1_ratio=l1_ratio).fit(X, y)
    np.testing.assert_array_equal(auto.coef_, chosen.coef_)
    assert auto.n_iter_ == chosen.n_iter_
    other = LogisticRegressionGD(
        solver="agd" if expected == "cg" else "cg", l1_ratio=0.0
    ).fit(X, y)
    if expected == "cg":
        assert other.n_iter_ > auto.n_iter_  # a different solver, more iterations
    assert LogisticRegressionGD().solver == "auto"


def test_cg_with_l1_falls_back_to_agd(breast_cancer):
    X, y = breast_cancer
    cg = LogisticRegressionGD(solver="cg", l1_ratio=0.5, C=0.5).fit(X, y)
    agd = LogisticRegressionGD(solver="agd", l1_ratio=0.5, C=0.5).fit(X, y)
    np.testing.assert_array_equal(cg.coef_, agd.coef_)
    assert np.sum(cg.coef_ == 0) > 0


def test_a_warm_start_without_intercept_has_none(breast_cancer):
    X, y = breast_cancer
    clf = LogisticRegressionGD(warm_start=True, tol=1e-10).fit(X, y)
    assert clf.intercept_[0] != 0
    clf.set_params(fit_intercept=False).fit(X, y)
    assert clf.intercept_[0] == 0  # as LogisticRegression's warm start gives
    cold = LogisticRegressionGD(fit_intercept=False, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(clf.coef_, cold.coef_, rtol=1e-6, atol=1e-8)
