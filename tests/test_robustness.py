"""Robustness: concurrent prediction, long partial_fit runs, interrupted fits."""

import gc
import sys
import threading
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from skneural import LogisticRegressionGD, StackedNetClassifier
from skneural._engine.network import Network


def _fitted_models(X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return [
            LogisticRegressionGD(C=10.0, max_iter=50).fit(X, y),
            StackedNetClassifier(
                hidden_layer_sizes=(16, 8),
                activation=["tanh", "gelu"],
                dropout=0.2,
                max_iter=20,
                random_state=0,
            ).fit(X, y),
        ]


def _parameters(model):
    if isinstance(model, LogisticRegressionGD):
        return [model.coef_.copy(), model.intercept_.copy()]
    return [w.copy() for w in (*model.coefs_, *model.intercepts_)]


# -- thread safety -----------------------------------------------------------------


@pytest.mark.parametrize("layout", ["dense", "float32", "csr"])
def test_concurrent_prediction_matches_serial(digits_scaled, layout):
    X, y = digits_scaled
    if layout == "float32":
        X = X.astype(np.float32)
    elif layout == "csr":
        X = sp.csr_matrix(np.where(np.abs(X) > 1, X, 0.0))
    chunks = [X[i : i + 37] for i in range(0, 600, 37)]
    n_threads, rounds = 8, 25
    for model in _fitted_models(X, y):
        before = _parameters(model)
        methods = [model.predict_proba, model.predict_log_proba, model.predict]
        serial = [[method(chunk) for chunk in chunks] for method in methods]
        barrier = threading.Barrier(n_threads)

        def work(thread, model=model, methods=methods, barrier=barrier):
            barrier.wait()  # start every thread at once
            results = []
            for r in range(rounds):
                # each thread walks the chunks in its own order
                k = (thread * 7 + r) % len(chunks)
                m = (thread + r) % len(methods)
                results.append((m, k, methods[m](chunks[k])))
            return results

        with ThreadPoolExecutor(n_threads) as pool:
            outcomes = list(pool.map(work, range(n_threads)))
        assert sum(len(o) for o in outcomes) == n_threads * rounds
        for results in outcomes:
            for m, k, result in results:
                assert_array_equal(result, serial[m][k])
        # prediction never writes to the fitted model
        for after, original in zip(_parameters(model), before, strict=True):
            assert_array_equal(after, original)


# -- memory of long partial_fit runs -----------------------------------------------


def _list_growth(curve, start):
    """Bytes a list gains by its entries from ``start`` on (the list and its floats)."""
    return sys.getsizeof(curve) + sum(sys.getsizeof(v) for v in curve[start:])


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegressionGD(batch_size=16, random_state=0),
        StackedNetClassifier(hidden_layer_sizes=(8,), batch_size=16, random_state=0),
    ],
    ids=["logistic", "stacked"],
)
def test_partial_fit_memory_stays_flat(model):
    # loss_curve_ gains one float per call, as MLPClassifier's does: that is
    # the documented history (about 32 bytes a call) and is accounted for
    # exactly; what must not grow is every other array or buffer.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(48, 10))
    y = (X[:, 0] + 0.5 * rng.normal(size=48) > 0).astype(int)
    classes = np.array([0, 1])
    n_calls = 1000
    gc.collect()
    tracemalloc.start()
    try:
        # warm-up, traced: numpy's cache of small buffers and the optimizer
        # state fill up here, and then stay
        for _ in range(300):
            model.partial_fit(X, y, classes=classes)
        gc.collect()
        start = len(model.loss_curve_)
        list_before = sys.getsizeof(model.loss_curve_)
        baseline, _ = tracemalloc.get_traced_memory()
        for _ in range(n_calls):
            model.partial_fit(X, y)
        gc.collect()
        current, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(model.loss_curve_) == start + n_calls
    history = _list_growth(model.loss_curve_, start) - list_before
    other_growth = current - baseline - history
    # what remains is bounded caches (numpy's small buffers, ctypes' symbol
    # lookups of the BLAS thread rule): 10-45 kB from run to run; the
    # smallest array leaked per call would be 100 kB, one of the network's
    # parameters 900 kB
    assert other_growth < 80 * 1024, (other_growth, history)


def test_targets_never_held_as_a_dense_integer_matrix():
    # 20,000 samples of 50 classes: as a dense int64 one-hot matrix the
    # targets would take 8 MB, as booleans 1 MB; everything else of this small
    # network (batch buffers, parameters) is far below that
    rng = np.random.RandomState(0)
    X = rng.standard_normal((20_000, 5))
    y = np.arange(20_000) % 50
    model = StackedNetClassifier(hidden_layer_sizes=(4,), max_iter=1, random_state=0)
    gc.collect()
    tracemalloc.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X, y)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 3 * 2**20, peak
    assert model.classes_.tolist() == list(range(50))


# -- interrupted training --------------------------------------------------------


def _interrupt_after(monkeypatch, n_calls):
    """Make the ``n_calls + 1``-th gradient evaluation raise KeyboardInterrupt."""
    count = {"calls": 0}

    def interrupting(original):
        def evaluate(self, *args, **kwargs):
            count["calls"] += 1
            if count["calls"] > n_calls:
                raise KeyboardInterrupt
            return original(self, *args, **kwargs)

        return evaluate

    # the network's gradient, from the data or (a linear model) from its scores
    for name in ("objective_gradient", "linear_objective_gradient"):
        monkeypatch.setattr(Network, name, interrupting(getattr(Network, name)))
    return count


@pytest.mark.parametrize(
    "make",
    [
        # 4 minibatches per epoch: the interrupt falls in the 4th epoch
        lambda **kw: StackedNetClassifier(
            hidden_layer_sizes=(5,),
            solver="sgd",
            learning_rate_init=0.01,
            batch_size=50,
            random_state=0,
            **kw,
        ),
        lambda **kw: StackedNetClassifier(
            hidden_layer_sizes=(5,),
            learning_rate_init=0.01,
            batch_size=50,
            random_state=0,
            **kw,
        ),
        lambda **kw: LogisticRegressionGD(
            solver="sgd", batch_size=50, random_state=0, **kw
        ),
    ],
    ids=["stacked-sgd", "stacked-adam", "logistic-sgd"],
)
def test_interrupted_fit_keeps_a_usable_model(monkeypatch, breast_cancer, make):
    X, y = breast_cancer
    X, y = X[:200], y[:200]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = make(max_iter=3).fit(X, y)
    _interrupt_after(monkeypatch, 3 * 4 + 2)
    model = make(max_iter=50)
    with pytest.warns(UserWarning, match="interrupted by user during epoch 4"):
        model.fit(X, y)
    assert model.n_iter_ == 3
    assert len(model.loss_curve_) == 3
    # the loss fell at every epoch, so the kept parameters are those of epoch 3
    assert np.all(np.diff(model.loss_curve_) < 0)
    for kept, expected in zip(_parameters(model), _parameters(reference), strict=True):
        assert_array_equal(kept, expected)
    monkeypatch.undo()
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    assert model.score(X, y) > 0.8


@pytest.mark.parametrize("solver", ["gd", "agd"])
def test_interrupted_full_batch_fit_keeps_a_usable_model(
    monkeypatch, breast_cancer, solver
):
    X, y = breast_cancer
    _interrupt_after(monkeypatch, 10)
    model = LogisticRegressionGD(solver=solver, max_iter=100)
    with pytest.warns(UserWarning, match="interrupted by user"):
        model.fit(X, y)
    assert 1 <= model.n_iter_ < 10
    assert len(model.loss_curve_) == model.n_iter_
    monkeypatch.undo()
    assert np.all(np.isfinite(model.coef_))
    assert model.score(X, y) > 0.9


def test_interrupt_in_the_first_epoch_keeps_the_initial_model(monkeypatch, iris):
    X, y = iris
    _interrupt_after(monkeypatch, 0)
    model = StackedNetClassifier(hidden_layer_sizes=(4,), random_state=0)
    with pytest.warns(UserWarning, match="during epoch 1"):
        model.fit(X, y)
    monkeypatch.undo()
    assert model.n_iter_ == 0
    assert model.loss_curve_ == []
    proba = model.predict_proba(X)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
